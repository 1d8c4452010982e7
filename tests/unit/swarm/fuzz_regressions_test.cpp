// Inputs the fuzzers (tests/fuzz) found to crash a parser, kept as regression tests.
#include "machine/support/error.h"
#include "swarm/lab.h"
#include "swarm/swarm.h"

#include <gtest/gtest.h>

#include <deque>

namespace machine::swarm {
namespace {

// What `machine lab up` allows a node to set, reduced to one driver (cmd_lab.cpp builds the
// real rules from create's options).
LabRules fuzz_rules() {
    LabRules r;
    r.driver_flags["libvirt"] = {{"libvirt-memory", LabFlagKind{}}};
    r.node_flags = {{"engine-label", LabFlagKind{false, true}}};
    r.name_problem = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
    return r;
}

// fuzz_lab_yaml: a mapping used as a key ("? key: value") made yaml-cpp's as<std::string>()
// throw YAML::TypedBadConversion through parse_lab (std::terminate in `machine lab up`).
TEST(FuzzRegressions, LabFileWithAMappingAsKeyIsAUsageErrorWithItsLine) {
    const std::string text = "name: bad\n"
                             "nodes:\n"
                             "  - name: m1\n"
                             "    role: manager\n"
                             "    flags:\n"
                             "    ? tls-ca-cert: /tmp/evil.pem\n";
    try {
        parse_lab(text, "lab.yaml", fuzz_rules());
        FAIL() << "parsed a lab file with a mapping as a key";
    } catch (const UsageError& e) {
        EXPECT_EQ(std::string(e.what()).rfind("lab.yaml:6:", 0), 0u) << e.what();
    }
    EXPECT_THROW(parse_lab("{[a]: 1}\n", "lab.yaml", fuzz_rules()), UsageError);
}

// Answers each call with the next canned reply.
class CannedEngine : public EngineApi {
public:
    explicit CannedEngine(std::deque<nlohmann::json> bodies) : m_bodies(std::move(bodies)) {}
    ApiResponse call(const std::string& method, const std::string& path,
                     const nlohmann::json&) override {
        calls.push_back(method + " " + path);
        ApiResponse r;
        r.status = 200;
        if (!m_bodies.empty()) {
            r.body = m_bodies.front();
            m_bodies.pop_front();
        }
        r.text = r.body.dump();
        return r;
    }
    std::string endpoint() const override { return "canned"; }
    std::vector<std::string> calls;

private:
    std::deque<nlohmann::json> m_bodies;
};

// fuzz_docker_api: an engine reply with a string where a number or boolean belongs
// ("Version": {"Index": "12"}, "Leader": "yes") threw nlohmann's type_error out of swarm code.
TEST(FuzzRegressions, EngineRepliesOfTheWrongTypeReadAsAbsent) {
    using Replies = std::deque<nlohmann::json>;
    CannedEngine manager(Replies{nlohmann::json::parse(
        R"({"ID": "n1", "Version": {"Index": "12"}, "Spec": {"Role": "worker"}})")});
    EXPECT_TRUE(set_node_role(manager, "n1", Role::Manager));
    EXPECT_EQ(manager.calls.back(), "POST /nodes/n1/update?version=0");

    CannedEngine node(
        Replies{nlohmann::json::parse(
                    R"({"Swarm": {"LocalNodeState": "active", "ControlAvailable": "yes",
                                         "NodeID": "n1"}})"),
                nlohmann::json::parse(R"({"ManagerStatus": {"Leader": 1}})")});
    EXPECT_EQ(inspect(node).role, Role::Worker);

    CannedEngine lister(Replies{nlohmann::json::parse(
        R"([{"ID": "n1", "Description": {"Hostname": "m1"}, "ManagerStatus": {"Leader": "x"}}])")});
    const auto listed = nodes(lister);
    ASSERT_EQ(listed.size(), 1u);
    EXPECT_EQ(listed[0].manager_status, "");
}

} // namespace
} // namespace machine::swarm
