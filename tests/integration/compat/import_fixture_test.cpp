// Issue 13's "done when" for import: a store written by docker-machine 0.16.2 itself, copied into
// a temp folder, with local TLS engines on 127.0.0.1 signed by that store's CA. After
// `machine import --from-docker-machine COPY`: ls, env, inspect -f, config, version, rm work,
// and every file and folder of the copy is byte-identical, with the same modes, afterwards.
#include "compat_fixture.h"
#include "tests/fakes/fake_tls_engine.h"

#include "engine/tls.h"
#include "machine/support/fs.h"

#include <nlohmann/json.hpp>

#include <sys/stat.h>

#include <map>

namespace machine::testing {
namespace {

const fs::path k_fixture =
    fs::path(MACHINE_SOURCE_DIR) / ".." / "shared" / "fixtures" / "docker-machine-0.16.2-store";

// path relative to root -> (mode, content) for every entry: the "hash" of a tree, exactly.
std::map<std::string, std::pair<mode_t, std::string>> snapshot(const fs::path& root) {
    std::map<std::string, std::pair<mode_t, std::string>> out;
    for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator();
         ++it) {
        struct stat st {};
        EXPECT_EQ(::lstat(it->path().c_str(), &st), 0);
        std::string content =
            S_ISREG(st.st_mode) ? support::read_file(it->path()) : std::string("<dir>");
        out[it->path().lexically_relative(root).string()] = {st.st_mode, content};
    }
    return out;
}

mode_t mode_of(const fs::path& p) {
    struct stat st {};
    ::stat(p.c_str(), &st);
    return st.st_mode & 0777;
}

class ImportFixture : public CompatTest {
protected:
    void SetUp() override {
        CompatTest::SetUp();
        fixture = k_fixture;
        if (!fs::exists(fixture))
            fixture = "/work/shared/fixtures/docker-machine-0.16.2-store";
        ASSERT_TRUE(fs::exists(fixture / "machines")) << fixture;
        dm = tmp() / "home" / ".docker" / "machine";
        fs::create_directories(dm.parent_path());
        fs::copy(fixture, dm, fs::copy_options::recursive);
        // git keeps no modes: give the copy a real store's (keys 0600, folders 0700).
        for (auto& e : fs::recursive_directory_iterator(dm))
            fs::permissions(e.path(), e.is_directory() ? fs::perms(0700) : fs::perms(0644));
        fs::permissions(dm, fs::perms(0700));
        for (const char* key : {"certs/ca-key.pem", "certs/key.pem"})
            fs::permissions(dm / key, fs::perms(0600));
    }
    fs::path fixture, dm;
};

TEST_F(ImportFixture, ImportThenLsEnvInspectConfigVersionRmLeaveTheCopyUntouched) {
    const auto before = snapshot(dm);

    // The server certificate of the test engines, from docker-machine's CA, kept outside the copy.
    const fs::path server_dir = tmp() / "engine";
    fs::create_directories(server_dir);
    engine::issue_server_cert({dm / "certs" / "ca.pem", dm / "certs" / "ca-key.pem"},
                              server_dir / "server.pem", server_dir / "server-key.pem", "test",
                              {"127.0.0.1", "localhost"});
    EXPECT_EQ(snapshot(dm), before) << "issuing from the CA only reads it";

    // ls before import: the hint, once per ls while the store is empty, on stderr.
    auto hint = machine({"ls", "-q"}, {{"HOME", (tmp() / "home").string()}});
    EXPECT_EQ(hint.exit_code, 0) << hint.err;
    EXPECT_EQ(hint.out, "");
    EXPECT_EQ(split_lines(hint.err).size(), 1u) << hint.err;
    EXPECT_NE(hint.err.find("has 4 docker-machine machines"), std::string::npos) << hint.err;
    EXPECT_NE(hint.err.find("machine import --from-docker-machine"), std::string::npos);

    auto imported = machine({"import", "--from-docker-machine", dm.string()});
    ASSERT_EQ(imported.exit_code, 0) << imported.out << imported.err;
    for (const char* n : {"dm1", "dm2", "dm4", "web-01"})
        EXPECT_NE(imported.out.find(std::string("Imported ") + n + "\n"), std::string::npos)
            << imported.out;
    EXPECT_EQ(snapshot(dm), before) << "import only reads docker-machine's store";

    // The store now holds docker-machine's CA (it had none) and per-machine copies for env.
    EXPECT_EQ(support::read_file(store() / "certs" / "ca.pem"),
              support::read_file(dm / "certs" / "ca.pem"));
    EXPECT_EQ(mode_of(store() / "certs" / "ca-key.pem"), 0600u);
    EXPECT_EQ(mode_of(store() / "machines" / "dm1" / "key.pem"), 0600u);
    EXPECT_EQ(mode_of(store() / "machines" / "dm1" / "ca.pem"), 0644u);
    const std::string config_text =
        support::read_file(store() / "machines" / "dm4" / "config.json");
    EXPECT_EQ(config_text.find(store().string()), std::string::npos)
        << "paths inside the store are relative:\n"
        << config_text;
    EXPECT_EQ(config_text.find("/home/student"), std::string::npos) << config_text;

    FakeTlsEngine e2376(server_dir / "server.pem", server_dir / "server-key.pem",
                        dm / "certs" / "ca.pem", 2376, "19.03.12");
    FakeTlsEngine e2377(server_dir / "server.pem", server_dir / "server-key.pem",
                        dm / "certs" / "ca.pem", 2377, "20.10.24");

    // ls: no hint any more, four rows, each engine answered over TLS.
    auto ls = machine({"ls", "--format",
                       "{{.Name}} {{.DriverName}} {{.State}} {{.URL}} "
                       "{{.DockerVersion}}"},
                      {{"HOME", (tmp() / "home").string()}});
    ASSERT_EQ(ls.exit_code, 0) << ls.err;
    EXPECT_EQ(ls.err, "") << "no hint once the store has machines";
    EXPECT_EQ(ls.out, "dm1 none Running tcp://127.0.0.1:2376 v19.03.12\n"
                      "dm2 none Running tcp://127.0.0.1:2376 v19.03.12\n"
                      "dm4 none Running tcp://127.0.0.1:2377 v20.10.24\n"
                      "web-01 none Running tcp://127.0.0.1:2376 v19.03.12\n");

    // env: the variables docker needs, and the certificates they name work against the engine.
    auto env = machine({"env", "--shell", "bash", "dm4"});
    ASSERT_EQ(env.exit_code, 0) << env.err;
    const std::string cert_path = (store() / "machines" / "dm4").string();
    EXPECT_NE(env.out.find("export DOCKER_HOST=\"tcp://127.0.0.1:2377\""), std::string::npos)
        << env.out;
    EXPECT_NE(env.out.find("export DOCKER_CERT_PATH=\"" + cert_path + "\""), std::string::npos)
        << env.out;
    EXPECT_NE(env.out.find("export DOCKER_TLS_VERIFY=\"1\""), std::string::npos);
    EXPECT_NE(env.out.find("export DOCKER_MACHINE_NAME=\"dm4\""), std::string::npos);
    auto curl = program("curl", {"-sS", "--max-time", "10", "--cacert", cert_path + "/ca.pem",
                                 "--cert", cert_path + "/cert.pem", "--key", cert_path + "/key.pem",
                                 "https://127.0.0.1:2377/version"});
    if (curl.exit_code != 127) { // curl present: DOCKER_CERT_PATH's files reach the engine
        EXPECT_EQ(curl.exit_code, 0) << curl.err;
        EXPECT_NE(curl.out.find("20.10.24"), std::string::npos) << curl.out;
    }

    // inspect -f with docker-machine's field names, and what import recorded.
    EXPECT_EQ(machine({"inspect", "-f", "{{.DriverName}} {{.Driver.URL}}", "dm4"}).out,
              "none tcp://127.0.0.1:2377\n");
    EXPECT_EQ(machine({"inspect", "-f", "{{.HostOptions.EngineOptions.InstallURL}}", "dm4"}).out,
              "https://get.docker.com\n");
    EXPECT_EQ(
        machine({"inspect", "-f", "{{join .HostOptions.EngineOptions.Labels \",\"}}", "dm4"}).out,
        "env=test\n");
    EXPECT_EQ(
        machine({"inspect", "-f", "{{json .HostOptions.AuthOptions.ServerCertSANs}}", "dm4"}).out,
        "[\"dm4.example\"]\n");
    EXPECT_EQ(machine({"inspect", "-f", "{{.Imported.From}}", "dm4"}).out,
              (dm / "machines" / "dm4").string() + "\n");
    EXPECT_EQ(machine({"inspect", "-f", "{{.HostOptions.AuthOptions.CaCertPath}}", "dm1"}).out,
              (store() / "certs" / "ca.pem").string() + "\n");

    // config: flags that reach the engine.
    auto config = machine({"config", "dm4"});
    ASSERT_EQ(config.exit_code, 0) << config.err;
    EXPECT_EQ(config.out, "--tlsverify\n--tlscacert=\"" + cert_path + "/ca.pem\"\n--tlscert=\"" +
                              cert_path + "/cert.pem\"\n--tlskey=\"" + cert_path +
                              "/key.pem\"\n-H=tcp://127.0.0.1:2377\n");

    // version NAME: the engine's version over TLS.
    auto version = machine({"version", "dm4"});
    EXPECT_EQ(version.exit_code, 0) << version.err;
    EXPECT_EQ(version.out, "20.10.24\n");

    // Importing again changes nothing and says so.
    auto again = machine({"import", "--from-docker-machine", dm.string()});
    expect_error_line(again, 2, "nothing imported");
    EXPECT_NE(again.out.find("Skipped dm1: a machine of that name is already"), std::string::npos)
        << again.out;

    // rm, with docker-machine's habits.
    auto rm = machine({"rm", "-f", "dm1"});
    EXPECT_EQ(rm.exit_code, 0) << rm.err;
    EXPECT_NE(rm.out.find("Successfully removed dm1"), std::string::npos) << rm.out;
    auto yes = machine_with_stdin({"rm", "web-01"}, "y\n");
    EXPECT_EQ(yes.exit_code, 0) << yes.err;
    EXPECT_FALSE(fs::exists(store() / "machines" / "web-01"));
    EXPECT_EQ(machine({"ls", "-q"}).out, "dm2\ndm4\n");
    EXPECT_EQ(support::read_file(store() / "certs" / "ca.pem"),
              support::read_file(dm / "certs" / "ca.pem"))
        << "the CA outlives its machines";

    EXPECT_EQ(snapshot(dm), before) << "docker-machine's store is byte-identical at the end";
}

TEST_F(ImportFixture, StoreWithItsOwnCaKeepsItAndImportsBesideIt) {
    create_none("mine");
    const std::string own_ca = support::read_file(store() / "certs" / "ca.pem");
    auto r = machine({"import", "--from-docker-machine", dm.string()});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(support::read_file(store() / "certs" / "ca.pem"), own_ca) << "machine's CA stays";
    auto ca = machine({"inspect", "-f", "{{.HostOptions.AuthOptions.CaCertPath}}", "dm1"});
    ASSERT_EQ(ca.exit_code, 0) << ca.err;
    const fs::path dm_ca = split_lines(ca.out).at(0);
    EXPECT_EQ(dm_ca.parent_path().parent_path(), store() / "certs") << dm_ca;
    EXPECT_EQ(dm_ca.parent_path().filename().string().rfind("docker-machine-", 0), 0u) << dm_ca;
    EXPECT_EQ(support::read_file(dm_ca), support::read_file(dm / "certs" / "ca.pem"));
    EXPECT_EQ(support::read_file(store() / "machines" / "dm1" / "ca.pem"),
              support::read_file(dm / "certs" / "ca.pem"));
    EXPECT_EQ(support::read_file(store() / "machines" / "mine" / "ca.pem"), own_ca);
    auto env = machine({"env", "--shell", "bash", "dm1"});
    EXPECT_EQ(env.exit_code, 0) << env.err;
}

TEST_F(ImportFixture, NameTakenOrUnsupportedDriverIsSkippedWithItsReason) {
    create_none("dm2");
    // A machine of a driver machine does not have, beside the fixture's.
    fs::create_directories(dm / "machines" / "cloud1");
    auto config =
        nlohmann::json::parse(support::read_file(dm / "machines" / "dm1" / "config.json"));
    config["Name"] = "cloud1";
    config["DriverName"] = "amazonec2";
    support::atomic_write(dm / "machines" / "cloud1" / "config.json", config.dump(4), 0644);
    const auto before = snapshot(dm);

    auto r = machine({"import", "--from-docker-machine", dm.string()});
    expect_error_line(r, 1, "imported 3 of 5 machines; not imported: cloud1, dm2");
    EXPECT_NE(r.out.find("Skipped cloud1: its driver \"amazonec2\" is not one machine has"),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("Skipped dm2: a machine of that name is already in machine's store"),
              std::string::npos)
        << r.out;
    EXPECT_FALSE(fs::exists(store() / "machines" / "cloud1")) << "a skipped machine leaves nothing";
    EXPECT_EQ(machine({"ls", "-q"}).out, "dm1\ndm2\ndm4\nweb-01\n");
    EXPECT_EQ(machine({"inspect", "-f", "{{.Driver.URL}}", "dm2"}).out, "tcp://127.0.0.1:2376\n");
    EXPECT_EQ(snapshot(dm), before);
}

TEST_F(ImportFixture, RefusalsNameTheProblem) {
    expect_one_error(machine({"import"}), 2, "--from-docker-machine");
    expect_one_error(machine({"import", "--from-docker-machine", (tmp() / "nowhere").string()}), 3,
                     "is not a docker-machine store");
    // Default: $HOME/.docker/machine.
    auto r = machine({"import", "--from-docker-machine"}, {{"HOME", (tmp() / "home").string()}});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(machine({"ls", "-q"}).out, "dm1\ndm2\ndm4\nweb-01\n");
}

} // namespace
} // namespace machine::testing

