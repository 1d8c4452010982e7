// `ls` gathering under one deadline: hypervisor states on a few joinable threads, engines from
// the calling thread through a fake many-requests transport that answers, refuses or hangs.
#include "fake_https_multi.h"
#include "machine/listing.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <stdexcept>
#include <thread>

namespace machine {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using testing::FakeHttpsMulti;

ListRow store_row(const std::string& name) {
    ListRow r;
    r.name = name;
    r.driver = "none";
    r.url = "tcp://" + name + ":2376";
    return r;
}

std::vector<ListRow> store_rows(const std::vector<std::string>& names) {
    std::vector<ListRow> rows;
    for (const auto& n : names)
        rows.push_back(store_row(n));
    return rows;
}

std::string url_of(const std::string& name) {
    return "https://" + name + ":2376";
}

// The hypervisor says Running for every machine and names its engine.
Probed running(const ListRow& row) {
    Probed p{row, EngineTarget{url_of(row.name), {"ca.pem", "cert.pem", "key.pem"}}};
    p.row.state = "Running";
    return p;
}

FakeHttpsMulti::Engine answers(const std::string& info,
                               std::map<std::string, std::pair<long, std::string>> more = {}) {
    FakeHttpsMulti::Engine e;
    e.answers = std::move(more);
    e.answers["/info"] = {200, info};
    return e;
}

FakeHttpsMulti::Engine does(FakeHttpsMulti::Does what) {
    FakeHttpsMulti::Engine e;
    e.does = what;
    return e;
}

const ListRow& by_name(const std::vector<ListRow>& rows, const std::string& name) {
    for (const auto& r : rows)
        if (r.name == name)
            return r;
    throw std::runtime_error("no row " + name);
}

TEST(GatherRows, EnginesAnswerVersionAndSwarmRoleWithOneInfoEach) {
    FakeHttpsMulti fake;
    fake.engine(url_of("plain"), answers(R"({"ServerVersion":"24.0.7"})"));
    fake.engine(url_of("worker"),
                answers(R"({"ServerVersion":"24.0.7","Swarm":{"LocalNodeState":"active",
                            "ControlAvailable":false,"NodeID":"w1"}})"));
    fake.engine(url_of("lead"),
                answers(R"({"ServerVersion":"25.0.1","Swarm":{"LocalNodeState":"active",
                            "ControlAvailable":true,"NodeID":"n1"}})",
                        {{"/nodes/n1", {200, R"({"ManagerStatus":{"Leader":true}})"}}}));
    fake.engine(
        url_of("mgr"),
        answers(R"({"ServerVersion":"25.0.1","Swarm":{"LocalNodeState":"active",
                            "ControlAvailable":true,"NodeID":"n2"}})",
                {{"/nodes/n2", {200, R"({"ManagerStatus":{"Reachability":"reachable"}})"}}}));
    EngineBatch batch(fake);
    ProbePool pool(4);
    auto rows =
        gather_rows(store_rows({"plain", "worker", "lead", "mgr"}), running, pool, &batch, 5s);
    ASSERT_EQ(rows.size(), 4u);
    EXPECT_EQ(rows[0].name, "plain");
    EXPECT_EQ(rows[0].docker, "v24.0.7");
    EXPECT_EQ(rows[0].swarm, "");
    EXPECT_EQ(rows[1].swarm, "worker");
    EXPECT_EQ(rows[2].docker, "v25.0.1");
    EXPECT_EQ(rows[2].swarm, "leader");
    EXPECT_EQ(rows[3].swarm, "manager");
    for (const auto& r : rows) {
        EXPECT_EQ(r.state, "Running") << r.name;
        EXPECT_EQ(r.error, "") << r.name;
    }
    // One question per engine; the leader question only for managers.
    EXPECT_EQ(fake.paths(url_of("plain")), (std::vector<std::string>{"/info"}));
    EXPECT_EQ(fake.paths(url_of("worker")), (std::vector<std::string>{"/info"}));
    EXPECT_EQ(fake.paths(url_of("lead")), (std::vector<std::string>{"/info", "/nodes/n1"}));
    EXPECT_EQ(fake.paths(url_of("mgr")), (std::vector<std::string>{"/info", "/nodes/n2"}));
    EXPECT_TRUE(pool.finish(1s));
}

