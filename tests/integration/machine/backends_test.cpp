// machine-backends.so (machine/support/backends.h): the binary loads it only for what needs
// libvirt, libcurl, libssh or yaml-cpp, finds it next to itself or in ../lib/machine/ or at
// $MACHINE_BACKENDS, and says clearly what is missing when it is not there.
#include "cli_fixture.h"

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

    support::ProcessResult run(const fs::path& binary, std::vector<std::string> args,
                               std::map<std::string, std::string> extra_env = {}) const {
        support::ProcessSpec spec;
        spec.program = binary.string();
        spec.args = std::move(args);
        spec.env = env();
        spec.env["MACHINE_BACKENDS"] = "";
        for (auto& [k, v] : extra_env)
            spec.env[k] = v;
        spec.timeout = std::chrono::seconds(60);
        support::SystemProcessRunner runner;
        return runner.run(spec);
    }
};

TEST_F(Backends, WithoutTheModuleLocalCommandsWorkAndTheLibvirtDriverSaysWhatIsMissing) {
    create_none("m1");
    fs::path lone = install(tmp() / "lone");
    auto env = run(lone, {"env", "--shell", "bash", "m1"});
    EXPECT_EQ(env.exit_code, 0) << env.err;
    EXPECT_EQ(run(lone, {"ip", "m1"}).out, "127.0.0.1\n");
    EXPECT_EQ(run(lone, {"inspect", "-f", "{{.DriverName}}", "m1"}).out, "none\n");
    EXPECT_EQ(run(lone, {"create", "--help"}).exit_code, 0);
    EXPECT_NE(run(lone, {"create", "--help"}).out.find("--libvirt-memory"), std::string::npos);

    auto r = run(lone, {"create", "--driver", "libvirt", "--libvirt-uri", "test:///default",
                        "v1"});
    expect_error_line(r, 4, "the libvirt driver is in machine-backends.so");
    EXPECT_NE(r.err.find((tmp() / "lone" / "bin" / "machine-backends.so").string()),
              std::string::npos)
        << "names where it looked: " << r.err;
    EXPECT_NE(r.err.find("MACHINE_BACKENDS"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(store() / "machines" / "v1")) << "nothing left behind";
}

TEST_F(Backends, LsShowsAMissingModuleInTheRowAndKeepsListing) {
    create_none("m1");
    fs::path lone = install(tmp() / "lone");
    auto r = run(lone, {"ls"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("m1"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("machine-backends.so"), std::string::npos) << r.out;
}

TEST_F(Backends, FoundInTheInstalledLayout) {
    fs::path bin = install(tmp() / "prefix", tmp() / "prefix" / "lib" / "machine" /
                                                 "machine-backends.so");
    // The driver itself (in the module) rejects the flag: so it was loaded.
    auto r = run(bin, {"create", "--driver", "libvirt", "--libvirt-uri", "test:///default",
                       "--libvirt-memory", "100", "v1"});
    expect_error_line(r, 2, "--libvirt-memory: 100 MiB is too little memory");
}

TEST_F(Backends, FoundThroughMachineBackends) {
    create_none("m1");
    fs::path lone = install(tmp() / "lone");
    auto r = run(lone, {"ls", "--timeout", "5"}, {{"MACHINE_BACKENDS", MACHINE_BACKENDS_MODULE}});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    // The Docker API transport (libcurl) was loaded and tried the engine.
    EXPECT_NE(r.out.find("Unable to query docker version"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("machine-backends.so"), std::string::npos) << r.out;
}

} // namespace
} // namespace machine::testing
