#include "swarm/lab.h"

#include "machine/support/error.h"

#include <gtest/gtest.h>

namespace machine::swarm {
namespace {

// Rules as `lab` builds them from the drivers and `machine create` (a subset), with a name rule
// that refuses what the store's rule refuses in these tests.
LabRules test_rules() {
    LabRules r;
    LabFlagKind value, list{false, true}, flag{true, false};
    r.driver_flags["libvirt"] = {{"libvirt-memory", value},
                                 {"libvirt-cpu-count", value},
                                 {"libvirt-disk-size", value},
                                 {"libvirt-network", value},
                                 {"libvirt-uri", value}};
    r.driver_flags["virtualbox"] = {{"virtualbox-memory", value},
                                    {"virtualbox-no-share", flag},
                                    {"virtualbox-no-vtx-check", flag}};
    r.driver_flags["none"] = {{"url", value}};
    r.node_flags = {{"engine-label", list},
                    {"engine-opt", list},
                    {"engine-storage-driver", value},
                    {"tls-san", list}};
    r.name_problem = [](const std::string& name) -> std::optional<std::string> {
        if (name.empty() || name.find_first_of(" /") != std::string::npos ||
            name.find("..") != std::string::npos || name.front() == '-')
            return "use letters, digits, '-' and '.'";
        return std::nullopt;
    };
    return r;
}

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
        parse_lab(text, "lab.yaml", test_rules());
    } catch (const UsageError& e) {
        return e.what();
    }
    return "(parsed)";
}

TEST(LabParse, TheSeedsTwoNodeLab) {
    LabSpec lab = parse_lab(k_two_nodes, "lab.yaml", test_rules());
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
    LabSpec lab =
        load_lab(std::string(MACHINE_SOURCE_DIR) + "/examples/lab.yaml", test_rules(), parse_lab);
    ASSERT_EQ(lab.nodes.size(), 2u);
    EXPECT_EQ(lab.first_manager().name, "myvm1");
    EXPECT_EQ(lab.nodes[1].name, "myvm2");
    EXPECT_EQ(lab.nodes[1].role, Role::Worker);
}

TEST(LabParse, CreateArgsMergeNodeOverDefaults) {
    LabSpec lab = parse_lab(k_two_nodes, "lab.yaml", test_rules());
    EXPECT_EQ(create_args(lab, lab.nodes[0]),
              (std::vector<std::string>{"--driver", "libvirt", "--libvirt-cpu-count=2",
                                        "--libvirt-memory=1024", "--libvirt-network=machine",
                                        "--engine-label=lab=getstartedlab", "--", "myvm1"}));
    EXPECT_EQ(create_args(lab, lab.nodes[1]),
              (std::vector<std::string>{"--driver", "libvirt", "--engine-label=tier=web",
                                        "--engine-label=zone=a", "--libvirt-cpu-count=2",
                                        "--libvirt-memory=2048", "--libvirt-network=machine",
                                        "--engine-label=lab=getstartedlab", "--", "myvm2"}));
}

TEST(LabParse, SwitchesArePassedBareOrLeftOut) {
    LabSpec lab = parse_lab(R"(
name: l
driver: virtualbox
defaults: {flags: {virtualbox-no-share: true, virtualbox-no-vtx-check: false}}
nodes: [{name: a, role: manager}]
)",
                            "lab.yaml", test_rules());
    EXPECT_EQ(create_args(lab, lab.nodes[0]),
              (std::vector<std::string>{"--driver", "virtualbox", "--virtualbox-no-share",
                                        "--engine-label=lab=l", "--", "a"}));
}

TEST(LabParse, AValueThatLooksLikeAFlagStaysAValue) {
    LabSpec lab = parse_lab(R"(
name: l
nodes: [{name: a, role: manager, flags: {libvirt-network: "--tls-ca-cert=/tmp/evil"}}]
)",
                            "lab.yaml", test_rules());
    EXPECT_EQ(create_args(lab, lab.nodes[0]),
              (std::vector<std::string>{"--driver", "libvirt",
                                        "--libvirt-network=--tls-ca-cert=/tmp/evil",
                                        "--engine-label=lab=l", "--", "a"}));
}

TEST(LabParse, ErrorsNameTheFileLineColumnAndProblem) {
    EXPECT_EQ(usage_error("name: x\nnodes:\n  - name: a\n    role: boss\n"),
              "lab.yaml:4:11: role of \"a\" is manager or worker, not \"boss\"");
    EXPECT_EQ(usage_error("name: x\nnodes:\n  - name: a\n    role: worker\n"),
              "lab \"x\" has no node with role: manager");
    EXPECT_EQ(usage_error("name: x\nnodes:\n  - {name: a, role: manager}\n  - {name: a}\n"),
              "lab.yaml:4:12: node \"a\" is listed twice");
    EXPECT_EQ(usage_error("name: x\nnode:\n  - {name: a, role: manager}\n"),
              "lab.yaml:2:1: unknown key \"node\" in the lab (known: defaults, driver, name, "
              "nodes, registry)");
    EXPECT_EQ(usage_error("name: x\ndefaults: {memory: lots}\nnodes: [{name: a, role: manager}]"),
              "lab.yaml:2:20: memory of defaults must be a positive whole number, not \"lots\"");
    EXPECT_EQ(usage_error("name: x\nnodes: [{name: a, role: manager, flags: {swarm-join: b}}]"),
              "lab.yaml:2:42: flag \"swarm-join\" cannot be set in a lab file: the lab chooses "
              "the driver and forms the swarm itself");
    EXPECT_EQ(usage_error("name: x\nnodes: [{name: 'bad name', role: manager}]"),
              "lab.yaml:2:16: node name \"bad name\" is not a valid machine name: use letters, "
              "digits, '-' and '.'");
    EXPECT_EQ(usage_error("name: x\nregistry: yes please\nnodes: [{name: a, role: manager}]"),
              "lab.yaml:2:11: registry is true or false, not \"yes please\"");
    EXPECT_EQ(usage_error("nodes: [{name: a, role: manager}]"),
              "lab.yaml:1:1: the lab has no name");
    EXPECT_EQ(usage_error("name: x\nnodes: []\n"), "lab.yaml:2:8: the lab needs a list of nodes");
    EXPECT_NE(usage_error("name: x\nnodes: [\n").find("lab.yaml:"), std::string::npos);
    EXPECT_EQ(usage_error("name: x\ndriver: qemu\nnodes: [{name: a, role: manager}]"),
              "lab.yaml:2:9: unknown driver \"qemu\" (available: libvirt, none, virtualbox)");
    EXPECT_EQ(usage_error("name: x\n[a]: 1\nnodes: [{name: a, role: manager}]"),
              "lab.yaml:2:1: the keys of the lab are names, not lists or mappings");
}

