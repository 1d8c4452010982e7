#include "swarm/lab.h"

#include "machine/support/error.h"

#include <gtest/gtest.h>

namespace machine::swarm {
namespace {

const char* k_two_nodes = R"(
name: getstartedlab
driver: libvirt
defaults:
  memory: 1024
  cpus: 2
  flags:
    libvirt-network: machine
nodes:
  - name: myvm1
    role: manager
  - name: myvm2
    role: worker
    memory: 2048
    flags:
      engine-label: [tier=web, zone=a]
registry: true
)";

std::string usage_error(const std::string& text) {
    try {
        parse_lab(text, "lab.yaml");
    } catch (const UsageError& e) {
        return e.what();
    }
    return "(parsed)";
}

TEST(LabParse, TheSeedsTwoNodeLab) {
    LabSpec lab = parse_lab(k_two_nodes, "lab.yaml");
    EXPECT_EQ(lab.name, "getstartedlab");
    EXPECT_EQ(lab.driver, "libvirt");
    EXPECT_TRUE(lab.registry);
    ASSERT_EQ(lab.nodes.size(), 2u);
    EXPECT_EQ(lab.nodes[0].name, "myvm1");
    EXPECT_EQ(lab.nodes[0].role, Role::Manager);
    EXPECT_EQ(lab.nodes[1].role, Role::Worker);
    EXPECT_EQ(lab.nodes[1].memory, 2048);
    EXPECT_EQ(lab.first_manager().name, "myvm1");
}

TEST(LabParse, TheShippedExampleParses) {
    LabSpec lab = load_lab(std::string(MACHINE_SOURCE_DIR) + "/examples/lab.yaml");
    ASSERT_EQ(lab.nodes.size(), 2u);
    EXPECT_EQ(lab.first_manager().name, "myvm1");
    EXPECT_EQ(lab.nodes[1].name, "myvm2");
    EXPECT_EQ(lab.nodes[1].role, Role::Worker);
}

TEST(LabParse, CreateArgsMergeNodeOverDefaults) {
    LabSpec lab = parse_lab(k_two_nodes, "lab.yaml");
    EXPECT_EQ(create_args(lab, lab.nodes[0]),
              (std::vector<std::string>{"--driver", "libvirt", "--libvirt-cpu-count", "2",
                                        "--libvirt-memory", "1024", "--libvirt-network", "machine",
                                        "--engine-label", "lab=getstartedlab", "myvm1"}));
    EXPECT_EQ(create_args(lab, lab.nodes[1]),
              (std::vector<std::string>{"--driver", "libvirt", "--engine-label", "tier=web",
                                        "--engine-label", "zone=a", "--libvirt-cpu-count", "2",
                                        "--libvirt-memory", "2048", "--libvirt-network", "machine",
                                        "--engine-label", "lab=getstartedlab", "myvm2"}));
}

TEST(LabParse, SwitchesArePassedBareOrLeftOut) {
    LabSpec lab = parse_lab(R"(
name: l
driver: virtualbox
defaults: {flags: {virtualbox-no-share: true, virtualbox-no-vtx-check: false}}
nodes: [{name: a, role: manager}]
)",
                            "lab.yaml");
    EXPECT_EQ(create_args(lab, lab.nodes[0]),
              (std::vector<std::string>{"--driver", "virtualbox", "--virtualbox-no-share",
                                        "--engine-label", "lab=l", "a"}));
}

TEST(LabParse, ErrorsNameTheFileLineAndProblem) {
    EXPECT_EQ(usage_error("name: x\nnodes:\n  - name: a\n    role: boss\n"),
              "lab.yaml:4: role of \"a\" is manager or worker, not \"boss\"");
    EXPECT_EQ(usage_error("name: x\nnodes:\n  - name: a\n    role: worker\n"),
              "lab \"x\" has no node with role: manager");
    EXPECT_EQ(usage_error("name: x\nnodes:\n  - {name: a, role: manager}\n  - {name: a}\n"),
              "lab.yaml:4: node \"a\" is listed twice");
    EXPECT_EQ(usage_error("name: x\nnode:\n  - {name: a, role: manager}\n"),
              "lab.yaml:2: unknown key \"node\" in the lab (known: defaults, driver, name, "
              "nodes, registry)");
    EXPECT_EQ(usage_error("name: x\ndefaults: {memory: lots}\nnodes: [{name: a, role: manager}]"),
              "lab.yaml:2: memory of defaults must be a positive whole number, not \"lots\"");
    EXPECT_EQ(usage_error("name: x\nnodes: [{name: a, role: manager, flags: {swarm-join: b}}]"),
              "lab.yaml:2: flag \"swarm-join\" cannot be set in a lab file: the lab chooses the "
              "driver and forms the swarm itself");
    EXPECT_EQ(usage_error("name: x\nnodes: [{name: 'bad name', role: manager}]"),
              "lab.yaml:2: node name \"bad name\" may hold only letters, digits, '-' and '.'");
    EXPECT_EQ(usage_error("name: x\nregistry: yes please\nnodes: [{name: a, role: manager}]"),
              "lab.yaml:2: registry is true or false, not \"yes please\"");
    EXPECT_EQ(usage_error("nodes: [{name: a, role: manager}]"), "lab.yaml:1: the lab has no name");
    EXPECT_EQ(usage_error("name: x\nnodes: []\n"), "lab.yaml:2: the lab needs a list of nodes");
    EXPECT_NE(usage_error("name: x\nnodes: [\n").find("lab.yaml:"), std::string::npos);
}

TEST(LabParse, AMissingFileIsNotFound) {
    EXPECT_THROW(load_lab("/nonexistent/lab.yaml"), NotFound);
}

