// `machine lab` through the built binary: a lab file sets only what a node may set (issue 10),
// names are machine names, and refused files change nothing; parallel creates and removes of
// a lab of `none` nodes (the code path a ThreadSanitizer build of this test checks).
#include "../machine/cli_fixture.h"

#include <fmt/format.h>

#include <fstream>
#include <set>

namespace machine::testing {
namespace {

// Every file and folder under `root` with its size and mode: equal before and after means
// nothing was changed there.
std::set<std::string> listing(const fs::path& root) {
    std::set<std::string> out;
    if (!fs::exists(root))
        return out;
    for (const auto& e : fs::recursive_directory_iterator(root)) {
        auto st = fs::symlink_status(e.path());
        out.insert(fmt::format("{} {:o} {}", fs::relative(e.path(), root).string(),
                               static_cast<unsigned>(st.permissions()),
                               fs::is_regular_file(st) ? fs::file_size(e.path()) : 0));
    }
    return out;
}

class LabCli : public CliTest {
protected:
    fs::path write_lab(const std::string& text) {
        fs::path file = tmp() / "lab.yaml";
        std::ofstream(file) << text;
        return file;
    }
};

TEST_F(LabCli, ATlsCaCertUnderFlagsIsRefusedWithItsLineAndNothingIsCreated) {
    create_none("existing");
    fs::path evil = tmp() / "evil";
    fs::create_directories(evil);
    std::ofstream(evil / "ca.pem") << "not a CA\n";
    auto before = listing(store());
    auto evil_before = listing(evil);
    fs::path file = write_lab("name: l\n"
                              "driver: none\n"
                              "nodes:\n"
                              "  - name: n1\n"
                              "    role: manager\n"
                              "    flags:\n"
                              "      url: tcp://127.0.0.1:1\n"
                              "      tls-ca-cert: " +
                              (evil / "ca.pem").string() + "\n");
    auto r = machine({"lab", "up", "-f", file.string()});
    expect_one_error(r, 2,
                     file.string() + ":8:7: flag \"tls-ca-cert\" cannot be set in a lab file");
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(listing(store()), before);
    EXPECT_EQ(listing(evil), evil_before);
    EXPECT_FALSE(fs::exists(store() / "machines" / "n1"));
}

TEST_F(LabCli, GlobalFlagsInDefaultsAndOtherDriversFlagsAreRefused) {
    create_none("existing");
    auto before = listing(store());
    for (std::string flag : {"storage-path: /tmp", "tls-client-key: /tmp/k", "debug: true",
                             "native-ssh: true", "libvirt-uri: 'qemu:///system'"}) {
        fs::path file = write_lab("name: l\ndriver: none\ndefaults:\n  flags:\n    " + flag +
                                  "\nnodes: [{name: n1, role: manager}]\n");
        for (std::string verb : {"up", "status", "down"}) {
            std::vector<std::string> args = {"lab", verb, "-f", file.string()};
            if (verb == "down")
                args.push_back("-y");
            expect_one_error(machine(args), 2, file.string() + ":5:5: flag \"");
        }
        EXPECT_EQ(listing(store()), before) << flag;
    }
}

TEST_F(LabCli, InvalidNodeNamesAreRefusedBeforeAnythingHappens) {
    create_none("existing");
    auto before = listing(store());
    for (std::string name : {"..", "../../x", "/abs", "-rf", "a b", "x..y"}) {
        fs::path file = write_lab("name: l\ndriver: none\ndefaults: {flags: {url: "
                                  "'tcp://127.0.0.1:1'}}\nnodes:\n  - name: '" +
                                  name + "'\n    role: manager\n");
        auto r = machine({"lab", "up", "-f", file.string()});
        expect_one_error(
            r, 2, file.string() + ":5:11: node name \"" + name + "\" is not a valid machine name");
        EXPECT_EQ(listing(store()), before) << name;
    }
}

// Four `none` nodes created 2+ at a time and removed all at once: each create and rm runs as
// its own `machine` process under lab's run_lab_jobs (machine/lab.h); the swarm step then fails
// (no engine answers at 127.0.0.1:1), which lab reports without touching the created nodes.
TEST_F(LabCli, NoneNodesAreCreatedInParallelAndRemovedByLabDown) {
    fs::path file = write_lab("name: par\ndriver: none\ndefaults: {flags: {url: "
                              "'tcp://127.0.0.1:1'}}\nnodes:\n"
                              "  - {name: p1, role: manager}\n  - {name: p2}\n"
                              "  - {name: p3}\n  - {name: p4}\n");
    auto up = machine({"lab", "up", "-f", file.string()});
    expect_one_error(up, 1, "lab \"par\" is not complete");
    for (const char* n : {"p1", "p2", "p3", "p4"}) {
        EXPECT_NE(up.out.find(fmt::format("[{}] created in", n)), std::string::npos) << up.out;
        EXPECT_TRUE(fs::exists(store() / "machines" / n / "config.json")) << n;
    }
    auto ls = machine({"ls", "-q"});
    EXPECT_EQ(ls.out, "p1\np2\np3\np4\n");
    auto down = machine({"lab", "down", "-f", file.string(), "-y"});
    ASSERT_EQ(down.exit_code, 0) << down.out << down.err;
    EXPECT_NE(down.out.find("lab \"par\": removed p1, p2, p3, p4"), std::string::npos) << down.out;
    EXPECT_EQ(machine({"ls", "-q"}).out, "");
}

} // namespace
} // namespace machine::testing
