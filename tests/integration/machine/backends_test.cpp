// machine-backends.so (machine/support/backends.h): the binary loads it only for what needs
// libvirt, libcurl, libssh or yaml-cpp, finds it next to itself or in ../lib/machine/ or at
// $MACHINE_BACKENDS, and says clearly what is missing when it is not there.
#include "cli_fixture.h"

#include "machine/support/fs.h"

namespace machine::testing {
namespace {

class Backends : public CliTest {
protected:
    // Copies the built binary to `dir` (alone, or with the module at `module_at`).
    fs::path install(const fs::path& dir, const fs::path& module_at = {}) {
        fs::create_directories(dir / "bin");
        fs::copy_file(MACHINE_BINARY, dir / "bin" / "machine");
        if (!module_at.empty()) {
            fs::create_directories(module_at.parent_path());
            fs::copy_file(MACHINE_BACKENDS_MODULE, module_at);
        }
        return dir / "bin" / "machine";
    }
};

TEST_F(Backends, WithoutTheModuleLocalCommandsWorkAndTheLibvirtDriverSaysWhatIsMissing) {
    create_none("m1");
    fs::path lone = install(tmp() / "lone");
    auto env = machine_at(lone, {"env", "--shell", "bash", "m1"});
    EXPECT_EQ(env.exit_code, 0) << env.err;
    EXPECT_EQ(machine_at(lone, {"ip", "m1"}).out, "127.0.0.1\n");
    EXPECT_EQ(machine_at(lone, {"inspect", "-f", "{{.DriverName}}", "m1"}).out, "none\n");
    EXPECT_EQ(machine_at(lone, {"create", "--help"}).exit_code, 0);
    EXPECT_NE(machine_at(lone, {"create", "--help"}).out.find("--libvirt-memory"),
              std::string::npos);

    auto r = machine_at(
        lone, {"create", "--driver", "libvirt", "--libvirt-uri", "test:///default", "v1"});
    expect_error_line(r, 4, "the libvirt driver is in machine-backends.so, which cannot be used");
    EXPECT_NE(r.err.find((tmp() / "lone" / "bin" / "machine-backends.so").string()),
              std::string::npos)
        << "names where it looked: " << r.err;
    EXPECT_NE(r.err.find((tmp() / "lone" / "lib" / "machine" / "machine-backends.so").string()),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("MACHINE_BACKENDS"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(store() / "machines" / "v1")) << "nothing left behind";
}

TEST_F(Backends, LsShowsAMissingModuleInTheRowAndKeepsListing) {
    create_none("m1");
    fs::path lone = install(tmp() / "lone");
    auto r = machine_at(lone, {"ls"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("m1"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("machine-backends.so"), std::string::npos) << r.out;
}

TEST_F(Backends, FoundInTheInstalledLayout) {
    fs::path bin =
        install(tmp() / "prefix", tmp() / "prefix" / "lib" / "machine" / "machine-backends.so");
    // The driver itself (in the module) rejects the flag: so it was loaded.
    auto r = machine_at(bin, {"create", "--driver", "libvirt", "--libvirt-uri", "test:///default",
                              "--libvirt-memory", "100", "v1"});
    expect_error_line(r, 2, "--libvirt-memory: 100 MiB is too little memory");
}

TEST_F(Backends, FoundThroughMachineBackends) {
    create_none("m1");
    fs::path lone = install(tmp() / "lone");
    auto r =
        machine_at(lone, {"ls", "--timeout", "5"}, {{"MACHINE_BACKENDS", MACHINE_BACKENDS_MODULE}});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    // The Docker API transport (libcurl) was loaded and tried the engine.
    EXPECT_NE(r.out.find("Unable to query docker version"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("machine-backends.so"), std::string::npos) << r.out;
}

TEST_F(Backends, AnExplicitMachineBackendsThatFailsIsAnErrorNotReplaced) {
    // The module next to the binary would work; the explicit choice still wins, and fails.
    fs::path bin = install(tmp() / "pair", tmp() / "pair" / "bin" / "machine-backends.so");
    auto r =
        machine_at(bin, {"create", "--driver", "libvirt", "--libvirt-uri", "test:///default", "v1"},
                   {{"MACHINE_BACKENDS", (tmp() / "nowhere.so").string()}});
    expect_error_line(r, 4, "MACHINE_BACKENDS: found");
    EXPECT_NE(r.err.find("nowhere.so"), std::string::npos) << r.err;
}

TEST_F(Backends, AModuleFromAnotherBuildIsRefused) {
    // Any shared library that is not this build's module: it has no (or another) build id.
    fs::path other = tmp() / "other.so";
    for (const char* lib :
         {"/lib/x86_64-linux-gnu/libz.so.1", "/usr/lib/x86_64-linux-gnu/libz.so.1"})
        if (fs::exists(lib)) {
            fs::copy_file(lib, other);
            break;
        }
    ASSERT_TRUE(fs::exists(other));
    fs::path lone = install(tmp() / "lone");
    auto r = machine_at(lone, {"create", "--driver", "libvirt", "v1"},
                        {{"MACHINE_BACKENDS", other.string()}});
    expect_error_line(r, 4, "is from another build of machine (build none, this binary is build");
}

TEST_F(Backends, AModuleThatCannotBeLoadedSaysWhyAndStops) {
    fs::path lone = install(tmp() / "lone");
    support::atomic_write(tmp() / "lone" / "bin" / "machine-backends.so", "not an ELF file\n");
    // A good module in the installed place is not tried: the first one there is the one.
    fs::create_directories(tmp() / "lone" / "lib" / "machine");
    fs::copy_file(MACHINE_BACKENDS_MODULE,
                  tmp() / "lone" / "lib" / "machine" / "machine-backends.so");
    auto r = machine_at(lone, {"create", "--driver", "libvirt", "v1"});
    expect_error_line(r, 4,
                      "found " + (tmp() / "lone" / "bin" / "machine-backends.so").string() +
                          " but cannot load it");
}

} // namespace
} // namespace machine::testing
