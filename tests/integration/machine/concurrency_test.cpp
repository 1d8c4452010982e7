// Parallel `machine` processes on one store (issue 2, done-when): 50 creates of distinct names
// and 50 removals, with listings running in between, leave a store that loads cleanly with
// nothing half-written; parallel creates of one name let exactly one win.
#include "cli_fixture.h"

#include "engine/tls.h"
#include "machine/support/fs.h"

#include <nlohmann/json.hpp>

#include <atomic>
#include <mutex>
#include <thread>

namespace machine::testing {
namespace {

class Concurrency : public CliTest {
protected:
    // Runs `args_for(i)` for i in [0, n) as n concurrent processes; returns their results.
    std::vector<support::ProcessResult>
    run_parallel(int n, const std::function<std::vector<std::string>(int)>& args_for) {
        std::vector<support::ProcessResult> results(n);
        std::vector<std::thread> threads;
        for (int i = 0; i < n; ++i)
            threads.emplace_back([&, i] { results[i] = machine(args_for(i)); });
        for (auto& t : threads)
            t.join();
        return results;
    }

    // `ls` in a loop on `k` threads until `stop`; every run must exit 0.
    struct Listers {
        std::atomic<bool> stop{false};
        std::atomic<int> runs{0};
        std::mutex mutex;
        std::vector<std::string> failures;
        std::vector<std::thread> threads;
    };
    void start_listers(Listers& l, int k) {
        for (int t = 0; t < k; ++t)
            l.threads.emplace_back([this, &l] {
                while (!l.stop) {
                    auto r = machine({"ls", "--timeout", "30"});
                    ++l.runs;
                    if (r.exit_code != 0) {
                        std::lock_guard lock(l.mutex);
                        l.failures.push_back(r.err);
                    }
                }
            });
    }
    static void stop_listers(Listers& l) {
        l.stop = true;
        for (auto& t : l.threads)
            t.join();
    }

    std::vector<fs::path> temp_files() const {
        std::vector<fs::path> out;
        std::error_code ec;
        for (auto it = fs::recursive_directory_iterator(store(), ec);
             !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
            if (it->path().filename().string().find(".tmp.") != std::string::npos)
                out.push_back(it->path());
        return out;
    }

    // Every config.json parses, records its folder's name and has no error; the client
    // certificate in each machine folder is a matching pair from the store's CA.
    void expect_store_loads_cleanly() {
        std::error_code ec;
        for (const auto& entry : fs::directory_iterator(store() / "machines", ec)) {
            const std::string name = entry.path().filename().string();
            auto text = support::try_read_file(entry.path() / "config.json");
            ASSERT_TRUE(text.has_value()) << name << " has no config.json";
            nlohmann::json j;
            ASSERT_NO_THROW(j = nlohmann::json::parse(*text)) << name << ":\n" << *text;
            EXPECT_EQ(j["Name"], name);
            EXPECT_EQ(j["Error"], "") << name;
            fs::path dir = entry.path();
            EXPECT_TRUE(engine::key_matches_cert(dir / "key.pem", dir / "cert.pem"))
                << name << ": key.pem does not belong to cert.pem";
            auto check = engine::check_client_cert(store() / "certs" / "ca.pem", dir / "cert.pem");
            EXPECT_TRUE(check.ok) << name << ": " << check.problem;
        }
    }
};

TEST_F(Concurrency, FiftyCreatesAndFiftyRemovalsWithListingsInBetween) {
    constexpr int n = 50;
    auto name = [](int i) { return "m" + std::to_string(i); };

    Listers during_create;
    start_listers(during_create, 2);
    auto created = run_parallel(n, [&](int i) -> std::vector<std::string> {
        return {"create", "--driver", "none", "--url", "tcp://127.0.0.1:2376", name(i)};
    });
    stop_listers(during_create);
    for (int i = 0; i < n; ++i)
        EXPECT_EQ(created[i].exit_code, 0) << name(i) << ":\n" << created[i].err;
    EXPECT_TRUE(during_create.failures.empty())
        << during_create.failures.size() << " ls failed, first: " << during_create.failures[0];

    auto ls = machine({"ls", "-q"});
    ASSERT_EQ(ls.exit_code, 0) << ls.err;
    EXPECT_EQ(split_lines(ls.out).size(), static_cast<size_t>(n)) << ls.out;
    EXPECT_TRUE(temp_files().empty()) << temp_files().front();
    expect_store_loads_cleanly();
    auto listed = machine({"ls", "--format", "{{.Name}} {{.State}} {{.Error}}"});
    for (const auto& line : split_lines(listed.out))
        EXPECT_NE(line.find(" Running "), std::string::npos) << line;

    Listers during_rm;
    start_listers(during_rm, 3);
    auto removed = run_parallel(n, [&](int i) -> std::vector<std::string> {
        return {"rm", "-y", name(i)};
    });
    stop_listers(during_rm);
    for (int i = 0; i < n; ++i)
        EXPECT_EQ(removed[i].exit_code, 0) << name(i) << ":\n" << removed[i].err;
    EXPECT_TRUE(during_rm.failures.empty())
        << during_rm.failures.size() << " ls failed, first: " << during_rm.failures[0];
    EXPECT_GT(during_rm.runs.load(), 0);

    EXPECT_TRUE(temp_files().empty()) << temp_files().front();
    std::error_code ec;
    EXPECT_TRUE(fs::is_empty(store() / "machines", ec)) << "machines left behind";
    auto after = machine({"ls", "-q"});
    EXPECT_EQ(after.exit_code, 0) << after.err;
    EXPECT_EQ(after.out, "");
    EXPECT_TRUE(fs::exists(store() / "certs" / "ca.pem"));
    EXPECT_TRUE(
        engine::key_matches_cert(store() / "certs" / "key.pem", store() / "certs" / "cert.pem"));
}

TEST_F(Concurrency, TenCreatesOfOneNameExactlyOneWins) {
    constexpr int n = 10;
    auto results = run_parallel(n, [](int) -> std::vector<std::string> {
        return {"create", "--driver", "none", "--url", "tcp://127.0.0.1:2376", "same"};
    });
    int won = 0;
    for (const auto& r : results) {
        if (r.exit_code == 0) {
            ++won;
            continue;
        }
        // The process that made the store's CA may say so before it loses the race.
        expect_error_line(r, 2, "machine \"same\" already exists");
    }
    EXPECT_EQ(won, 1);
    EXPECT_TRUE(temp_files().empty());
    expect_store_loads_cleanly();
    auto ls = machine({"ls", "--format", "{{.Name}} {{.State}}"});
    EXPECT_EQ(ls.out, "same Running\n") << ls.err;
    auto env = machine({"env", "--shell", "bash", "same"});
    EXPECT_EQ(env.exit_code, 0) << env.err;
}

} // namespace
} // namespace machine::testing
