// Lab files (`machine lab up FILE`): parsing, then the create arguments and the plan for an
// empty host. machine::Error (UsageError naming the line) is the expected failure.
#include "machine/support/error.h"
#include "swarm/lab.h"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    namespace sw = machine::swarm;
    try {
        const sw::LabSpec lab =
            sw::parse_lab(std::string(reinterpret_cast<const char*>(data), size), "lab.yaml");
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
