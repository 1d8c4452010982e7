// `machine ls` against local engines (issue 10, issue 13): each engine is asked once, on one
// connection; an engine that hangs costs at most --timeout; -q and a --format without engine
// fields ask no engine at all.
#include "cli_fixture.h"
#include "engine/tls.h"
#include "tests/fakes/fake_tls_engine.h"

#include <chrono>

namespace machine::testing {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

class LsEngines : public CliTest {
protected:
    // A server certificate for 127.0.0.1 signed by the store's CA (made by the first create).
    void issue_server_cert() {
        engine::CaFiles ca{store() / "certs" / "ca.pem", store() / "certs" / "ca-key.pem"};
        engine::issue_server_cert(ca, tmp() / "server.pem", tmp() / "server-key.pem", "test",
                                  {"127.0.0.1"});
    }
    std::unique_ptr<FakeTlsEngine> engine(std::string info = R"({"ServerVersion":"24.0.7"})",
                                          std::string node = "") {
        return std::make_unique<FakeTlsEngine>(tmp() / "server.pem", tmp() / "server-key.pem",
                                               store() / "certs" / "ca.pem", std::move(info),
                                               std::move(node));
    }
    // Runs `machine args` and measures its wall time.
    support::ProcessResult timed(std::vector<std::string> args, Clock::duration& took) {
        auto started = Clock::now();
        auto r = machine(std::move(args));
        took = Clock::now() - started;
        return r;
    }
    static std::string row_of(const std::string& out, const std::string& name) {
        for (const auto& line : split_lines(out))
            if (line.rfind(name + " ", 0) == 0)
                return line;
        return "";
    }
};

TEST_F(LsEngines, QuietOverFiftyHangingEnginesAnswersAtOnceAndTouchesNone) {
    HangingListener hang;
    const std::string url = "tcp://127.0.0.1:" + std::to_string(hang.port());
    for (int i = 0; i < 50; ++i)
        create_none("m" + std::to_string(i), url);
    Clock::duration took;

    auto quiet = timed({"ls", "-q"}, took);
    ASSERT_EQ(quiet.exit_code, 0) << quiet.err;
    EXPECT_EQ(split_lines(quiet.out).size(), 50u) << quiet.out;
    EXPECT_LT(took, 1s) << "ls -q waited on engines";

    auto filtered = timed({"ls", "-q", "--filter", "name=^m[0-4]$", "--filter", "state=running",
                           "--filter", "driver=none"},
                          took);
    ASSERT_EQ(filtered.exit_code, 0) << filtered.err;
    EXPECT_EQ(filtered.out, "m0\nm1\nm2\nm3\nm4\n");
    EXPECT_LT(took, 1s) << "a state filter asks the hypervisor, not the engine";

    auto format = timed({"ls", "--format", "{{.Name}} {{.DriverName}} {{.URL}}"}, took);
    ASSERT_EQ(format.exit_code, 0) << format.err;
    EXPECT_EQ(split_lines(format.out).size(), 50u);
    EXPECT_EQ(split_lines(format.out)[0], "m0 none " + url);
    EXPECT_LT(took, 1s) << "a format without engine fields waited on engines";
    EXPECT_EQ(hang.accepted(), 0u) << "no engine was even connected to";

    // What only the engine knows does ask it, and waits no longer than --timeout.
    auto swarm = timed({"ls", "-q", "--filter", "swarm=manager", "--timeout", "0.5"}, took);
    ASSERT_EQ(swarm.exit_code, 0) << swarm.err;
    EXPECT_EQ(swarm.out, "");
    EXPECT_GE(took, 500ms);
    EXPECT_LT(took, 1500ms);
    EXPECT_GT(hang.accepted(), 0u);
}

TEST_F(LsEngines, EachEngineIsAskedOnOneConnection) {
    create_none("refused", "tcp://127.0.0.1:" + std::to_string(refusing_port()));
    issue_server_cert();
    auto plain = engine();
    auto leader = engine(R"({"ServerVersion":"25.0.3","Swarm":{"LocalNodeState":"active",
                              "ControlAvailable":true,"NodeID":"n1"}})",
                         R"({"ID":"n1","ManagerStatus":{"Leader":true}})");
    auto worker = engine(R"({"ServerVersion":"25.0.3","Swarm":{"LocalNodeState":"active",
                              "ControlAvailable":false,"NodeID":"w1"}})");
    HangingListener hang;
    create_none("plain", plain->url());
    create_none("leader", leader->url());
    create_none("worker", worker->url());
    create_none("hung", "tcp://127.0.0.1:" + std::to_string(hang.port()));

    Clock::duration took;
    auto ls = timed({"ls", "--timeout", "1"}, took);
    ASSERT_EQ(ls.exit_code, 0) << ls.err;
    // The hanging engine never answers: without the deadline ls would wait for it until the test
    // ends. The slack is for the process start on a loaded 2-core host (1.62 s was seen with
    // 500 ms of slack at load 20); how fast ls is belongs to tests/bench.
    EXPECT_LT(took, 1s + 4s) << "the hanging engine held the list past --timeout";
    auto lines = split_lines(ls.out);
    ASSERT_EQ(lines.size(), 6u) << ls.out;
    EXPECT_NE(row_of(ls.out, "plain").find("Running"), std::string::npos) << ls.out;
    EXPECT_NE(row_of(ls.out, "plain").find("v24.0.7"), std::string::npos) << ls.out;
    EXPECT_NE(row_of(ls.out, "leader").find("leader"), std::string::npos) << ls.out;
    EXPECT_NE(row_of(ls.out, "leader").find("v25.0.3"), std::string::npos) << ls.out;
    EXPECT_NE(row_of(ls.out, "worker").find("worker"), std::string::npos) << ls.out;
    EXPECT_NE(row_of(ls.out, "refused").find("Unable to query docker version"), std::string::npos)
        << ls.out;
    EXPECT_NE(row_of(ls.out, "hung").find("Timeout"), std::string::npos) << ls.out;

    EXPECT_EQ(plain->connections(), 1);
    EXPECT_EQ(plain->requests(), 1) << "version and swarm state come from one GET /info";
    EXPECT_EQ(worker->requests(), 1);
    EXPECT_EQ(leader->connections(), 1) << "the leader question reuses the connection";
    EXPECT_EQ(leader->requests(), 2);
    EXPECT_EQ(hang.accepted(), 1u);

    // The swarm filter, and a format with an engine field.
    auto managers = machine({"ls", "-q", "--filter", "swarm=leader", "--timeout", "1"});
    EXPECT_EQ(managers.out, "leader\n");
    auto versions = machine(
        {"ls", "--filter", "name=^(plain|worker)$", "--format", "{{.Name}}={{.DockerVersion}}"});
    EXPECT_EQ(versions.out, "plain=v24.0.7\nworker=v25.0.3\n");
}

TEST_F(LsEngines, ABadNameExpressionIsOneLineAndExitTwo) {
    create_none("m1");
    expect_one_error(machine({"ls", "--filter", "name=web(?=1)"}), 2, "bad regular expression");
    expect_one_error(machine({"ls", "-q", "--filter", "name=("}), 2, "bad regular expression");
    auto go = machine({"ls", "-q", "--filter", "name=(?i)^M\\d$"});
    EXPECT_EQ(go.exit_code, 0) << go.err;
    EXPECT_EQ(go.out, "m1\n");
}

} // namespace
} // namespace machine::testing
