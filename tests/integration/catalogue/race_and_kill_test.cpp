// The bad-input catalogue, concurrency part: parallel creates of one name, create racing rm,
// waits for a held machine lock, and a SIGKILL at every file-changing system call of a first
// `none` create (strace's fault injection picks the call), after which the store must still take
// a create and an rm and keep no temp files.
#include "catalogue.h"

#include "machine/store.h"

#include <set>
#include <thread>

namespace machine::testing {
namespace {

const std::string k_url = "tcp://127.0.0.1:2376";

std::vector<std::string> create_args(const std::string& name) {
    return {"create", "--driver", "none", "--url", k_url, name};
}

// Exit code and stderr of a command that may fail: a documented code, never a signal, and if it
// failed, exactly one line, "machine: error: ...".
void expect_clean(const support::ProcessResult& r, const std::set<int>& allowed,
                  const std::string& what) {
    EXPECT_FALSE(r.timed_out) << what;
    EXPECT_TRUE(allowed.count(r.exit_code)) << what << ": exit " << r.exit_code << "\n" << r.err;
    if (r.exit_code != 0) {
        auto lines = split_lines(r.err);
        ASSERT_EQ(lines.size(), 1u) << what << ":\n" << r.err;
        EXPECT_EQ(lines[0].rfind("machine: error: ", 0), 0u) << lines[0];
    }
}

TEST_F(Catalogue, ParallelCreatesOfOneNameLetExactlyOneWin) {
    create_none("m1"); // the CA exists: the race is on the name
    std::string outside_before = listing(case_env().outside);
    std::vector<support::ProcessResult> results(8);
    std::vector<std::thread> threads;
    for (int i = 0; i < 8; ++i)
        threads.emplace_back(
            [&, i] { results[i] = run(create_args("same"), std::chrono::seconds(30)); });
    for (auto& t : threads)
        t.join();
    int winners = 0;
    for (const auto& r : results) {
        expect_clean(r, {0, 2}, "parallel create");
        if (r.exit_code == 0)
            ++winners;
        else
            EXPECT_NE(r.err.find("already exists"), std::string::npos) << r.err;
    }
    EXPECT_EQ(winners, 1);
    EXPECT_EQ(machine({"inspect", "-f", "{{.Name}}", "same"}).out, "same\n");
    EXPECT_TRUE(temp_files(store()).empty());
    EXPECT_EQ(listing(case_env().outside), outside_before);
}

TEST_F(Catalogue, CreateRacingRmLeavesAConsistentStore) {
    create_none("m1");
    std::string outside_before = listing(case_env().outside);
    for (int round = 0; round < 6; ++round) {
        support::ProcessResult c, r;
        std::thread tc([&] { c = run(create_args("racer"), std::chrono::seconds(30)); });
        std::thread tr([&] {
            std::this_thread::sleep_for(std::chrono::milliseconds(round * 15));
            r = run({"rm", "-y", "racer"}, std::chrono::seconds(30));
        });
        tc.join();
        tr.join();
        expect_clean(c, {0, 1}, "create racing rm");
        expect_clean(r, {0, 3}, "rm racing create");
        // Whatever won, the store answers for "racer" and takes it back.
        auto left = machine({"rm", "-y", "racer"});
        expect_clean(left, {0, 3}, "rm after the race");
        EXPECT_FALSE(fs::exists(store() / "machines" / "racer"));
        EXPECT_TRUE(temp_files(store()).empty());
    }
    EXPECT_EQ(listing(case_env().outside), outside_before);
    EXPECT_EQ(machine({"inspect", "-f", "{{.Name}}", "m1"}).out, "m1\n");
}

TEST_F(Catalogue, LockWaitEndsWithExit5AndOneLine) {
    create_none("m1");
    Store s(store());
    auto held = s.lock("m1"); // this test process holds machine m1
    std::string before = listing(tmp());
    auto start = std::chrono::steady_clock::now();
    auto r = run({"--timeout", "0.3", "start", "m1"}, std::chrono::seconds(10));
    auto took = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(r.exit_code, 5) << r.err;
    auto lines = split_lines(r.err);
    ASSERT_EQ(lines.size(), 1u) << r.err;
    EXPECT_EQ(lines[0].rfind("machine: error: gave up waiting for machine \"m1\"", 0), 0u)
        << lines[0];
    EXPECT_NE(lines[0].find(fmt::format("held by pid {}", ::getpid())), std::string::npos)
        << lines[0];
    EXPECT_LT(took, std::chrono::seconds(3));
    EXPECT_EQ(listing(tmp()), before);
}

TEST_F(Catalogue, LockWaitSaysWhatItWaitsForAfterOneSecond) {
    create_none("m1");
    Store s(store());
    auto held = s.lock("m1");
    auto r = run({"--timeout", "1.6", "stop", "m1"}, std::chrono::seconds(10));
    EXPECT_EQ(r.exit_code, 5) << r.err;
    auto lines = split_lines(r.err);
    ASSERT_EQ(lines.size(), 2u) << r.err;
    EXPECT_EQ(lines[0].rfind("waiting for machine \"m1\"", 0), 0u) << lines[0];
    EXPECT_NE(lines[0].find(fmt::format("pid {}", ::getpid())), std::string::npos) << lines[0];
    EXPECT_EQ(lines[1].rfind("machine: error: gave up waiting", 0), 0u) << lines[1];
}

TEST_F(Catalogue, LockReleasedInTimeLetsTheWaiterProceed) {
    create_none("m1");
    Store s(store());
    std::optional<support::FileLock> held(s.lock("m1"));
    std::thread release([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        held.reset();
    });
    auto r = run({"--timeout", "10", "rm", "-y", "m1"}, std::chrono::seconds(20));
    release.join();
    EXPECT_EQ(r.exit_code, 0) << r.err;
}

// strace -e inject=SYSCALL:signal=KILL:when=N kills the create at the Nth call of SYSCALL, before
// the call runs. Every file-changing call of a first create on an empty store is hit in turn.
TEST_F(Catalogue, SigkillAtEveryStepOfAFirstCreate) {
    support::SystemProcessRunner probe;
    ASSERT_TRUE(probe.available("strace")) << "strace is needed (scripts/setup.sh installs it)";
    const std::vector<std::string> calls = {"mkdir",  "openat", "write",     "pwrite64",
                                            "fsync",  "rename", "renameat2", "unlink",
                                            "fchmod", "chmod",  "ftruncate", "flock"};
    int kills = 0;
    for (const auto& call : calls) {
        for (int n = 1; n < 400; ++n) {
            fs::path root = tmp() / fmt::format("s-{}-{}", call, n);
            set_store(root);
            support::ProcessSpec spec;
            spec.program = "/bin/sh";
            spec.args = {"-c",
                         "\"$0\" \"$@\"; exit $?",
                         "strace",
                         "-f",
                         "-qq",
                         "-o",
                         "/dev/null",
                         "-e",
                         "trace=" + call,
                         "-e",
                         fmt::format("inject={}:signal=KILL:when={}", call, n),
                         MACHINE_BINARY};
            for (auto& a : create_args("k1"))
                spec.args.push_back(a);
            spec.env = env();
            spec.timeout = std::chrono::seconds(30);
            support::SystemProcessRunner runner;
            auto r = runner.run(spec);
            ASSERT_FALSE(r.timed_out) << call << "#" << n;
            if (r.exit_code == 0)
                break; // the create made fewer than n such calls: this call is covered
            std::string at = fmt::format("killed at {} #{}", call, n);
            ASSERT_EQ(r.exit_code, 128 + SIGKILL) << at << "\n" << r.err;
            ++kills;
            // The store takes a later create, an rm of what the killed one left, and a create of
            // the same name again, and keeps no temp files.
            auto other = machine(create_args("k2"));
            ASSERT_EQ(other.exit_code, 0) << at << ": a later create was refused\n" << other.err;
            auto rm = machine({"rm", "-y", "k1"});
            ASSERT_TRUE(rm.exit_code == 0 || rm.exit_code == 3) << at << "\n" << rm.err;
            auto again = machine(create_args("k1"));
            ASSERT_EQ(again.exit_code, 0) << at << "\n" << again.err;
            EXPECT_EQ(temp_files(root), std::vector<std::string>{}) << at;
            std::error_code ec;
            fs::remove_all(root, ec);
        }
    }
    EXPECT_GT(kills, 20) << "the injection never hit: is strace working?";
}

} // namespace
} // namespace machine::testing
