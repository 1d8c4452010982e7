#include "swarm/swarm.h"

#include "tests/fakes/fake_engine.h"
#include "machine/support/error.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace machine::swarm {
namespace {

using testing::FakeEngine;
using testing::FakeNetwork;

int count_calls(const FakeEngine& e, const std::string& call) {
    return static_cast<int>(std::count(e.calls.begin(), e.calls.end(), call));
}

class SwarmTest : public ::testing::Test {
protected:
    FakeNetwork net;
    FakeEngine vm1{net, "myvm1", "192.0.2.11"};
    FakeEngine vm2{net, "myvm2", "192.0.2.12"};
    FakeEngine vm3{net, "myvm3", "192.0.2.13"};
};

TEST_F(SwarmTest, InspectOfANodeOutsideAnySwarm) {
    SwarmInfo info = inspect(vm1);
    EXPECT_EQ(info.state, "inactive");
    EXPECT_FALSE(info.active());
    EXPECT_EQ(info.role, Role::None);
    EXPECT_EQ(to_string(info.role), "");
}

TEST_F(SwarmTest, InitSendsListenAndAdvertiseAddressesAndMakesTheLeader) {
    InitResult r = init(vm1, "192.0.2.11");
    EXPECT_TRUE(r.changed);
    EXPECT_FALSE(r.node_id.empty());
    EXPECT_EQ(r.cluster_id, vm1.cluster());
    auto it = std::find(vm1.calls.begin(), vm1.calls.end(), "POST /swarm/init");
    ASSERT_NE(it, vm1.calls.end());
    const auto& body = vm1.bodies[it - vm1.calls.begin()];
    EXPECT_EQ(body["ListenAddr"], "0.0.0.0:2377");
    EXPECT_EQ(body["AdvertiseAddr"], "192.0.2.11");

    SwarmInfo info = inspect(vm1);
    EXPECT_TRUE(info.active());
    EXPECT_TRUE(info.control_available);
    EXPECT_EQ(info.role, Role::Leader);
    EXPECT_EQ(to_string(info.role), "leader");
    EXPECT_EQ(info.cluster_id, r.cluster_id);
}

TEST_F(SwarmTest, InitOnAManagerChangesNothing) {
    InitResult first = init(vm1, "192.0.2.11");
    InitResult second = init(vm1, "192.0.2.11");
    EXPECT_FALSE(second.changed);
    EXPECT_EQ(second.node_id, first.node_id);
    EXPECT_EQ(second.cluster_id, first.cluster_id);
    EXPECT_EQ(count_calls(vm1, "POST /swarm/init"), 1);
    EXPECT_EQ(net.swarms.size(), 1u);
}

TEST_F(SwarmTest, InitOnAWorkerIsRefusedWithoutTouchingIt) {
    init(vm1, "192.0.2.11");
    join(vm2, vm1, {"192.0.2.12", "192.0.2.11", Role::Worker});
    try {
        init(vm2, "192.0.2.12");
        FAIL() << "init on a worker succeeded";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("myvm2 is a worker"), std::string::npos) << e.what();
    }
    EXPECT_EQ(count_calls(vm2, "POST /swarm/init"), 0);
}

TEST_F(SwarmTest, JoinTokensComeFromTheManager) {
    init(vm1, "192.0.2.11");
    JoinTokens t = join_tokens(vm1);
    EXPECT_EQ(t.cluster_id, vm1.cluster());
    EXPECT_EQ(t.worker, net.swarms[vm1.cluster()].worker_token);
    EXPECT_EQ(t.manager, net.swarms[vm1.cluster()].manager_token);
    EXPECT_EQ(t.for_role(Role::Worker), t.worker);
    EXPECT_EQ(t.for_role(Role::Manager), t.manager);
}

TEST_F(SwarmTest, JoinTokensOnAWorkerCarryTheEnginesMessage) {
    init(vm1, "192.0.2.11");
    join(vm2, vm1, {"192.0.2.12", "192.0.2.11", Role::Worker});
    try {
        join_tokens(vm2);
        FAIL() << "a worker gave tokens";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("This node is not a swarm manager"), std::string::npos)
            << e.what();
    }
}