// Issue 10: a lab file chooses what a node may choose, never the store, its CA or the client.
TEST(LabParse, GlobalFlagsAreRefusedWithLineAndColumn) {
    const std::string tail = "cannot be set in a lab file: a node sets only flags of driver "
                             "\"libvirt\" and engine flags (see `machine create --help`); global "
                             "options go on the command line";
    for (std::string flag : {"tls-ca-cert", "tls-ca-key", "tls-client-cert", "tls-client-key",
                             "storage-path", "debug", "help", "native-ssh", "s", "D", "version",
                             "--tls-ca-cert", "tls-ca-cert=/tmp/x", "bogus"}) {
        std::string plain = flag;
        while (plain.front() == '-')
            plain.erase(plain.begin());
        EXPECT_EQ(usage_error("name: x\nnodes:\n  - name: a\n    role: manager\n    flags:\n"
                              "      " +
                              flag + ": /tmp/evil\n"),
                  "lab.yaml:6:7: flag \"" + plain + "\" " + tail)
            << flag;
        EXPECT_EQ(usage_error("name: x\ndefaults:\n  flags:\n    " + flag +
                              ": /tmp/evil\nnodes: [{name: a, role: manager}]\n"),
                  "lab.yaml:4:5: flag \"" + plain + "\" " + tail)
            << flag;
    }
}

TEST(LabParse, OnlyTheNamedDriversFlagsPass) {
    EXPECT_EQ(usage_error("name: x\ndefaults: {flags: {virtualbox-memory: 1}}\n"
                          "nodes: [{name: a, role: manager}]"),
              "lab.yaml:2:20: flag \"virtualbox-memory\" belongs to driver \"virtualbox\"; this "
              "lab's nodes use driver \"libvirt\"");
    EXPECT_EQ(usage_error("name: x\ndriver: none\ndefaults: {flags: {libvirt-uri: 'qemu:///x'}}\n"
                          "nodes: [{name: a, role: manager}]"),
              "lab.yaml:3:20: flag \"libvirt-uri\" belongs to driver \"libvirt\"; this lab's "
              "nodes use driver \"none\"");
    EXPECT_EQ(usage_error("name: x\ndriver: none\ndefaults: {memory: 512}\n"
                          "nodes: [{name: a, role: manager}]"),
              "lab.yaml:3:20: memory cannot be set for driver \"none\": it has no "
              "--none-memory flag");
    EXPECT_EQ(usage_error("name: x\ndriver: virtualbox\n"
                          "defaults: {flags: {virtualbox-no-share: maybe}}\n"
                          "nodes: [{name: a, role: manager}]"),
              "lab.yaml:3:41: flag \"virtualbox-no-share\" is a switch: true or false, not "
              "\"maybe\"");
    EXPECT_EQ(usage_error("name: x\ndefaults: {flags: {engine-storage-driver: [a, b]}}\n"
                          "nodes: [{name: a, role: manager}]"),
              "lab.yaml:2:43: flag \"engine-storage-driver\" takes one value, not a list");
    LabSpec ok = parse_lab("name: x\ndriver: none\ndefaults: {flags: {url: 'tcp://127.0.0.1:1', "
                           "engine-opt: [a=b], tls-san: [h.example]}}\n"
                           "nodes: [{name: a, role: manager}]",
                           "lab.yaml", test_rules());
    EXPECT_EQ(
        create_args(ok, ok.nodes[0]),
        (std::vector<std::string>{"--driver", "none", "--engine-opt=a=b", "--tls-san=h.example",
                                  "--url=tcp://127.0.0.1:1", "--engine-label=lab=x", "--", "a"}));
}

TEST(LabParse, NodeAndLabNamesFollowTheMachineNameRule) {
    for (std::string bad : {"../x", "..", "-rf", "a/b"}) {
        EXPECT_EQ(usage_error("name: x\nnodes: [{name: '" + bad + "', role: manager}]"),
                  "lab.yaml:2:16: node name \"" + bad +
                      "\" is not a valid machine name: use letters, digits, '-' and '.'")
            << bad;
        EXPECT_EQ(usage_error("name: '" + bad + "'\nnodes: [{name: a, role: manager}]"),
                  "lab.yaml:1:7: lab name \"" + bad +
                      "\" is not a valid machine name: use letters, digits, '-' and '.'")
            << bad;
    }
}

TEST(LabParse, AMissingFileIsNotFound) {
    EXPECT_THROW(load_lab("/nonexistent/lab.yaml", test_rules(), parse_lab), NotFound);
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
                            "lab.yaml", test_rules());
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
