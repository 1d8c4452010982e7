// The none-driver flow of issue 2's "done when", through the built binary: create, env in real
// shells, ls/inspect/config/url/ip/status/active, rm; and the errors a user meets on the way.
#include "cli_fixture.h"

#include <nlohmann/json.hpp>

#include <fstream>

namespace machine::testing {
namespace {

class NoneFlow : public CliTest {};

TEST_F(NoneFlow, CreateEnvLsInspectRm) {
    auto created = machine({"create", "--driver", "none", "--url", "tcp://127.0.0.1:2376", "m1"});
    ASSERT_EQ(created.exit_code, 0) << created.out << created.err;
    EXPECT_NE(created.out.find("machine env m1"), std::string::npos) << created.out;
    const std::string cert_path = (store() / "machines" / "m1").string();
    for (const char* f : {"ca.pem", "cert.pem", "key.pem", "config.json"})
        EXPECT_TRUE(fs::exists(store() / "machines" / "m1" / f)) << f;
    EXPECT_TRUE(fs::exists(store() / "certs" / "ca.pem"));

    // bash: eval "$(machine env m1)" (shell detected from the parent process)
    auto bash = program("bash", {"--norc", "--noprofile", "-c",
                                 "eval \"$(machine env m1)\" || exit 9; printf '%s|%s|%s|%s' "
                                 "\"$DOCKER_TLS_VERIFY\" \"$DOCKER_HOST\" \"$DOCKER_CERT_PATH\" "
                                 "\"$DOCKER_MACHINE_NAME\""});
    ASSERT_EQ(bash.exit_code, 0) << bash.out << bash.err;
    EXPECT_EQ(bash.out, "1|tcp://127.0.0.1:2376|" + cert_path + "|m1");

    // fish: machine env m1 | source
    auto fish = program("fish", {"--no-config", "-c",
                                 "machine env m1 | source; printf '%s|%s|%s|%s' "
                                 "\"$DOCKER_TLS_VERIFY\" \"$DOCKER_HOST\" \"$DOCKER_CERT_PATH\" "
                                 "\"$DOCKER_MACHINE_NAME\""});
    ASSERT_EQ(fish.exit_code, 0) << fish.out << fish.err;
    EXPECT_EQ(fish.out, "1|tcp://127.0.0.1:2376|" + cert_path + "|m1");

    // powershell rendering, exact lines in docker-machine's order
    auto ps = machine({"env", "--shell", "powershell", "m1"});
    ASSERT_EQ(ps.exit_code, 0) << ps.err;
    auto ps_lines = split_lines(ps.out);
    ASSERT_GE(ps_lines.size(), 5u) << ps.out;
    EXPECT_EQ(ps_lines[0], "$Env:DOCKER_TLS_VERIFY = \"1\"");
    EXPECT_EQ(ps_lines[1], "$Env:DOCKER_HOST = \"tcp://127.0.0.1:2376\"");
    EXPECT_EQ(ps_lines[2], "$Env:DOCKER_CERT_PATH = \"" + cert_path + "\"");
    EXPECT_EQ(ps_lines[3], "$Env:DOCKER_MACHINE_NAME = \"m1\"");
    for (size_t i = 4; i < ps_lines.size(); ++i)
        EXPECT_EQ(ps_lines[i].rfind("#", 0), 0u) << "hint lines are comments: " << ps_lines[i];
    EXPECT_NE(ps.out.find("machine env --shell powershell m1 | Invoke-Expression"),
              std::string::npos)
        << ps.out;

    // ls: header + one row
    auto ls = machine({"ls"});
    ASSERT_EQ(ls.exit_code, 0) << ls.err;
    auto ls_lines = split_lines(ls.out);
    ASSERT_EQ(ls_lines.size(), 2u) << ls.out;
    EXPECT_EQ(ls_lines[0].rfind("NAME", 0), 0u);
    std::istringstream row(ls_lines[1]);
    std::string name, active, driver, state, url;
    row >> name >> active >> driver >> state >> url;
    EXPECT_EQ(name, "m1");
    EXPECT_EQ(active, "-");
    EXPECT_EQ(driver, "none");
    EXPECT_EQ(state, "Running");
    EXPECT_EQ(url, "tcp://127.0.0.1:2376");
    EXPECT_EQ(ls_lines[0].find("URL"), ls_lines[1].find("tcp://")) << ls.out;

    auto quiet = machine({"ls", "-q"});
    EXPECT_EQ(quiet.exit_code, 0);
    EXPECT_EQ(quiet.out, "m1\n");
    auto formatted = machine({"ls", "--format", "{{.Name}} {{.URL}}"});
    EXPECT_EQ(formatted.exit_code, 0) << formatted.err;
    EXPECT_EQ(formatted.out, "m1 tcp://127.0.0.1:2376\n");
    auto by_driver = machine({"ls", "-q", "--filter", "driver=none"});
    EXPECT_EQ(by_driver.out, "m1\n");
    auto other_driver = machine({"ls", "-q", "--filter", "driver=libvirt"});
    EXPECT_EQ(other_driver.exit_code, 0);
    EXPECT_EQ(other_driver.out, "");
    auto as_json = machine({"ls", "--format", "{{json .}}"});
    ASSERT_EQ(as_json.exit_code, 0) << as_json.err;
    auto row_json = nlohmann::json::parse(as_json.out);
    EXPECT_EQ(row_json["Name"], "m1");
    EXPECT_EQ(row_json["DriverName"], "none");
    EXPECT_EQ(row_json["State"], "Running");
    auto table = machine({"ls", "--format", "table {{.Name}}\\t{{.DriverName}}"});
    ASSERT_EQ(table.exit_code, 0) << table.err;
    auto table_lines = split_lines(table.out);
    ASSERT_EQ(table_lines.size(), 2u) << table.out;
    EXPECT_EQ(table_lines[0].rfind("NAME", 0), 0u) << table.out;
    EXPECT_NE(table_lines[0].find("DRIVER"), std::string::npos) << table.out;
    EXPECT_EQ(table_lines[1].rfind("m1", 0), 0u) << table.out;

    // inspect
    auto name_only = machine({"inspect", "-f", "{{.Name}}", "m1"});
    EXPECT_EQ(name_only.exit_code, 0) << name_only.err;
    EXPECT_EQ(name_only.out, "m1\n");
    auto ip_tmpl = machine({"inspect", "--format", "{{.Driver.IPAddress}}", "m1"});
    EXPECT_EQ(ip_tmpl.out, "127.0.0.1\n");
    auto inspect = machine({"inspect", "m1"});
    ASSERT_EQ(inspect.exit_code, 0) << inspect.err;
    auto j = nlohmann::json::parse(inspect.out);
    EXPECT_EQ(j["Name"], "m1");
    EXPECT_EQ(j["DriverName"], "none");
    EXPECT_EQ(j["Driver"]["IPAddress"], "127.0.0.1");
    EXPECT_EQ(j["Driver"]["MachineName"], "m1");
    EXPECT_TRUE(j["HostOptions"].contains("EngineOptions"));
    EXPECT_TRUE(j["HostOptions"].contains("SwarmOptions"));
    const auto& auth = j["HostOptions"]["AuthOptions"];
    EXPECT_EQ(auth["CaCertPath"], (store() / "certs" / "ca.pem").string());
    EXPECT_EQ(auth["ClientCertPath"], (store() / "certs" / "cert.pem").string());
    EXPECT_EQ(auth["StorePath"], cert_path);
    EXPECT_EQ(auth["CaCertRemotePath"], "/etc/docker/ca.pem");

    // config, url, ip, status
    auto config = machine({"config", "m1"});
    ASSERT_EQ(config.exit_code, 0) << config.err;
    EXPECT_EQ(config.out, "--tlsverify\n--tlscacert=\"" + cert_path + "/ca.pem\"\n--tlscert=\"" +
                              cert_path + "/cert.pem\"\n--tlskey=\"" + cert_path +
                              "/key.pem\"\n-H=tcp://127.0.0.1:2376\n");
    EXPECT_EQ(machine({"url", "m1"}).out, "tcp://127.0.0.1:2376\n");
    EXPECT_EQ(machine({"ip", "m1"}).out, "127.0.0.1\n");
    EXPECT_EQ(machine({"status", "m1"}).out, "Running\n");

    // active compares DOCKER_HOST
    auto act = machine({"active"}, {{"DOCKER_HOST", "tcp://127.0.0.1:2376"}});
    EXPECT_EQ(act.exit_code, 0) << act.err;
    EXPECT_EQ(act.out, "m1\n");
    auto ls_active = machine({"ls", "--format", "{{.Name}} {{.Active}}"},
                             {{"DOCKER_HOST", "tcp://127.0.0.1:2376"}});
    EXPECT_EQ(ls_active.out, "m1 *\n");
    auto none_active = machine({"active"}, {{"DOCKER_HOST", "tcp://127.0.0.1:9999"}});
    expect_one_error(none_active, 1, "No active host found");
    expect_one_error(machine({"active"}), 1, "No active host found");

    // a none machine has no VM: lifecycle commands say so
    expect_one_error(machine({"stop", "m1"}), 2, "none driver");

    // rm
    auto rm = machine({"rm", "-y", "m1"});
    EXPECT_EQ(rm.exit_code, 0) << rm.err;
    EXPECT_NE(rm.out.find("Successfully removed m1"), std::string::npos) << rm.out;
    EXPECT_FALSE(fs::exists(store() / "machines" / "m1"));
    auto after = machine({"ls", "-q"});
    EXPECT_EQ(after.exit_code, 0);
    EXPECT_EQ(after.out, "");
    EXPECT_TRUE(fs::exists(store() / "certs" / "ca.pem")) << "the CA outlives its machines";
}

TEST_F(NoneFlow, ExitCodesAndOneErrorLine) {
    create_none("m1");
    auto dup = machine({"create", "--driver", "none", "--url", "tcp://127.0.0.1:2376", "m1"});
    expect_one_error(dup, 2, "machine \"m1\" already exists");
    EXPECT_EQ(dup.out, "") << "nothing printed before the refusal";

    expect_one_error(
        machine({"create", "--driver", "none", "--url", "tcp://127.0.0.1:2376", "bad_name"}), 2,
        "invalid machine name \"bad_name\"");
    expect_one_error(
        machine({"create", "--driver", "none", "--url", "tcp://127.0.0.1:2376", "-lead"}), 2, "");
    expect_one_error(machine({"create", "--driver", "hyperv", "m2"}), 2, "hyperv");
    expect_one_error(machine({"create", "--driver", "none", "--url", "http://x:1", "m2"}), 2,
                     "--url");
    expect_one_error(machine({"create", "--driver", "none", "m2"}), 2, "--url");
    EXPECT_FALSE(fs::exists(store() / "machines" / "m2")) << "a refused create leaves nothing";
    EXPECT_FALSE(fs::exists(store() / "machines" / "bad_name"));

    for (const char* cmd : {"env", "inspect", "config", "url", "ip", "status"})
        expect_one_error(machine({cmd, "ghost"}), 3, "machine \"ghost\" does not exist");
    expect_one_error(machine({"rm", "-y", "ghost"}), 3, "machine \"ghost\" does not exist");

    expect_one_error(machine({"env", "-u", "m1"}), 2, "env -u takes no machine name");
    auto unset = machine({"env", "--shell", "bash", "-u"});
    EXPECT_EQ(unset.exit_code, 0) << unset.err;
    EXPECT_EQ(unset.out.rfind("unset DOCKER_TLS_VERIFY\nunset DOCKER_HOST\n", 0), 0u) << unset.out;
    expect_one_error(machine({"env", "--shell", "klingon", "m1"}), 2, "klingon");
    expect_one_error(machine({"ls", "--filter", "colour=red"}), 2, "colour");
    expect_one_error(machine({"ls", "--filter", "name=[x"}), 2, "regular expression");
    expect_error_line(machine({"no-such-command"}), 2, ""); // + "Run 'machine --help'" hint
    expect_one_error(machine({"ls", "--no-such-flag"}), 2, "no-such-flag");
}

TEST_F(NoneFlow, BrokenMachineShowsInItsRowAndLsSucceeds) {
    create_none("good");
    fs::create_directories(store() / "machines" / "half"); // an interrupted create
    create_none("corrupt");
    { std::ofstream(store() / "machines" / "corrupt" / "config.json") << "{ not json"; }
    auto ls = machine({"ls", "--format", "{{.Name}}|{{.State}}|{{.Error}}"});
    ASSERT_EQ(ls.exit_code, 0) << ls.err;
    auto lines = split_lines(ls.out);
    ASSERT_EQ(lines.size(), 3u) << ls.out;
    EXPECT_EQ(lines[0].rfind("corrupt|Error|", 0), 0u) << lines[0];
    EXPECT_NE(lines[0].find("not valid JSON"), std::string::npos) << lines[0];
    EXPECT_EQ(lines[1].rfind("good|Running|", 0), 0u) << lines[1];
    EXPECT_EQ(lines[2].rfind("half|Error|", 0), 0u) << lines[2];
    EXPECT_NE(lines[2].find("machine rm half"), std::string::npos) << lines[2];

    expect_one_error(machine({"env", "half"}), 1, "machine rm half");
    auto rm = machine({"rm", "-y", "half"});
    EXPECT_EQ(rm.exit_code, 0) << rm.out << rm.err;
    EXPECT_FALSE(fs::exists(store() / "machines" / "half"));
}

TEST_F(NoneFlow, EveryCommandHasHelp) {
    const std::vector<std::string> commands = {
        "create",           "rm",        "ls",     "inspect", "env",     "config", "ip",  "url",
        "status",           "active",    "start",  "stop",    "restart", "kill",   "ssh", "scp",
        "regenerate-certs", "provision", "version"};
    for (const auto& cmd : commands) {
        auto r = machine({cmd, "--help"});
        EXPECT_EQ(r.exit_code, 0) << cmd << ": " << r.err;
        EXPECT_NE(r.out.find("Usage: machine " + cmd), std::string::npos)
            << cmd << " --help has no usage line:\n"
            << r.out;
        EXPECT_GT(split_lines(r.out).size(), 3u) << cmd << " --help says little:\n" << r.out;
        EXPECT_EQ(r.err, "") << cmd;
    }
    auto top = machine({"--help"});
    EXPECT_EQ(top.exit_code, 0);
    for (const auto& cmd : commands)
        EXPECT_NE(top.out.find("  " + cmd), std::string::npos) << "top help omits " << cmd;
    EXPECT_NE(top.out.find("Exit codes"), std::string::npos);
    auto version = machine({"--version"});
    EXPECT_EQ(version.exit_code, 0);
    EXPECT_EQ(version.out.rfind("machine version ", 0), 0u) << version.out;
}

} // namespace
} // namespace machine::testing
