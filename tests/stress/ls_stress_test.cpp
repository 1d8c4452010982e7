// Stress of `machine ls` (issue 10): 1,000 runs, 8 at a time, over a store of 50 machines whose
// engines answer (local TLS engines signed by the store's CA), refuse, or hang. Every run must
// end by itself with a documented exit code (0 here) and no signal: `ls` once died with 134
// ("double free or corruption") or 139 in about 1 run of 30, when per-machine threads were
// still in OpenSSL's thread-exit cleanup as main returned.
// MACHINE_LS_STRESS_RUNS overrides the number of runs.
#include "cli_fixture.h"
#include "engine/tls.h"
#include "tests/fakes/fake_tls_engine.h"

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

namespace machine::testing {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int k_answering = 20, k_refusing = 15, k_hanging = 15, k_parallel = 8;

class LsStress : public CliTest {};

TEST_F(LsStress, ThousandRunsEightAtATimeEndNormally) {
    int runs = 1000;
    if (const char* n = std::getenv("MACHINE_LS_STRESS_RUNS"))
        runs = std::max(1, std::atoi(n));

    // The first machine makes the store's CA; the engines' certificates come from it.
    for (int i = 0; i < k_refusing; ++i)
        create_none("refuse" + std::to_string(i),
                    "tcp://127.0.0.1:" + std::to_string(refusing_port()));
    engine::CaFiles ca{store() / "certs" / "ca.pem", store() / "certs" / "ca-key.pem"};
    engine::issue_server_cert(ca, tmp() / "server.pem", tmp() / "server-key.pem", "test",
                              {"127.0.0.1"});
    std::vector<std::unique_ptr<FakeTlsEngine>> engines;
    for (int i = 0; i < k_answering; ++i) {
        // Every other engine a swarm manager: its leader question reuses the connection.
        std::string info = i % 2 ? R"({"ServerVersion":"24.0.7"})"
                                 : R"({"ServerVersion":"24.0.7","Swarm":{"LocalNodeState":
                                     "active","ControlAvailable":true,"NodeID":"n1"}})";
        engines.push_back(std::make_unique<FakeTlsEngine>(tmp() / "server.pem",
                                                          tmp() / "server-key.pem", ca.cert, info,
                                                          R"({"ManagerStatus":{"Leader":true}})"));
        create_none("answer" + std::to_string(i), engines.back()->url());
    }
    std::vector<std::unique_ptr<HangingListener>> hangs;
    for (int i = 0; i < k_hanging; ++i) {
        hangs.push_back(std::make_unique<HangingListener>());
        create_none("hang" + std::to_string(i),
                    "tcp://127.0.0.1:" + std::to_string(hangs.back()->port()));
    }

    // Variants: the table, every field as JSON, names of swarm leaders (asks engines).
    const std::vector<std::vector<std::string>> variants{
        {"ls", "--timeout", "0.5"},
        {"ls", "--timeout", "0.5", "--format", "{{json .}}"},
        {"ls", "--timeout", "0.5", "-q", "--filter", "swarm=leader"},
    };
    std::atomic<int> next{0};
    std::mutex mutex;
    std::map<std::string, int> abnormal; // "rc=134: <stderr>" -> count
    std::map<std::string, int> states;   // over the table runs
    int answered_runs = 0;
    auto started = Clock::now();
    std::vector<std::thread> workers;
    for (int w = 0; w < k_parallel; ++w) {
        workers.emplace_back([&] {
            support::SystemProcessRunner runner;
            for (int i = next++; i < runs; i = next++) {
                const auto& args = variants[i % variants.size()];
                // Through bash, so that a signal shows as 128+N, as a user's shell shows it.
                support::ProcessSpec spec;
                spec.program = "bash";
                spec.args = {"-c", "\"$0\" \"$@\"; echo \"rc=$?\"", MACHINE_BINARY};
                spec.args.insert(spec.args.end(), args.begin(), args.end());
                spec.env = env();
                spec.timeout = std::chrono::seconds(30);
                auto r = runner.run(spec);
                auto lines = split_lines(r.out);
                std::string rc = lines.empty() ? "no rc" : lines.back();
                std::lock_guard lock(mutex);
                if (r.timed_out || rc != "rc=0" || !r.err.empty()) {
                    ++abnormal[(r.timed_out ? "timed out" : rc) + ": " + r.err];
                    continue;
                }
                if (std::getenv("MACHINE_LS_STRESS_SHOW"))
                    std::cout << "run " << i << ":\n" << r.out;
                if (i % variants.size() == 0) {
                    EXPECT_EQ(lines.size(), 1u + 1u + 50u) << r.out; // header, rows, rc
                    for (size_t l = 1; l + 1 < lines.size(); ++l) {
                        std::istringstream row(lines[l]);
                        std::string name, active, driver, state;
                        row >> name >> active >> driver >> state;
                        ++states[name.substr(0, 4) + " " + state];
                    }
                } else if (i % variants.size() == 1) {
                    EXPECT_EQ(lines.size(), 50u + 1u);
                    answered_runs +=
                        r.out.find("\"DockerVersion\":\"v24.0.7\"") != std::string::npos;
                }
            }
        });
    }
    for (auto& t : workers)
        t.join();
    auto took = std::chrono::duration<double>(Clock::now() - started).count();

    std::string summary;
    for (const auto& [k, n] : states)
        summary += "  " + k + ": " + std::to_string(n) + "\n";
    std::cout << runs << " runs, " << k_parallel << " at a time, in " << took << " s\n"
              << "states seen in the table runs (name prefix, state: count):\n"
              << summary;
    for (const auto& [what, n] : abnormal)
        ADD_FAILURE() << n << " abnormal run(s): " << what;
    EXPECT_TRUE(abnormal.empty());
    // The hanging and refusing engines never show as answering; the answering ones did answer
    // in at least one run (under load some may time out: that is a documented row state).
    int table_runs = (runs + static_cast<int>(variants.size()) - 1) / variants.size();
    EXPECT_EQ(states["hang Timeout"], table_runs * k_hanging) << summary;
    for (const auto& [k, n] : states) {
        auto state = k.substr(5);
        EXPECT_TRUE(state == "Running" || state == "Timeout") << k << ": " << n;
    }
    EXPECT_GT(answered_runs, 0);
}

} // namespace
} // namespace machine::testing