// Planning: what `lab up` does for a given observed state.
class LabPlanTest : public ::testing::Test {
protected:
    LabSpec lab = parse_lab(R"(
name: l
nodes:
  - {name: m1, role: manager}
  - {name: w1, role: worker}
  - {name: m2, role: manager}
  - {name: w2, role: worker}
)",
                            "lab.yaml");
    static NodeObservation running(Role role = Role::None, bool in_lab = false) {
        NodeObservation o;
        o.exists = true;
        o.state = "Running";
        o.role = role;
        o.in_lab_swarm = in_lab;
        return o;
    }
};

TEST_F(LabPlanTest, FromNothingCreatesAllInitsTheFirstManagerJoinsManagersFirst) {
    LabPlan p = plan_lab(lab, {});
    EXPECT_EQ(p.create, (std::vector<std::string>{"m1", "w1", "m2", "w2"}));
    EXPECT_TRUE(p.start.empty());
    EXPECT_EQ(p.manager, "m1");
    EXPECT_TRUE(p.init);
    EXPECT_EQ(p.join, (std::vector<std::pair<std::string, Role>>{
                          {"m2", Role::Manager}, {"w1", Role::Worker}, {"w2", Role::Worker}}));
    EXPECT_TRUE(p.problems.empty());
    EXPECT_FALSE(p.nothing_to_do());
}

TEST_F(LabPlanTest, WhenEverythingIsThereNothingIsDone) {
    LabPlan p = plan_lab(lab, {{"m1", running(Role::Leader, true)},
                               {"w1", running(Role::Worker, true)},
                               {"m2", running(Role::Manager, true)},
                               {"w2", running(Role::Worker, true)}});
    EXPECT_TRUE(p.nothing_to_do());
    EXPECT_EQ(p.manager, "m1");
    EXPECT_TRUE(p.problems.empty());
}

TEST_F(LabPlanTest, OnlyTheMissingNodeIsCreatedAndJoined) {
    LabPlan p = plan_lab(lab, {{"m1", running(Role::Leader, true)},
                               {"w1", running(Role::Worker, true)},
                               {"m2", running(Role::Manager, true)}});
    EXPECT_EQ(p.create, (std::vector<std::string>{"w2"}));
    EXPECT_FALSE(p.init);
    EXPECT_EQ(p.join, (std::vector<std::pair<std::string, Role>>{{"w2", Role::Worker}}));
}

TEST_F(LabPlanTest, AnExistingManagerIsKeptEvenIfNotFirstInTheFile) {
    // m2 leads a swarm (m1 was removed and is re-created): m1 joins m2's swarm.
    LabPlan p =
        plan_lab(lab, {{"m2", running(Role::Leader, true)}, {"w1", running(Role::Worker, true)}});
    EXPECT_EQ(p.manager, "m2");
    EXPECT_FALSE(p.init);
    EXPECT_EQ(p.create, (std::vector<std::string>{"m1", "w2"}));
    EXPECT_EQ(p.join, (std::vector<std::pair<std::string, Role>>{{"m1", Role::Manager},
                                                                 {"w2", Role::Worker}}));
}

TEST_F(LabPlanTest, StoppedNodesAreStartedAndANodeThatLeftRejoins) {
    NodeObservation stopped = running(Role::None);
    stopped.state = "Stopped";
    LabPlan p = plan_lab(lab, {{"m1", running(Role::Leader, true)},
                               {"w1", stopped},
                               {"m2", running(Role::Manager, true)},
                               {"w2", running(Role::None)}});
    EXPECT_EQ(p.start, (std::vector<std::string>{"w1"}));
    EXPECT_TRUE(p.create.empty());
    EXPECT_EQ(p.join, (std::vector<std::pair<std::string, Role>>{{"w1", Role::Worker},
                                                                 {"w2", Role::Worker}}));
}

TEST_F(LabPlanTest, AWorkerThatShouldManageIsPromoted) {
    LabPlan p = plan_lab(lab, {{"m1", running(Role::Leader, true)},
                               {"w1", running(Role::Worker, true)},
                               {"m2", running(Role::Worker, true)},
                               {"w2", running(Role::Worker, true)}});
    EXPECT_EQ(p.join, (std::vector<std::pair<std::string, Role>>{{"m2", Role::Manager}}));
}

TEST_F(LabPlanTest, NodesOfAnotherSwarmAndFailedCreatesAreLeftAloneWithAReason) {
    NodeObservation failed;
    failed.exists = true;
    failed.error = "SSH did not answer";
    LabPlan p = plan_lab(lab, {{"m1", running(Role::Leader, true)},
                               {"w1", running(Role::Worker, false)},
                               {"m2", failed},
                               {"w2", running(Role::Worker, true)}});
    EXPECT_TRUE(p.join.empty());
    ASSERT_EQ(p.problems.size(), 2u);
    EXPECT_EQ(p.problems[0], "m2: its create failed (SSH did not answer); run `machine rm -y m2` "
                             "and `lab up` again");
    EXPECT_EQ(p.problems[1], "w1: in another swarm; run `machine swarm leave --force w1` and "
                             "`lab up` again");
}

TEST(LabParallelism, BoundedByCoresAndMemoryAtLeastOne) {
    EXPECT_EQ(create_parallelism(2, 16000, 1024), 2);
    EXPECT_EQ(create_parallelism(8, 3000, 1024), 2);
    EXPECT_EQ(create_parallelism(8, 500, 1024), 1);
    EXPECT_EQ(create_parallelism(0, 0, 1024), 1);
    EXPECT_EQ(create_parallelism(4, 100000, 0), 4);
}

} // namespace
} // namespace machine::swarm