TEST(GatherRows, RefusedAndFailingEnginesShowTheirErrorInTheRow) {
    FakeHttpsMulti fake;
    fake.engine(url_of("ok"), answers(R"({"ServerVersion":"24.0.7"})"));
    fake.engine(url_of("refused"), does(FakeHttpsMulti::Does::Refuse));
    FakeHttpsMulti::Engine broken;
    broken.answers["/info"] = {500, R"({"message":"daemon is shutting down"})"};
    fake.engine(url_of("broken"), broken);
    fake.engine(url_of("odd"), answers(R"({"ServerVersion":7,"Swarm":"yes"})"));
    EngineBatch batch(fake);
    ProbePool pool(2);
    auto rows =
        gather_rows(store_rows({"ok", "refused", "broken", "odd"}), running, pool, &batch, 5s);
    EXPECT_EQ(by_name(rows, "ok").docker, "v24.0.7");
    const auto& refused = by_name(rows, "refused");
    EXPECT_EQ(refused.state, "Running") << "the hypervisor said so; only the engine failed";
    EXPECT_EQ(refused.docker, "Unknown");
    EXPECT_NE(refused.error.find("Unable to query docker version"), std::string::npos);
    EXPECT_NE(refused.error.find("Connection refused"), std::string::npos) << refused.error;
    const auto& broken_row = by_name(rows, "broken");
    EXPECT_EQ(broken_row.docker, "Unknown");
    EXPECT_NE(broken_row.error.find("HTTP 500: daemon is shutting down"), std::string::npos)
        << broken_row.error;
    const auto& odd = by_name(rows, "odd");
    EXPECT_EQ(odd.docker, "Unknown");
    EXPECT_NE(odd.error.find("ServerVersion"), std::string::npos) << odd.error;
}

TEST(GatherRows, AHangingEngineTimesOutAtTheDeadlineAndHoldsNothing) {
    FakeHttpsMulti fake;
    fake.engine(url_of("fast"), answers(R"({"ServerVersion":"24.0.7"})"));
    fake.engine(url_of("hung"), does(FakeHttpsMulti::Does::Hang));
    FakeHttpsMulti::Engine slow = answers(R"({"ServerVersion":"24.0.7"})");
    slow.delay = 100ms;
    fake.engine(url_of("slow"), slow);
    EngineBatch batch(fake);
    ProbePool pool(8);
    auto started = Clock::now();
    auto rows = gather_rows(store_rows({"fast", "hung", "slow"}), running, pool, &batch, 400ms);
    auto took = Clock::now() - started;
    EXPECT_GE(took, 390ms);
    EXPECT_LT(took, 400ms + 150ms) << "longer than --timeout plus a little";
    EXPECT_EQ(by_name(rows, "fast").docker, "v24.0.7");
    EXPECT_EQ(by_name(rows, "slow").docker, "v24.0.7");
    const auto& hung = by_name(rows, "hung");
    EXPECT_EQ(hung.state, "Timeout");
    EXPECT_EQ(hung.driver, "none") << "what the store knows stays in the row";
    EXPECT_EQ(hung.url, "tcp://hung:2376");
    EXPECT_NE(hung.error.find("--timeout"), std::string::npos) << hung.error;
    EXPECT_EQ(fake.cancelled(), 1u) << "the hanging request is dropped, not left running";
    EXPECT_EQ(fake.unfinished(), 0u);
    EXPECT_EQ(batch.pending(), 0u);
    // Every request carried a backstop limit just past what was left of the deadline: the
    // transport never ends a hang as an error before the deadline makes it a Timeout.
    for (const auto& s : fake.seen()) {
        EXPECT_LE(s.timeout, 400ms + 1s) << s.base_url;
        EXPECT_GE(s.timeout, 1s) << s.base_url;
    }
    EXPECT_TRUE(pool.finish(1s));
}

TEST(GatherRows, AllEnginesHangingEndAtTheDeadline) {
    FakeHttpsMulti fake;
    std::vector<std::string> names;
    for (int i = 0; i < 50; ++i) {
        names.push_back("m" + std::to_string(i));
        fake.engine(url_of(names.back()), does(FakeHttpsMulti::Does::Hang));
    }
    EngineBatch batch(fake);
    ProbePool pool(8);
    auto started = Clock::now();
    auto rows = gather_rows(store_rows(names), running, pool, &batch, 300ms);
    EXPECT_LT(Clock::now() - started, 300ms + 150ms);
    ASSERT_EQ(rows.size(), 50u);
    for (size_t i = 0; i < rows.size(); ++i) {
        EXPECT_EQ(rows[i].name, names[i]);
        EXPECT_EQ(rows[i].state, "Timeout");
    }
    EXPECT_EQ(fake.seen().size(), 50u) << "one request per engine";
    EXPECT_EQ(fake.cancelled(), 50u);
}

