// Lab files (`machine lab up FILE`): parsing, then the create arguments and the plan for an
// empty host. machine::Error (UsageError naming the line) is the expected failure.
#include "machine/support/error.h"
#include "swarm/lab.h"

#include <cstddef>
#include <cstdint>
#include <string>

namespace sw = machine::swarm;

// The rules `machine lab up` passes (cmd_lab.cpp builds them from create's options), for the
// libvirt and none drivers, with the shape of the store's name rule.
static const sw::LabRules& rules() {
    static const sw::LabRules r = [] {
        sw::LabRules x;
        sw::LabFlagKind value, list{false, true}, flag{true, false};
        x.driver_flags["libvirt"] = {{"libvirt-memory", value}, {"libvirt-network", value}};
        x.driver_flags["none"] = {{"url", value}};
        x.driver_flags["virtualbox"] = {{"virtualbox-no-share", flag}};
        x.node_flags = {{"engine-label", list}, {"engine-opt", list}, {"tls-san", list}};
        // The shape of the store's rule (machine/names.cpp), without linking machine_core.
        x.name_problem = [](const std::string& n) -> std::optional<std::string> {
            if (n.empty() || n.size() > 63 || n.find_first_not_of(
                    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.") !=
                    std::string::npos)
                return "invalid name";
            return std::nullopt;
        };
        return x;
    }();
    return r;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    try {
        const sw::LabSpec lab =
            sw::parse_lab(std::string(reinterpret_cast<const char*>(data), size), "lab.yaml", rules());
        for (const auto& node : lab.nodes) {
            (void)sw::create_args(lab, node);
        }
        (void)sw::plan_lab(lab, {});
        std::map<std::string, sw::NodeObservation> seen;
        for (const auto& node : lab.nodes) {
            seen[node.name] = {true, "Running", "", node.role, "c1", false};
        }
        (void)sw::plan_lab(lab, seen);
    } catch (const machine::Error&) {
    }
    return 0;
}