TEST_F(SwarmTest, JoinAsWorkerUsesTheWorkerTokenAndTheManagerAddress) {
    init(vm1, "192.0.2.11");
    EXPECT_TRUE(join(vm2, vm1, {"192.0.2.12", "192.0.2.11", Role::Worker}));
    auto it = std::find(vm2.calls.begin(), vm2.calls.end(), "POST /swarm/join");
    ASSERT_NE(it, vm2.calls.end());
    const auto& body = vm2.bodies[it - vm2.calls.begin()];
    EXPECT_EQ(body["RemoteAddrs"], nlohmann::json::array({"192.0.2.11:2377"}));
    EXPECT_EQ(body["AdvertiseAddr"], "192.0.2.12");
    EXPECT_EQ(body["ListenAddr"], "0.0.0.0:2377");
    EXPECT_EQ(body["JoinToken"], net.swarms[vm1.cluster()].worker_token);

    EXPECT_EQ(inspect(vm2).role, Role::Worker);
    auto list = nodes(vm1);
    ASSERT_EQ(list.size(), 2u);
    EXPECT_EQ(list[0].hostname, "myvm1");
    EXPECT_EQ(list[0].role, "manager");
    EXPECT_EQ(list[0].manager_status, "Leader");
    EXPECT_EQ(list[1].hostname, "myvm2");
    EXPECT_EQ(list[1].role, "worker");
    EXPECT_EQ(list[1].manager_status, "");
    EXPECT_EQ(list[1].addr, "192.0.2.12");
    EXPECT_EQ(list[1].state, "ready");
}

TEST_F(SwarmTest, JoinAsManagerMakesAReachableNonLeaderManager) {
    init(vm1, "192.0.2.11");
    EXPECT_TRUE(join(vm2, vm1, {"192.0.2.12", "192.0.2.11:2377", Role::Manager}));
    EXPECT_EQ(inspect(vm2).role, Role::Manager);
    auto list = nodes(vm1);
    ASSERT_EQ(list.size(), 2u);
    EXPECT_EQ(list[1].manager_status, "Reachable");
}

TEST_F(SwarmTest, JoinOfAMemberChangesNothing) {
    init(vm1, "192.0.2.11");
    join(vm2, vm1, {"192.0.2.12", "192.0.2.11", Role::Worker});
    EXPECT_FALSE(join(vm2, vm1, {"192.0.2.12", "192.0.2.11", Role::Worker}));
    EXPECT_EQ(count_calls(vm2, "POST /swarm/join"), 1);
    EXPECT_EQ(nodes(vm1).size(), 2u);
    // A manager of the same swarm is recognised by the cluster ID.
    join(vm3, vm1, {"192.0.2.13", "192.0.2.11", Role::Manager});
    EXPECT_FALSE(join(vm3, vm1, {"192.0.2.13", "192.0.2.11", Role::Worker}));
    EXPECT_EQ(inspect(vm3).role, Role::Manager); // never demoted by a join
}

TEST_F(SwarmTest, JoinAsManagerPromotesAWorkerOfTheSameSwarm) {
    init(vm1, "192.0.2.11");
    join(vm2, vm1, {"192.0.2.12", "192.0.2.11", Role::Worker});
    EXPECT_TRUE(join(vm2, vm1, {"192.0.2.12", "192.0.2.11", Role::Manager}));
    EXPECT_EQ(inspect(vm2).role, Role::Manager);
    EXPECT_EQ(count_calls(vm2, "POST /swarm/join"), 1);
}

TEST_F(SwarmTest, JoinOfAMemberOfAnotherSwarmIsRefused) {
    init(vm1, "192.0.2.11");
    init(vm2, "192.0.2.12");
    try {
        join(vm2, vm1, {"192.0.2.12", "192.0.2.11", Role::Worker});
        FAIL() << "joined a second swarm";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("myvm2 is already in another swarm"),
                  std::string::npos)
            << e.what();
    }
    EXPECT_EQ(count_calls(vm2, "POST /swarm/join"), 0);
    EXPECT_EQ(inspect(vm2).role, Role::Leader);
}

TEST_F(SwarmTest, JoinThroughANodeThatManagesNothingIsRefused) {
    try {
        join(vm2, vm1, {"192.0.2.12", "192.0.2.11", Role::Worker});
        FAIL() << "joined through a non-manager";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("myvm1 is not a swarm manager"), std::string::npos)
            << e.what();
    }
    EXPECT_TRUE(vm2.calls.empty());
}