namespace machine::testing {
namespace {

// A docker-machine-kvm machine beside the fixture's: its SSH key and server pair are copied with
// their modes, its disk stays where it is, and what does not work here is said at import and kept.
TEST_F(ImportFixture, KvmMachineKeepsItsKeysModesAndSaysWhatDoesNotWork) {
    const fs::path src = dm / "machines" / "kvm1";
    fs::create_directories(src);
    auto config =
        nlohmann::json::parse(support::read_file(dm / "machines" / "dm1" / "config.json"));
    config["Name"] = "kvm1";
    config["DriverName"] = "kvm";
    config["Driver"] = {{"IPAddress", "192.168.42.17"},
                        {"MachineName", "kvm1"},
                        {"SSHUser", "docker"},
                        {"SSHPort", 22},
                        {"SSHKeyPath", "/home/student/.docker/machine/machines/kvm1/id_rsa"},
                        {"StorePath", "/home/student/.docker/machine"},
                        {"Memory", 2048},
                        {"DiskSize", 25000},
                        {"CPU", 2},
                        {"Network", "default"},
                        {"PrivateNetwork", "docker-machines"},
                        {"DiskPath", "/home/student/.docker/machine/machines/kvm1/kvm1.img"}};
    support::atomic_write(src / "config.json", config.dump(4), 0644);
    support::atomic_write(src / "id_rsa", "not a real key\n", 0600);
    support::atomic_write(src / "id_rsa.pub", "ssh-rsa AAAA test\n", 0644);
    support::atomic_write(src / "server.pem", "server cert\n", 0644);
    support::atomic_write(src / "server-key.pem", "server key\n", 0640);
    support::atomic_write(src / "kvm1.img", "disk", 0644);
    const auto before = snapshot(dm);

    auto r = machine({"import", "--from-docker-machine", dm.string()});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("Imported kvm1\n  does not work here: provision, regenerate-certs and "
                         "upgrade"),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("no DHCP reservation"), std::string::npos) << r.out;
    const fs::path dst = store() / "machines" / "kvm1";
    EXPECT_EQ(mode_of(dst / "id_rsa"), 0600u);
    EXPECT_EQ(mode_of(dst / "id_rsa.pub"), 0644u);
    EXPECT_EQ(mode_of(dst / "server.pem"), 0644u);
    EXPECT_EQ(mode_of(dst / "server-key.pem"), 0600u) << "a private key is never group-readable";
    EXPECT_EQ(support::read_file(dst / "id_rsa"), "not a real key\n");
    EXPECT_FALSE(fs::exists(dst / "kvm1.img")) << "the running VM's disk is not copied";

    auto info = machine({"inspect", "-f",
                         "{{.DriverName}} {{.Driver.Memory}} {{.Driver.CPU}} {{.Driver.DiskSize}} "
                         "{{.Driver.DiskPath}} {{.Driver.SSHKeyPath}} {{len .Imported.Limits}}",
                         "kvm1"});
    ASSERT_EQ(info.exit_code, 0) << info.err;
    EXPECT_EQ(info.out, "libvirt 2048 2 25000 " + (src / "kvm1.img").string() + " " +
                            (dst / "id_rsa").string() + " 2\n");
    EXPECT_EQ(snapshot(dm), before);
}

} // namespace
} // namespace machine::testing
