// lab up / lab down against machines in memory: which nodes are created or started, how many at
// once, in what order the swarm is formed, and what a node whose step fails does to the rest.
#include "machine/lab.h"
#include "machine/lab_machines.h"

#include "fake_lab_machines.h"
#include "temp_dir.h"

#include "machine/support/error.h"
#include "tests/fakes/fake_runner.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

namespace machine::testing {
namespace {

using swarm::Role;

// m1 (manager), w1, m2 (manager), w2, with a registry.
swarm::LabSpec four_nodes() {
    swarm::LabSpec lab;
    lab.name = "l";
    lab.driver = "none";
    lab.flags["url"] = {"tcp://127.0.0.1:1"};
    lab.registry = true;
    for (auto [name, role] : {std::pair{"m1", Role::Manager},
                              {"w1", Role::Worker},
                              {"m2", Role::Manager},
                              {"w2", Role::Worker}}) {
        swarm::LabNodeSpec n;
        n.name = name;
        n.role = role;
        lab.nodes.push_back(n);
    }
    return lab;
}

// Every node there, running, in the lab's swarm (m1 leads).
void all_up(FakeLabMachines& m) {
    m.nodes["m1"] = {"Running", "", Role::Leader, true};
    m.nodes["w1"] = {"Running", "", Role::Worker, true};
    m.nodes["m2"] = {"Running", "", Role::Manager, true};
    m.nodes["w2"] = {"Running", "", Role::Worker, true};
}

const LabHostResources k_two_cores{2, 100000};

// lab up's error message, or "" when it did not throw.
std::string up(const swarm::LabSpec& lab, FakeLabMachines& m, std::ostringstream& out,
               LabHostResources host = k_two_cores) {
    try {
        lab_up(lab, "lab.yaml", m, host, out);
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

bool has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

std::vector<std::string> sorted(std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
}

TEST(LabUp, FromNothingCreatesEveryNodeThenFormsTheSwarmManagersFirst) {
    FakeLabMachines m;
    m.hold_until_parallel = 2;
    std::ostringstream out;
    EXPECT_EQ(up(four_nodes(), m, out), "");
    EXPECT_TRUE(has(out.str(), "Creating 4 node(s), 2 at a time: m1, w1, m2, w2\n")) << out.str();
    EXPECT_EQ(m.max_parallel, 2);
    EXPECT_EQ(sorted(m.logged("create ")),
              (std::vector<std::string>{"create m1", "create m2", "create w1", "create w2"}));
    for (const char* n : {"m1", "w1", "m2", "w2"})
        EXPECT_TRUE(has(out.str(), fmt::format("[{}] Docker is up and running!\n", n)));
    std::vector<std::string> after_creates(m.log.begin() + 4, m.log.end());
    EXPECT_EQ(after_creates, (std::vector<std::string>{
                                 "init m1", "join m2 m1 manager", "join w1 m1 worker",
                                 "join w2 m1 worker", "registry m1: m1,w1,m2,w2", "context l m1"}));
    EXPECT_EQ(m.observed, 3); // plan, plan again after the creates, status
    EXPECT_TRUE(has(out.str(), "lab \"l\": up in ")) << out.str();
}

TEST(LabUp, EachCreateIsTheNodesCreateCommandWithTheLabLabelAndItsNameLast) {
    FakeLabMachines m;
    std::ostringstream out;
    up(four_nodes(), m, out);
    ASSERT_EQ(m.commands.size(), 4u);
    for (const auto& c : m.commands) {
        ASSERT_GE(c.size(), 4u);
        EXPECT_EQ(c.front(), "create");
        EXPECT_EQ(c[c.size() - 2], "--");
        EXPECT_NE(std::find(c.begin(), c.end(), "--engine-label=lab=l"), c.end());
        EXPECT_NE(std::find(c.begin(), c.end(), "--url=tcp://127.0.0.1:1"), c.end());
    }
}

TEST(LabUp, CreatesAreBoundedByMemoryAndTheLargestNodeDecides) {
    swarm::LabSpec lab = four_nodes();
    swarm::LabPlan plan = swarm::plan_lab(lab, {});
    // 2048 MiB a node by default: 5000 MiB fit two.
    EXPECT_EQ(plan_creates(lab, plan, {8, 5000}).parallel, 2);
    lab.nodes[3].memory = 4096; // w2 is the largest: one at a time
    EXPECT_EQ(plan_creates(lab, plan, {8, 5000}).parallel, 1);
    lab.memory = 512;
    lab.nodes[3].memory.reset();
    EXPECT_EQ(plan_creates(lab, plan, {8, 5000}).parallel, 8);
    EXPECT_EQ(plan_creates(lab, plan, {3, 5000}).parallel, 3);

    FakeLabMachines m;
    std::ostringstream out;
    up(lab, m, out, {1, 100000});
    EXPECT_TRUE(has(out.str(), "Creating 4 node(s), 1 at a time: m1, w1, m2, w2\n"));
    EXPECT_EQ(m.max_parallel, 1);
    // One at a time: in file order.
    EXPECT_EQ(m.logged("create "),
              (std::vector<std::string>{"create m1", "create w1", "create m2", "create w2"}));
}

TEST(LabUp, OnlyWhatIsMissingIsDoneStoppedNodesStartBeforeCreates) {
    FakeLabMachines m;
    all_up(m);
    m.nodes["w1"].state = "Stopped";
    m.nodes.erase("w2");
    std::ostringstream out;
    EXPECT_EQ(up(four_nodes(), m, out), "");
    EXPECT_EQ(m.log,
              (std::vector<std::string>{"start w1", "create w2", "manager m1", "join w2 m1 worker",
                                        "registry m1: m1,w1,m2,w2", "context l m1"}));
    EXPECT_TRUE(has(out.str(), "Starting 1 stopped node(s)\n[w1] started in "));
    EXPECT_TRUE(has(out.str(), "Creating 1 node(s), 1 at a time: w2\n"));
}

TEST(LabUp, WhenEverythingIsThereNothingRunsAndTheLabIsUp) {
    FakeLabMachines m;
    all_up(m);
    std::ostringstream out;
    EXPECT_EQ(up(four_nodes(), m, out), "");
    EXPECT_TRUE(m.commands.empty());
    EXPECT_EQ(m.log,
              (std::vector<std::string>{"manager m1", "registry m1: m1,w1,m2,w2", "context l m1"}));
    EXPECT_FALSE(has(out.str(), "Creating"));
    EXPECT_TRUE(has(out.str(), "lab \"l\": up in "));
}

TEST(LabUp, AFailedWorkerCreateIsLeftOutOfTheSwarmAndTheRegistryAndNamedInTheError) {
    FakeLabMachines m;
    m.create_fails = {"w1"};
    std::ostringstream out;
    EXPECT_EQ(up(four_nodes(), m, out),
              "lab \"l\" is not complete (w1); fix the cause and run `machine lab up -f "
              "lab.yaml` again: it only does what is missing");
    EXPECT_TRUE(has(out.str(), "[w1] Error creating machine: boom\n[w1] created FAILED after "))
        << out.str();
    EXPECT_EQ(m.logged("join "),
              (std::vector<std::string>{"join m2 m1 manager", "join w2 m1 worker"}));
    EXPECT_EQ(m.logged("registry "), (std::vector<std::string>{"registry m1: m1,m2,w2"}));
    EXPECT_EQ(m.logged("context "), (std::vector<std::string>{"context l m1"}));
    EXPECT_TRUE(has(out.str(), "lab \"l\": NOT complete in ")) << out.str();
    // The status table shows it missing.
    EXPECT_TRUE(has(out.str(), "w1    worker   missing")) << out.str();
}

TEST(LabUp, AFailedManagerCreateStopsTheSwarmStep) {
    FakeLabMachines m;
    m.create_fails = {"m1"};
    std::ostringstream out;
    EXPECT_TRUE(has(up(four_nodes(), m, out), "is not complete (m1)"));
    EXPECT_EQ(m.logged("create ").size(), 4u);
    // m1 would init: without it nothing joins, no registry, no context.
    EXPECT_TRUE(m.logged("init").empty());
    EXPECT_TRUE(m.logged("join").empty());
    EXPECT_TRUE(m.logged("registry").empty());
    EXPECT_TRUE(m.logged("context").empty());
}

TEST(LabUp, AManagerWhoseCreateLeftABrokenRecordGivesWayToTheNextManager) {
    FakeLabMachines m;
    m.create_leaves_error = {"m1"};
    std::ostringstream out;
    EXPECT_TRUE(has(up(four_nodes(), m, out), "is not complete (m1)"));
    std::vector<std::string> after_creates(m.log.begin() + 4, m.log.end());
    EXPECT_EQ(after_creates,
              (std::vector<std::string>{"init m2", "join w1 m2 worker", "join w2 m2 worker",
                                        "registry m2: w1,m2,w2", "context l m2"}));
    EXPECT_TRUE(has(out.str(), "Left alone: m1: its create failed (boom); run `machine rm -y m1` "
                               "and `lab up` again\n"))
        << out.str();
}

TEST(LabUp, AFailedJoinIsReportedAndTheOthersStillJoin) {
    FakeLabMachines m;
    m.join_fails = {"m2"};
    std::ostringstream out;
    EXPECT_TRUE(has(up(four_nodes(), m, out), "is not complete (m2)"));
    EXPECT_TRUE(has(out.str(), "[m2] join FAILED: engine of m2 does not answer\n"));
    EXPECT_EQ(
        m.logged("join "),
        (std::vector<std::string>{"join m2 m1 manager", "join w1 m1 worker", "join w2 m1 worker"}));
    EXPECT_EQ(m.logged("registry "), (std::vector<std::string>{"registry m1: m1,w1,w2"}));
}

TEST(LabUp, AFailedInitSkipsJoinsRegistryAndContext) {
    FakeLabMachines m;
    m.init_fails = {"m1"};
    std::ostringstream out;
    EXPECT_TRUE(has(up(four_nodes(), m, out), "is not complete (m1)"));
    EXPECT_TRUE(has(out.str(), "[m1] swarm init FAILED: engine of m1 does not answer\n"));
    EXPECT_TRUE(m.logged("join").empty());
    EXPECT_TRUE(m.logged("registry").empty());
    EXPECT_TRUE(m.logged("context").empty());
}

TEST(LabUp, AFailedRegistryLeavesNoContextAndFailsTheLab) {
    FakeLabMachines m;
    all_up(m);
    m.registry_fails = {"m1"};
    std::ostringstream out;
    EXPECT_TRUE(has(up(four_nodes(), m, out), "is not complete (m1)"));
    EXPECT_TRUE(has(out.str(), "[m1] registry FAILED: mmdebstrap failed\n"));
    EXPECT_TRUE(m.logged("context").empty());
}

TEST(LabUp, ANodeInAnotherSwarmIsLeftAloneAndTheLabIsNotComplete) {
    FakeLabMachines m;
    all_up(m);
    m.nodes["w2"].in_lab_swarm = false; // a worker of some other swarm
    std::ostringstream out;
    EXPECT_EQ(up(four_nodes(), m, out),
              "lab \"l\" is not complete (see Left alone); fix the cause and run `machine lab up "
              "-f lab.yaml` again: it only does what is missing");
    EXPECT_TRUE(m.logged("join").empty());
    EXPECT_TRUE(has(out.str(), "Left alone: w2: in another swarm; run `machine swarm leave "
                               "--force w2` and `lab up` again\n"));
}

TEST(LabStatus, OneRowPerNodeInFileOrder) {
    FakeLabMachines m;
    all_up(m);
    m.nodes.erase("w2");
    m.nodes["w1"].state = "Stopped";
    m.nodes["w1"].role = Role::None;
    m.nodes["w1"].in_lab_swarm = false;
    swarm::LabSpec lab = four_nodes();
    LabObservation o = m.observe(lab);
    o.engine_errors["w1"] = "engine stopped";
    std::ostringstream out;
    print_lab_status(lab, o, out);
    EXPECT_EQ(out.str(),
              "NAME  ROLE     STATE    SWARM    IN LAB SWARM  IP             ERROR\n"
              "m1    manager  Running  leader   yes           192.168.42.10\n"
              "w1    worker   Stopped  -        no            192.168.42.10  engine stopped\n"
              "m2    manager  Running  manager  yes           192.168.42.10\n"
              "w2    worker   missing  -        no            -\n");
}

TEST(LabDown, RemovesTheNodesThatExistAllAtOnceAfterTheRegistryTrustAndTheContext) {
    FakeLabMachines m;
    all_up(m);
    m.nodes.erase("w1");
    m.hold_until_parallel = 3;
    std::vector<std::string> asked;
    std::ostringstream out;
    lab_down(
        four_nodes(), m,
        [&](const std::vector<std::string>& nodes) {
            asked = nodes;
            return true;
        },
        out);
    EXPECT_EQ(asked, (std::vector<std::string>{"m1", "m2", "w2"}));
    EXPECT_EQ(m.max_parallel, 3);
    ASSERT_EQ(m.log.size(), 5u);
    EXPECT_EQ(m.log[0], "forget-registry m1");
    EXPECT_EQ(m.log[1], "remove-context l");
    EXPECT_EQ(sorted(std::vector<std::string>(m.log.begin() + 2, m.log.end())),
              (std::vector<std::string>{"rm m1", "rm m2", "rm w2"}));
    for (const auto& c : m.commands)
        EXPECT_EQ(c, (std::vector<std::string>{"rm", "-y", c.back()}));
    EXPECT_TRUE(m.nodes.empty());
    EXPECT_TRUE(has(out.str(), "lab \"l\": removed m1, m2, w2\n"));
}

TEST(LabDown, NoMeansNothingIsRemoved) {
    FakeLabMachines m;
    all_up(m);
    std::ostringstream out;
    lab_down(
        four_nodes(), m, [](const std::vector<std::string>&) { return false; }, out);
    EXPECT_EQ(out.str(), "Nothing removed.\n");
    EXPECT_TRUE(m.log.empty());
    EXPECT_EQ(m.nodes.size(), 4u);
}

TEST(LabDown, NothingThereAsksNothing) {
    FakeLabMachines m;
    bool asked = false;
    std::ostringstream out;
    lab_down(
        four_nodes(), m,
        [&](const std::vector<std::string>&) {
            asked = true;
            return true;
        },
        out);
    EXPECT_FALSE(asked);
    EXPECT_EQ(out.str(), "lab \"l\": no node exists, nothing to remove\n");
    EXPECT_TRUE(m.log.empty());
}

TEST(LabDown, WithoutARegistryOrItsManagerTheHostTrustIsLeftAsItIs) {
    FakeLabMachines m;
    all_up(m);
    m.nodes.erase("m1");
    std::ostringstream out;
    lab_down(four_nodes(), m, {}, out); // m1, which ran the registry, is gone
    EXPECT_TRUE(m.logged("forget-registry").empty());
    EXPECT_EQ(m.logged("rm ").size(), 3u);

    FakeLabMachines n;
    all_up(n);
    swarm::LabSpec lab = four_nodes();
    lab.registry = false;
    lab_down(lab, n, {}, out);
    EXPECT_TRUE(n.logged("forget-registry").empty());
    EXPECT_EQ(n.logged("remove-context"), (std::vector<std::string>{"remove-context l"}));
}

TEST(LabDown, ANodeNotRemovedIsNamedAndTheOthersAreGone) {
    FakeLabMachines m;
    all_up(m);
    m.rm_fails = {"w1"};
    std::ostringstream out;
    try {
        lab_down(four_nodes(), m, {}, out);
        ADD_FAILURE() << "lab down did not throw";
    } catch (const Error& e) {
        EXPECT_STREQ(e.what(), "lab \"l\": could not remove w1");
    }
    EXPECT_TRUE(has(out.str(), "[w1] cannot remove\n[w1] removed FAILED after "));
    EXPECT_EQ(m.nodes.size(), 1u);
    EXPECT_TRUE(m.nodes.count("w1"));
}

TEST(LabJobs, AJobThatCannotStartFailsWithItsReason) {
    class Throws : public FakeLabMachines {
    public:
        support::ProcessResult run(const LabJob&) override {
            throw Unavailable("machine: not found");
        }
    } m;
    std::ostringstream out;
    auto failed =
        run_lab_jobs(m, {{"a", {"start", "a"}}, {"b", {"start", "b"}}}, 2, "started", out);
    EXPECT_EQ(sorted(failed), (std::vector<std::string>{"a", "b"}));
    EXPECT_TRUE(has(out.str(), "[a] machine: not found\n[a] started FAILED after "));
}

// run() reaches no machine: an SSH backend that any use of fails the test.
struct NoSsh : provision::SshBackend {
    std::unique_ptr<provision::SshSession> connect(const provision::SshTarget&,
                                                   std::chrono::milliseconds) override {
        ADD_FAILURE() << "run() opened an SSH session";
        throw Error("no SSH here");
    }
    void check_private_key(const std::filesystem::path&) override { ADD_FAILURE() << "key checked"; }
    std::string generate_ed25519_key(const std::filesystem::path&, const std::string&) override {
        ADD_FAILURE() << "key generated";
        return "";
    }
};

// The real machines run each job as this binary with the global options first.
TEST(StoreLabMachines, AJobIsTheBinaryWithTheGlobalOptionsThenTheCommand) {
    TempDir dir;
    NoSsh ssh;
    FakeRunner runner;
    runner.fallback = fail("refused\n", 3);
    StoreLabMachines machines({Store(dir.path()),
                               {},
                               runner,
                               nullptr,
                               "/usr/bin/machine",
                               {"--storage-path", dir.path().string(), "--debug"},
                               {ssh, {}}});
    auto r = machines.run({"n1", {"rm", "-y", "n1"}});
    EXPECT_EQ(r.exit_code, 3);
    ASSERT_EQ(runner.ran.size(), 1u);
    EXPECT_EQ(runner.ran[0].program, "/usr/bin/machine");
    EXPECT_EQ(runner.ran[0].args, (std::vector<std::string>{"--storage-path", dir.path().string(),
                                                              "--debug", "rm", "-y", "n1"}));
    EXPECT_EQ(runner.ran[0].timeout, std::chrono::minutes(30));
    EXPECT_FALSE(machines.exists("n1"));
    // Nothing of the lab exists: observing asks no hypervisor and no engine.
    swarm::LabSpec lab;
    lab.name = "l";
    lab.nodes.push_back({"n1", Role::Manager});
    LabObservation o = machines.observe(lab);
    EXPECT_FALSE(o.nodes.at("n1").exists);
    EXPECT_TRUE(o.engine_errors.empty());
}

} // namespace
} // namespace machine::testing
