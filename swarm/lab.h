#pragma once
// Lab files: several machines and their swarm described in one YAML file (examples/lab.yaml
// documents the schema), and the plan that brings what exists to what the file says. Pure:
// parsing and planning touch no machine, so `lab up` stays idempotent by construction (what to
// do is a function of the file and of the observed state) and is tested without VMs.
#include "swarm/swarm.h"

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace machine::swarm {

// Values of `machine create` flags, by flag name without dashes ("libvirt-network"). A list is
// a repeated flag; the value "true" of a switch is passed as the bare flag.
using FlagMap = std::map<std::string, std::vector<std::string>>;

struct LabNodeSpec {
    std::string name;
    Role role = Role::Worker;   // Worker or Manager
    std::optional<long> memory; // MiB
    std::optional<long> cpus;
    std::optional<long> disk; // MB
    FlagMap flags;            // over the lab's default flags
};

struct LabSpec {
    std::string name;
    std::string driver = "libvirt";
    std::optional<long> memory, cpus, disk; // defaults for every node
    FlagMap flags;                          // default flags for every node
    std::vector<LabNodeSpec> nodes;
    bool registry = false;
    std::set<std::string> switches; // flags of `flags` that take no value (true/false)
    // The first node whose role is manager: the one that starts the swarm.
    const LabNodeSpec& first_manager() const;
};

// How a flag of `machine create` takes its value.
struct LabFlagKind {
    bool is_switch = false;  // no value: true passes it, false leaves it out
    bool repeatable = false; // a list of values repeats it
};

// What a lab file may set, given by the caller so that the lab and `machine create` cannot
// disagree: per driver, that driver's create flags; for every node, the per-node create flags
// that belong to no driver (engine-*, tls-san). Anything else (the global --storage-path,
// --tls-ca-cert, --debug, ... and another driver's flags) is refused. `name_problem` is the
// machine-name rule (nullopt when valid), applied to the lab's and every node's name.
struct LabRules {
    std::map<std::string, std::map<std::string, LabFlagKind>> driver_flags;
    std::map<std::string, LabFlagKind> node_flags;
    std::function<std::optional<std::string>(const std::string&)> name_problem;
};

// Parses a lab file's text. Throws UsageError "<source>:<line>:<column>: <problem>" (unknown
// keys, a missing or invalid name, duplicate names, no manager, bad numbers, an unknown driver,
// a flag the rules do not allow a node to set). The yaml-cpp reader (lab_yaml.cpp) is in
// machine-backends.so: the program reaches it through the module's table
// (machine/support/backends.h); test binaries link it in.
LabSpec parse_lab(const std::string& text, const std::string& source, const LabRules& rules);
// A lab file reader, such as parse_lab; given by the CLI (cli/context.h).
using LabParser = std::function<LabSpec(const std::string& text, const std::string& source,
                                        const LabRules& rules)>;
// Reads a file and parses it with `parse`; throws NotFound when it does not exist.
LabSpec load_lab(const std::filesystem::path& file, const LabRules& rules, const LabParser& parse);

// The arguments after `machine create` for one node: driver, sizes under the driver's flag
// names (<driver>-memory, -cpu-count, -disk-size), flags (node over defaults) as --flag=value
// (a value never reads as another flag), an engine label lab=<name>, then `--` and the node's
// name last.
std::vector<std::string> create_args(const LabSpec& lab, const LabNodeSpec& node);

// What `lab up` observed about one node before acting.
struct NodeObservation {
    bool exists = false;
    std::string state;         // the hypervisor's: Running, Stopped, ...; "" when unknown
    std::string error;         // the machine's recorded error (a failed create), or why its
                               // engine could not be asked
    Role role = Role::None;    // its engine's swarm role
    std::string cluster_id;    // managers only
    bool in_lab_swarm = false; // the lab's manager lists it
};

struct LabPlan {
    std::vector<std::string> create;                // missing nodes, in file order
    std::vector<std::string> start;                 // existing nodes that are not running
    std::string manager;                            // the manager the others join through
    bool init = false;                              // `manager` must start the swarm first
    std::vector<std::pair<std::string, Role>> join; // in file order, managers first
    std::vector<std::string> problems;              // nodes the plan leaves alone, and why
    bool nothing_to_do() const { return create.empty() && start.empty() && !init && join.empty(); }
};

// The plan for `observed` (by node name; absent names count as not existing). The manager is
// the first manager-role node that already manages a swarm, else the first manager-role node,
// which then inits. Every other node not yet in that swarm joins it with its role; a node in
// another swarm, or one whose create failed, is reported in `problems` and left alone.
LabPlan plan_lab(const LabSpec& lab, const std::map<std::string, NodeObservation>& observed);

// How many nodes to create at once: min(cores, available memory / node memory), at least 1.
int create_parallelism(int cores, long available_mib, long node_mib);

} // namespace machine::swarm
