// docker-machine's own suites, adapted: the behaviour each upstream case asserts (its/cli/*.go and
// test/integration/core/*.bats, run there with the `none` driver), asserted here against the
// built binary. Where machine differs on purpose (exit codes 2-5, the "machine: error:" prefix,
// --url must be tcp://HOST:PORT, swarm mode instead of classic Swarm), the case asserts machine's
// behaviour and README "Coming from docker-machine" lists the difference with its reason.
#include "compat_fixture.h"
#include "tests/fakes/fake_tls_engine.h"

#include "engine/tls.h"

#include "../provision/sshd_fixture.h" // free_port

#include <nlohmann/json.hpp>

namespace machine::testing {
namespace {

class Upstream : public CompatTest {
protected:
    // A URL where nothing listens: connections are refused at once (upstream used `--url none`).
    std::string closed_url() const { return "tcp://127.0.0.1:" + std::to_string(m_port); }
    void create(const std::string& name, std::vector<std::string> more = {}) {
        std::vector<std::string> args = {"create", "-d", "none", "--url", closed_url()};
        args.insert(args.end(), more.begin(), more.end());
        args.push_back(name);
        auto r = machine(args);
        ASSERT_EQ(r.exit_code, 0) << name << ": " << r.out << r.err;
    }
    int m_port = provision::testing::free_port();
};

// its/cli/create_rm_test.go
TEST_F(Upstream, CreateRm) {
    // "non-existent driver fails"
    expect_one_error(machine({"create", "-d", "bogus", "bogus"}), 2, "unknown driver \"bogus\"");
    // "create with no name fails"
    auto no_name = machine({"create", "-d", "none", "--url", closed_url()});
    EXPECT_EQ(no_name.exit_code, 2) << no_name.err;
    EXPECT_NE(no_name.err.find("machine: error: "), std::string::npos) << no_name.err;
    // "create with invalid name fails": ∞ - . ..
    for (const char* bad : {"∞", "-", ".", ".."}) {
        auto r = machine({"create", "-d", "none", "--url", closed_url(), bad});
        EXPECT_EQ(r.exit_code, 2) << bad << ": " << r.err;
        EXPECT_FALSE(fs::exists(store() / "machines" / bad) && std::string(bad) != "." &&
                     std::string(bad) != "..")
            << bad;
    }
    // "create with weird but valid name succeeds": a, 0
    create("a");
    // "fail with extra argument"
    auto extra = machine({"create", "-d", "none", "--url", closed_url(), "a2", "extra"});
    EXPECT_EQ(extra.exit_code, 2) << extra.err;
    EXPECT_EQ(split_lines(extra.err).size(), 1u) << extra.err;
    EXPECT_FALSE(fs::exists(store() / "machines" / "a2"));
    create("0");
    // "rm with no name fails"
    auto rm_none = machine({"rm", "-y"});
    EXPECT_EQ(rm_none.exit_code, 2) << rm_none.err;
    // "rm non existent machine fails"
    auto rm_ghost = machine({"rm", "ghost", "-y"});
    expect_one_error(rm_ghost, 3, "machine \"ghost\" does not exist");
    auto rm_bad = machine({"rm", "∞", "-y"});
    EXPECT_NE(rm_bad.exit_code, 0);
    EXPECT_EQ(split_lines(rm_bad.err).size(), 1u) << rm_bad.err;
    // "rm existing machine"
    auto rm0 = machine({"rm", "0", "-y"});
    EXPECT_EQ(rm0.exit_code, 0) << rm0.err;
    EXPECT_FALSE(fs::exists(store() / "machines" / "0"));
    // "rm ask user confirmation when -y is not provided": echo y | machine rm ba
    create("ba");
    auto yes = machine_with_stdin({"rm", "ba"}, "y\n");
    EXPECT_EQ(yes.exit_code, 0) << yes.err;
    EXPECT_NE(yes.out.find("Are you sure? (y/n)"), std::string::npos) << yes.out;
    EXPECT_NE(yes.out.find("Successfully removed ba"), std::string::npos) << yes.out;
    EXPECT_FALSE(fs::exists(store() / "machines" / "ba"));
    // "rm deny user confirmation when -y is not provided": echo n | machine rm ab
    create("ab");
    auto no = machine_with_stdin({"rm", "ab"}, "n\n");
    EXPECT_EQ(no.exit_code, 0) << no.err;
    EXPECT_NE(no.out.find("Nothing removed"), std::string::npos) << no.out;
    EXPECT_TRUE(fs::exists(store() / "machines" / "ab" / "config.json"));
    // (machine's own) end of input answers no; "yes" and "Y" answer yes
    auto eof = machine_with_stdin({"rm", "ab"}, "");
    EXPECT_EQ(eof.exit_code, 0) << eof.err;
    EXPECT_TRUE(fs::exists(store() / "machines" / "ab"));
    auto upper = machine_with_stdin({"rm", "ab"}, "YES\n");
    EXPECT_EQ(upper.exit_code, 0) << upper.err;
    EXPECT_FALSE(fs::exists(store() / "machines" / "ab"));
    // "rm never prompt user confirmation when -f is provided"
    create("c");
    auto force = machine({"rm", "-f", "c"});
    EXPECT_EQ(force.exit_code, 0) << force.err;
    EXPECT_NE(force.out.find("Successfully removed c"), std::string::npos) << force.out;
    EXPECT_EQ(force.out.find("Are you sure"), std::string::npos) << force.out;
    EXPECT_FALSE(fs::exists(store() / "machines" / "c"));
}

// its/cli/help_test.go
TEST_F(Upstream, Help) {
    // "cli: show info": bare `machine` prints the help and succeeds
    auto bare = machine({});
    EXPECT_EQ(bare.exit_code, 0) << bare.err;
    EXPECT_NE(bare.out.find("Usage:"), std::string::npos) << bare.out;
    EXPECT_NE(bare.out.find("create Docker hosts"), std::string::npos) << bare.out;
    for (const char* cmd :
         {"active",           "config",  "create",  "env",   "inspect", "ip",    "kill",   "ls",
          "regenerate-certs", "restart", "rm",      "scp",   "ssh",     "start", "status", "stop",
          "upgrade",          "url",     "version", "import"}) {
        auto r = machine({cmd, "-h"});
        EXPECT_EQ(r.exit_code, 0) << cmd << ": " << r.err;
        EXPECT_NE(r.out.find(std::string("machine ") + cmd), std::string::npos) << cmd << ":\n"
                                                                                << r.out;
    }
    auto v = machine({"-v"});
    EXPECT_EQ(v.exit_code, 0);
    EXPECT_NE(v.out.find("version"), std::string::npos);
    auto help = machine({"--help"});
    EXPECT_EQ(help.exit_code, 0);
    EXPECT_NE(help.out.find("Usage:"), std::string::npos);
}

// its/cli/inspect_test.go, status_test.go, url_test.go: no name and no "default" machine fails;
// with a machine named "default" the name may be left out (docker-machine's rule).
TEST_F(Upstream, NoNameMeansDefault) {
    for (const char* cmd : {"inspect", "status", "url", "ip", "config"})
        expect_one_error(machine({cmd}), 2, "no machine name given and no \"default\" machine");
    create("default");
    EXPECT_EQ(machine({"url"}).out, closed_url() + "\n");
    EXPECT_EQ(machine({"status"}).out, "Running\n");
    EXPECT_EQ(machine({"inspect", "-f", "{{.Name}}"}).out, "default\n");
}

// its/cli/ls_test.go (classic Swarm cases: see SwarmIsSwarmMode)
TEST_F(Upstream, LsFilters) {
    create("testmachine5", {"--engine-label", "app=1"});
    create("testmachine4", {"--engine-label", "foo=bar", "--engine-label", "app=1"});
    create("testmachine3");
    create("testmachine2");
    create("testmachine");
    auto names = [&](std::vector<std::string> args) {
        args.insert(args.begin(), "ls");
        auto r = machine(args);
        EXPECT_EQ(r.exit_code, 0) << r.err;
        return split_lines(r.out);
    };
    using V = std::vector<std::string>;
    auto table_names = [&](std::vector<std::string> args) {
        auto lines = names(std::move(args));
        V out;
        for (size_t i = 0; i < lines.size(); ++i) {
            if (i == 0) {
                EXPECT_EQ(lines[0].rfind("NAME", 0), 0u) << lines[0];
                continue;
            }
            out.push_back(lines[i].substr(0, lines[i].find(' ')));
        }
        return out;
    };
    EXPECT_EQ(table_names({"--filter", "label=foo=bar"}), V{"testmachine4"});
    EXPECT_EQ(table_names({"--filter", "label=foo=bar", "--filter", "label=app=1"}),
              (V{"testmachine4", "testmachine5"}));
    EXPECT_EQ(table_names({"--filter", "label=invalid=filter"}), V{});
    const V all = {"testmachine", "testmachine2", "testmachine3", "testmachine4", "testmachine5"};
    EXPECT_EQ(table_names({"--filter", "driver=none"}), all);
    EXPECT_EQ(names({"-q", "--filter", "driver=none"}), all);
    EXPECT_EQ(table_names({"--filter", "state=Running"}), all);
    EXPECT_EQ(names({"-q", "--filter", "state=Running"}), all);
    for (const char* s : {"None", "Paused", "Saved", "Stopped", "Stopping", "Starting", "Error"})
        EXPECT_EQ(table_names({"--filter", std::string("state=") + s}), V{}) << s;
    EXPECT_EQ(table_names({"--filter", "name=testmachine2"}), V{"testmachine2"});
    EXPECT_EQ(names({"-q", "--filter", "name=testmachine3"}), V{"testmachine3"});
    EXPECT_EQ(table_names({"--filter", "name=^t.*e[3-5]"}),
              (V{"testmachine3", "testmachine4", "testmachine5"}));
    EXPECT_EQ(names({"-q", "--filter", "name=^t.*e[45]"}), (V{"testmachine4", "testmachine5"}));
    EXPECT_EQ(names({"--format", "{{.DriverName}}"}), V(5, "none"));
    auto table = names({"--format", "table {{.Name}}: {{.DriverName}}"});
    ASSERT_EQ(table.size(), 6u);
    EXPECT_EQ(table[0].rfind("NAME", 0), 0u) << table[0];
    EXPECT_EQ(table[1], "testmachine: none");
    EXPECT_EQ(table[5], "testmachine5: none");
}

// ls_test.go "setup swarm" creates classic-Swarm machines (--swarm --swarm-master
// --swarm-discovery token://...). machine has swarm mode instead (deliberate difference).
TEST_F(Upstream, SwarmIsSwarmMode) {
    auto r = machine({"create", "-d", "none", "--url", closed_url(), "--swarm", "--swarm-master",
                      "--swarm-discovery", "token://deadbeef", "testswarm"});
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_FALSE(fs::exists(store() / "machines" / "testswarm"));
}

// test/integration/core/core-commands.bats, with the none driver
TEST_F(Upstream, CoreCommands) {
    // "machine should not exist": docker-machine exits 1 with `Host "NAME" does not exist`
    expect_one_error(machine({"inspect", "core"}), 3, "machine \"core\" does not exist");
    create("core");                                 // "create"
    EXPECT_EQ(machine({"ls", "-q"}).out, "core\n"); // "appears with ls"
    EXPECT_EQ(machine({"ls", "-q", "--filter", "state=Running"}).out, "core\n"); // "started"
    // "create with same name again fails": docker-machine `Host already exists: "NAME"`, exit 1
    expect_one_error(machine({"create", "-d", "none", "--url", closed_url(), "core"}), 2,
                     "machine \"core\" already exists");
    // "run busybox container" uses `docker $(machine config NAME)`: the flags a docker client takes
    auto config = machine({"config", "core"});
    EXPECT_EQ(config.exit_code, 0) << config.err;
    EXPECT_NE(config.out.find("-H=" + closed_url()), std::string::npos) << config.out;
    EXPECT_EQ(machine({"url", "core"}).exit_code, 0);      // "url"
    EXPECT_EQ(machine({"ip", "core"}).out, "127.0.0.1\n"); // "ip"
    // "ssh", "stop", "kill", "restart", "upgrade": a none machine has no VM; docker-machine
    // refuses those for it too. machine says so in one line, exit 2.
    for (const char* cmd : {"ssh", "stop", "kill", "restart", "upgrade"})
        expect_one_error(machine({cmd, "core"}), 2, "none driver");
    // "start": the engine is running, so start succeeds and says so (docker-machine's too)
    auto start = machine({"start", "core"});
    EXPECT_EQ(start.exit_code, 0) << start.err;
    EXPECT_NE((start.out + start.err).find("already running"), std::string::npos) << start.out;
    EXPECT_EQ(machine({"status", "core"}).out, "Running\n"); // "status"
}

// test/integration/core/inspect_format.bats
TEST_F(Upstream, InspectFormat) {
    create("fmt");
    EXPECT_EQ(machine({"inspect", "-f", "{{.DriverName}}", "fmt"}).out, "none\n");
    EXPECT_EQ(machine({"inspect", "-f", "{{json .DriverName}}", "fmt"}).out, "\"none\"\n");
    auto pretty = machine({"inspect", "-f", "{{prettyjson .Driver}}", "fmt"});
    EXPECT_EQ(pretty.exit_code, 0) << pretty.err;
    EXPECT_GT(split_lines(pretty.out).size(), 1u) << pretty.out;
    // docker-machine's top-level shape, and the fields templates use where the concept exists
    auto j = nlohmann::json::parse(machine({"inspect", "fmt"}).out);
    for (const char* k : {"ConfigVersion", "Driver", "DriverName", "HostOptions", "Name"})
        EXPECT_TRUE(j.contains(k)) << k;
    for (const char* k : {"EngineOptions", "SwarmOptions", "AuthOptions"})
        EXPECT_TRUE(j["HostOptions"].contains(k)) << k;
    EXPECT_EQ(j["HostOptions"]["EngineOptions"]["InstallURL"], "");
    EXPECT_EQ(j["HostOptions"]["EngineOptions"]["TlsVerify"], true);
}

// test/integration/core/env_shell.bats
TEST_F(Upstream, EnvShell) {
    create("envm");
    const std::string url = closed_url();
    const std::string certs = (store() / "machines" / "envm").string();
    auto lines = [&](std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
        args.insert(args.begin(), "env");
        auto r = machine(args, env);
        EXPECT_EQ(r.exit_code, 0) << r.err;
        return split_lines(r.out);
    };
    auto bash = lines({"--shell", "bash", "envm"});
    ASSERT_GE(bash.size(), 4u);
    EXPECT_EQ(bash[0], "export DOCKER_TLS_VERIFY=\"1\"");
    EXPECT_EQ(bash[1], "export DOCKER_HOST=\"" + url + "\"");
    EXPECT_EQ(bash[2], "export DOCKER_CERT_PATH=\"" + certs + "\"");
    EXPECT_EQ(bash[3], "export DOCKER_MACHINE_NAME=\"envm\"");
    auto ps = lines({"--shell", "powershell", "--no-proxy", "envm"});
    ASSERT_GE(ps.size(), 5u);
    EXPECT_EQ(ps[0], "$Env:DOCKER_TLS_VERIFY = \"1\"");
    EXPECT_EQ(ps[4], "$Env:NO_PROXY = \"127.0.0.1\"");
    auto proxy = lines({"--shell", "bash", "--no-proxy", "envm"});
    ASSERT_GE(proxy.size(), 5u);
    EXPECT_EQ(proxy[4], "export NO_PROXY=\"127.0.0.1\"");
    auto cmd = lines({"--shell", "cmd", "--no-proxy", "envm"});
    ASSERT_GE(cmd.size(), 5u);
    EXPECT_EQ(cmd[0], "SET DOCKER_TLS_VERIFY=1");
    EXPECT_EQ(cmd[1], "SET DOCKER_HOST=" + url);
    EXPECT_EQ(cmd[2], "SET DOCKER_CERT_PATH=" + certs);
    EXPECT_EQ(cmd[3], "SET DOCKER_MACHINE_NAME=envm");
    EXPECT_EQ(cmd[4], "SET NO_PROXY=127.0.0.1");
    auto fish = lines({"--shell", "fish", "--no-proxy", "envm"});
    ASSERT_GE(fish.size(), 5u);
    EXPECT_EQ(fish[0], "set -gx DOCKER_TLS_VERIFY \"1\";");
    EXPECT_EQ(fish[1], "set -gx DOCKER_HOST \"" + url + "\";");
    EXPECT_EQ(fish[4], "set -gx NO_PROXY \"127.0.0.1\";");
    auto merged = lines({"--shell", "bash", "--no-proxy", "envm"}, {{"NO_PROXY", "localhost"}});
    ASSERT_GE(merged.size(), 5u);
    EXPECT_EQ(merged[4], "export NO_PROXY=\"localhost,127.0.0.1\"");
    // "test unset with an args should fail": docker-machine exit 1, machine exit 2 (bad input)
    expect_one_error(machine({"env", "-u", "envm"}), 2, "env -u takes no machine name");
    auto unset = lines({"--shell", "bash", "-u"});
    ASSERT_GE(unset.size(), 4u);
    EXPECT_EQ(unset[0], "unset DOCKER_TLS_VERIFY");
    EXPECT_EQ(unset[3], "unset DOCKER_MACHINE_NAME");
    auto unset_proxy = lines({"--shell", "bash", "--no-proxy", "-u"});
    ASSERT_GE(unset_proxy.size(), 5u);
    EXPECT_EQ(unset_proxy[4], "unset NO_PROXY");
    auto unset_ps = lines({"--shell", "powershell", "-u"});
    ASSERT_GE(unset_ps.size(), 4u);
    EXPECT_EQ(unset_ps[0], "Remove-Item Env:\\\\DOCKER_TLS_VERIFY");
    auto unset_fish = lines({"--shell", "fish", "-u"});
    ASSERT_GE(unset_fish.size(), 4u);
    EXPECT_EQ(unset_fish[0], "set -e DOCKER_TLS_VERIFY;");
    auto unset_cmd = lines({"--shell", "cmd", "-u"});
    ASSERT_GE(unset_cmd.size(), 4u);
    EXPECT_EQ(unset_cmd[0], "SET DOCKER_TLS_VERIFY=");
}

// `machine version NAME` (docker-machine's `version NAME`): the engine's version over TLS.
TEST_F(Upstream, VersionOfAMachine) {
    auto plain = machine({"version"});
    EXPECT_EQ(plain.exit_code, 0);
    EXPECT_EQ(plain.out.rfind("machine version ", 0), 0u) << plain.out;
    create("closed");
    expect_one_error(machine({"version", "closed"}), 1, "cannot get the engine version of");
    expect_one_error(machine({"version", "ghost"}), 3, "machine \"ghost\" does not exist");

    // A machine whose engine listens: the store's CA signs the test engine's certificate.
    const int port = provision::testing::free_port();
    auto r = machine(
        {"create", "-d", "none", "--url", "tcp://127.0.0.1:" + std::to_string(port), "live"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const fs::path dir = tmp() / "engine";
    fs::create_directories(dir);
    engine::issue_server_cert({store() / "certs" / "ca.pem", store() / "certs" / "ca-key.pem"},
                              dir / "server.pem", dir / "server-key.pem", "test", {"127.0.0.1"});
    FakeTlsEngine engine(dir / "server.pem", dir / "server-key.pem", store() / "certs" / "ca.pem",
                         port, "24.0.7");
    auto v = machine({"version", "live"});
    EXPECT_EQ(v.exit_code, 0) << v.err;
    EXPECT_EQ(v.out, "24.0.7\n");
    EXPECT_GE(engine.requests(), 1);
}

} // namespace
} // namespace machine::testing