TEST_F(SwarmTest, JoinWithAWrongTokenCarriesTheEnginesMessage) {
    init(vm1, "192.0.2.11");
    try {
        join_with_token(vm2, "192.0.2.12", "192.0.2.11", "SWMTKN-1-wrong");
        FAIL() << "joined with a wrong token";
    } catch (const Error& e) {
        std::string what = e.what();
        EXPECT_NE(what.find("A valid join token is necessary"), std::string::npos) << what;
        EXPECT_NE(what.find("myvm2"), std::string::npos) << what;
    }
}

TEST_F(SwarmTest, LeaveOfAWorkerThenNothingToLeave) {
    init(vm1, "192.0.2.11");
    join(vm2, vm1, {"192.0.2.12", "192.0.2.11", Role::Worker});
    EXPECT_TRUE(leave(vm2, false));
    EXPECT_EQ(inspect(vm2).state, "inactive");
    EXPECT_FALSE(leave(vm2, false));
    EXPECT_EQ(count_calls(vm2, "POST /swarm/leave"), 1);
    // The manager keeps listing it as down, as Docker does.
    auto list = nodes(vm1);
    ASSERT_EQ(list.size(), 2u);
    EXPECT_EQ(list[1].state, "down");
}

TEST_F(SwarmTest, LeaveThatTimesOutAfterLeavingCountsAsLeft) {
    init(vm1, "192.0.2.11");
    join(vm2, vm1, {"192.0.2.12", "192.0.2.11", Role::Worker});
    vm2.leave_times_out = true;
    EXPECT_TRUE(leave(vm2, false));
    EXPECT_EQ(inspect(vm2).state, "inactive");
    EXPECT_EQ(count_calls(vm2, "POST /swarm/leave"), 1);
}

TEST_F(SwarmTest, LeaveOfAManagerNeedsForceAndSaysSo) {
    init(vm1, "192.0.2.11");
    try {
        leave(vm1, false);
        FAIL() << "a manager left without force";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("Use `--force`"), std::string::npos) << e.what();
    }
    EXPECT_TRUE(inspect(vm1).active());
    EXPECT_TRUE(leave(vm1, true));
    EXPECT_EQ(vm1.calls.back(), "POST /swarm/leave?force=true");
    EXPECT_FALSE(inspect(vm1).active());
}

TEST_F(SwarmTest, RejoinAfterLeaving) {
    init(vm1, "192.0.2.11");
    join(vm2, vm1, {"192.0.2.12", "192.0.2.11", Role::Worker});
    leave(vm2, false);
    EXPECT_TRUE(join(vm2, vm1, {"192.0.2.12", "192.0.2.11", Role::Worker}));
    EXPECT_EQ(inspect(vm2).role, Role::Worker);
}

TEST_F(SwarmTest, NodesOnAWorkerCarriesTheEnginesMessage) {
    EXPECT_THROW(nodes(vm1), Error);
}

TEST_F(SwarmTest, AnUnreachableEngineThrows) {
    vm1.reachable = false;
    EXPECT_THROW(inspect(vm1), Error);
    EXPECT_THROW(init(vm1, "192.0.2.11"), Error);
}

TEST(SwarmPort, AddedOnlyWhenMissing) {
    EXPECT_EQ(with_swarm_port("192.0.2.1"), "192.0.2.1:2377");
    EXPECT_EQ(with_swarm_port("192.0.2.1:4000"), "192.0.2.1:4000");
    EXPECT_EQ(with_swarm_port("fd00::1"), "[fd00::1]:2377");
    EXPECT_EQ(with_swarm_port("[fd00::1]:2377"), "[fd00::1]:2377");
}

TEST(SwarmRole, ParsesOnlyJoinRoles) {
    EXPECT_EQ(parse_join_role("worker"), Role::Worker);
    EXPECT_EQ(parse_join_role("manager"), Role::Manager);
    EXPECT_EQ(parse_join_role("leader"), std::nullopt);
    EXPECT_EQ(parse_join_role(""), std::nullopt);
}

TEST(EngineMessage, PrefersTheJsonMessage) {
    EXPECT_EQ(engine_message({503, {{"message", "not a manager\n"}}, "x"}), "not a manager");
    EXPECT_EQ(engine_message({500, nullptr, "plain text"}), "plain text");
    EXPECT_EQ(engine_message({502, nullptr, ""}), "HTTP 502");
}

} // namespace
} // namespace machine::swarm
