// Swarm membership of machines in the store (machine/swarm_membership.cpp) against fake engines
// reached through an HttpsTransport: what each engine ends up knowing, and what the user reads.
#include "machine/swarm_membership.h"

#include "machine/support/error.h"
#include "temp_dir.h"
#include "tests/fakes/fake_engine.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

namespace machine::testing {
namespace {

using ::testing::HasSubstr;

class SwarmMembership : public ::testing::Test {
protected:
    SwarmMembership() {
        save("mgr", mgr.ip());
        save("w1", w1.ip());
        save("w2", w2.ip());
    }
    void save(const std::string& name, const std::string& ip) {
        Host h;
        h.name = name;
        h.driver_name = "fake";
        h.driver = drivers::decode_record({{"IPAddress", ip}});
        h.options.auth.store_path = store.machine_dir(MachineName(name));
        fs::create_directories(h.options.auth.store_path);
        store.save(h);
    }
    Host load(const std::string& name) { return store.load(MachineName(name)); }
    // The roles of the swarm's nodes, by hostname, as the manager's engine lists them.
    std::map<std::string, std::string> roles() {
        std::map<std::string, std::string> out;
        for (const auto& n : mgr.call("GET", "/nodes").body)
            out[n["Description"]["Hostname"].get<std::string>()] = n["Spec"]["Role"].get<std::string>();
        return out;
    }

    TempDir dir;
    Store store{dir.path()};
    FakeNetwork net;
    FakeEngine mgr{net, "mgr", "192.168.122.11"};
    FakeEngine w1{net, "w1", "192.168.122.12"};
    FakeEngine w2{net, "w2", "192.168.122.13"};
    provision::HttpsTransport https = https_to({&mgr, &w1, &w2});
    std::ostringstream out;
};

TEST_F(SwarmMembership, InitAdvertisesTheMachinesIpAndSaysHowToJoin) {
    auto r = swarm_init(load("mgr"), https, out);
    EXPECT_TRUE(r.changed);
    auto init = std::find(mgr.calls.begin(), mgr.calls.end(), "POST /swarm/init");
    ASSERT_NE(init, mgr.calls.end());
    EXPECT_EQ(mgr.bodies.at(init - mgr.calls.begin())["AdvertiseAddr"], "192.168.122.11");
    EXPECT_EQ(roles(), (std::map<std::string, std::string>{{"mgr", "manager"}}));
    EXPECT_EQ(out.str(), "Swarm initialized: machine \"mgr\" (192.168.122.11) is now its manager.\n"
                         "To add a worker: machine swarm join NODE --manager mgr\n");
    // Twice: nothing changes, and the user is told so.
    out.str("");
    EXPECT_FALSE(swarm_init(load("mgr"), https, out).changed);
    EXPECT_THAT(out.str(), HasSubstr("already manages a swarm: nothing to do"));
}

TEST_F(SwarmMembership, JoinThroughAWorkerFindsItsManagerAmongTheStoresMachines) {
    swarm_init(load("mgr"), https, out);
    EXPECT_TRUE(swarm_join(store, load("w1"), "mgr", swarm::Role::Worker, https, out));
    // w2 names w1, a worker: the manager is found by the IP w1 knows it by.
    EXPECT_TRUE(swarm_join(store, load("w2"), "w1", swarm::Role::Manager, https, out));
    EXPECT_EQ(roles(), (std::map<std::string, std::string>{
                           {"mgr", "manager"}, {"w1", "worker"}, {"w2", "manager"}}));
    EXPECT_THAT(out.str(), HasSubstr("Machine \"w2\" joined the swarm of \"mgr\" as a manager.\n"));
    // A member joining again changes nothing.
    EXPECT_FALSE(swarm_join(store, load("w1"), "mgr", swarm::Role::Worker, https, out));
    EXPECT_EQ(roles().size(), 3u);
}

TEST_F(SwarmMembership, JoinThroughAMachineInNoSwarmIsRefused) {
    try {
        swarm_join(store, load("w1"), "w2", swarm::Role::Worker, https, out);
        FAIL() << "joined";
    } catch (const Error& e) {
        EXPECT_STREQ(e.what(), "machine \"w2\" is in no swarm (swarm state: inactive)");
    }
    EXPECT_TRUE(net.swarms.empty());
}

TEST_F(SwarmMembership, AnUnreachableManagerIsNamedWithCurlsReason) {
    swarm_init(load("mgr"), https, out);
    swarm_join(store, load("w1"), "mgr", swarm::Role::Worker, https, out);
    mgr.reachable = false;
    try {
        find_manager(store, "w1", https);
        FAIL() << "found a manager";
    } catch (const Error& e) {
        EXPECT_THAT(e.what(), HasSubstr("machine \"w1\" is a worker; none of its managers "
                                        "(192.168.122.11:2377) is a reachable machine"));
        EXPECT_THAT(e.what(), HasSubstr("mgr (192.168.122.11): "));
        EXPECT_THAT(e.what(), HasSubstr("Connection refused"));
    }
}

TEST_F(SwarmMembership, CreateFlagsSayTheMachineIsUpAndHowToRetry) {
    Host w1_host = load("w1");
    w1_host.options.swarm.join = "mgr"; // mgr is in no swarm yet
    try {
        apply_swarm_options(w1_host, store, https, out);
        FAIL() << "joined";
    } catch (const Error& e) {
        EXPECT_THAT(e.what(), HasSubstr("machine \"w1\" is up, but the swarm step failed: "));
        EXPECT_THAT(e.what(), HasSubstr("(run `machine swarm join w1 --manager mgr --role "
                                        "worker` to retry it)"));
    }
    Host mgr_host = load("mgr");
    mgr_host.options.swarm.manager = true;
    apply_swarm_options(mgr_host, store, https, out);
    apply_swarm_options(w1_host, store, https, out);
    EXPECT_EQ(roles(), (std::map<std::string, std::string>{{"mgr", "manager"}, {"w1", "worker"}}));
}

} // namespace
} // namespace machine::testing