TEST(GatherRows, EnginesAreAskedAsSoonAsTheirStateIsKnown) {
    // One slow hypervisor answer must not delay asking the other engines.
    FakeHttpsMulti fake;
    for (const char* n : {"a", "b", "slowvm"})
        fake.engine(url_of(n), answers(R"({"ServerVersion":"24.0.7"})"));
    EngineBatch batch(fake);
    ProbePool pool(3);
    auto rows = gather_rows(
        store_rows({"a", "b", "slowvm"}),
        [](const ListRow& row) {
            if (row.name == "slowvm")
                std::this_thread::sleep_for(200ms);
            return running(row);
        },
        pool, &batch, 5s);
    EXPECT_LT(by_name(rows, "a").response_ms, 150);
    EXPECT_LT(by_name(rows, "b").response_ms, 150);
    EXPECT_GE(by_name(rows, "slowvm").response_ms, 190);
    for (const auto& r : rows)
        EXPECT_EQ(r.docker, "v24.0.7") << r.name;
}

TEST(GatherRows, WithoutEnginesNoOneIsAsked) {
    FakeHttpsMulti fake;
    ProbePool pool(2);
    auto rows = gather_rows(store_rows({"a", "b"}), running, pool, nullptr, 5s);
    EXPECT_TRUE(fake.seen().empty());
    for (const auto& r : rows) {
        EXPECT_EQ(r.state, "Running");
        EXPECT_EQ(r.docker, "");
    }
}

TEST(GatherRows, KeepsTheOrderOfRows) {
    ProbePool pool(3);
    auto rows = gather_rows(
        store_rows({"c", "a", "b"}),
        [](const ListRow& row) {
            // Finish in reverse order of the rows.
            std::this_thread::sleep_for(row.name == "c" ? 60ms : row.name == "a" ? 30ms : 0ms);
            return Probed{row, std::nullopt};
        },
        pool, nullptr, 5s);
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[0].name, "c");
    EXPECT_EQ(rows[1].name, "a");
    EXPECT_EQ(rows[2].name, "b");
    EXPECT_GE(rows[0].response_ms, 50);
}

TEST(GatherRows, StatesAreAskedConcurrently) {
    std::vector<std::string> names;
    for (int i = 0; i < 24; ++i)
        names.push_back("m" + std::to_string(i));
    ProbePool pool(8);
    auto started = Clock::now();
    auto rows = gather_rows(
        store_rows(names),
        [](const ListRow& row) {
            std::this_thread::sleep_for(100ms);
            return Probed{row, std::nullopt};
        },
        pool, nullptr, 10s);
    EXPECT_EQ(rows.size(), 24u);
    EXPECT_LT(Clock::now() - started, 1s) << "24 states of 100 ms each, 8 at a time";
}

TEST(GatherRows, AStuckHypervisorCallTimesOutAndThePoolSaysSo) {
    std::promise<void> release;
    std::shared_future<void> released = release.get_future().share();
    FakeHttpsMulti fake;
    fake.engine(url_of("fast"), answers(R"({"ServerVersion":"24.0.7"})"));
    EngineBatch batch(fake);
    ProbePool pool(4);
    auto started = Clock::now();
    auto rows = gather_rows(
        store_rows({"fast", "stuck"}),
        [released](const ListRow& row) {
            if (row.name == "stuck")
                released.wait();
            return running(row);
        },
        pool, &batch, 300ms);
    EXPECT_LT(Clock::now() - started, 300ms + 150ms);
    EXPECT_EQ(rows[0].docker, "v24.0.7");
    EXPECT_EQ(rows[1].state, "Timeout");
    EXPECT_EQ(rows[1].driver, "none");
    EXPECT_FALSE(pool.finish(50ms)) << "the stuck call is still running";
    release.set_value();
    EXPECT_TRUE(pool.finish(5s));
    EXPECT_TRUE(fake.paths(url_of("stuck")).empty()) << "asked after the listing ended";
}

TEST(GatherRows, ThrowingStateBecomesAnErrorRow) {
    ProbePool pool(2);
    auto rows = gather_rows(
        store_rows({"good", "broken"}),
        [](const ListRow& row) -> Probed {
            if (row.name == "broken")
                throw std::runtime_error("VBoxManage: no such VM");
            return Probed{row, std::nullopt};
        },
        pool, nullptr, 5s);
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[1].name, "broken");
    EXPECT_EQ(rows[1].state, "Error");
    EXPECT_EQ(rows[1].error, "VBoxManage: no such VM");
    EXPECT_EQ(rows[1].driver, "none");
}

TEST(GatherRows, NoRowsNoWait) {
    ProbePool pool(2);
    auto started = Clock::now();
    EXPECT_TRUE(gather_rows({}, running, pool, nullptr, 5s).empty());
    EXPECT_LT(Clock::now() - started, 100ms);
}

TEST(ProbePool, RunsEverySubmittedJobAndJoins) {
    std::atomic<int> ran{0};
    {
        ProbePool pool(3);
        for (int i = 0; i < 30; ++i)
            pool.submit([&ran] { ++ran; });
        while (ran < 30)
            std::this_thread::sleep_for(1ms);
        EXPECT_TRUE(pool.finish(1s));
    }
    EXPECT_EQ(ran, 30);
}

} // namespace
} // namespace machine
