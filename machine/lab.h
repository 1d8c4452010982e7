#pragma once
// `machine lab up|status|down`: runs a lab's plan against machines. Parsing and planning are pure
// (swarm/lab.h); this is the part that acts: it asks LabMachines what exists, runs the plan's
// steps (start, create, swarm init/join, registry, docker context) and says what happened.
//
// Nodes are created by running this same binary (`machine create ...`) once per node, a bounded
// number at a time, rather than calling create_machine() in threads: each create is then exactly
// what a user would run, a crash or hang of one cannot take the others down (and a timeout can
// end it), and the store's per-machine and CA flocks (made for concurrent processes) serialize
// what must be serialized, such as building the image once.
#include "machine/support/process.h"
#include "swarm/lab.h"

#include <functional>
#include <map>
#include <ostream>
#include <string>
#include <vector>

namespace machine {

// What lab up and lab status learn about the lab's nodes.
struct LabObservation {
    std::map<std::string, swarm::NodeObservation> nodes;
    std::map<std::string, std::string> node_ids; // swarm node IDs
    std::map<std::string, std::string> ips;
    std::map<std::string, std::string> engine_errors;
};

// One `machine` command run for one node: `machine <global options> <command...>`.
struct LabJob {
    std::string node;
    std::vector<std::string> command; // {"create", ...}, {"start", NAME}, {"rm", "-y", NAME}
};

// The machines a lab acts on. Abstract so that lab up and lab down are tested without VMs,
// engines or child processes; StoreLabMachines (lab_machines.h) is the real one.
class LabMachines {
public:
    virtual ~LabMachines() = default;
    // What exists of the lab, its hypervisor state, swarm role and IP (asks the engines).
    virtual LabObservation observe(const swarm::LabSpec& lab) = 0;
    // Whether the store has a machine of that name (asks nothing else).
    virtual bool exists(const std::string& name) = 0;
    // Runs `machine <job.command>` to its end; called from several threads at once.
    virtual support::ProcessResult run(const LabJob& job) = 0;
    // Readies the manager the others join through and, when `init`, starts the swarm on it.
    virtual void ready_manager(const std::string& manager, bool init, std::ostream& out) = 0;
    // Joins `node` to the swarm `manager` is in, with `role`.
    virtual void join(const std::string& node, const std::string& manager, swarm::Role role,
                      std::ostream& out) = 0;
    // Runs the lab's registry on `manager` and gives each of `members` its certificates.
    virtual void ensure_registry(const std::string& manager,
                                 const std::vector<std::string>& members, std::ostream& out) = 0;
    // Writes the docker context named after the lab, pointing at `manager`; says what happened
    // and never throws (a context not written leaves the lab up).
    virtual void write_context(const swarm::LabSpec& lab, const std::string& manager,
                               std::ostream& out) = 0;
    // Removes this host's trust in the registry run on `manager` (its client files). Never
    // throws.
    virtual void forget_registry(const std::string& manager) = 0;
    // Removes the docker context named after the lab if machine wrote it for this lab.
    virtual void remove_context(const swarm::LabSpec& lab, std::ostream& out) = 0;
};

// What this host can give the creates: they run at most min(cores, memory / node memory) at
// once (swarm::create_parallelism).
struct LabHostResources {
    int cores = 1;
    long available_mib = 0;
};
// This host's cores and MemAvailable.
LabHostResources this_host_resources();

// The creates of a plan: one job per node to create, in file order, and how many run at once.
struct LabCreates {
    std::vector<LabJob> jobs;
    int parallel = 1;
};
LabCreates plan_creates(const swarm::LabSpec& lab, const swarm::LabPlan& plan,
                        const LabHostResources& host);

// Runs the jobs, at most `parallel` at once; prints each child's output prefixed with its node
// name when it ends, then "[node] <verb> in Ns" or "[node] <verb> FAILED after Ns". Returns the
// nodes whose job failed, in the order they ended.
std::vector<std::string> run_lab_jobs(LabMachines& machines, const std::vector<LabJob>& jobs,
                                      int parallel, const std::string& verb, std::ostream& out);

// `lab up`: starts stopped nodes, creates missing ones, then plans again from what is there and
// forms the swarm (init, joins), runs the registry and writes the lab's docker context, leaving
// out every node whose step failed. Prints the lab's status last. Throws Error naming the nodes
// that failed (and `file`, to run again) when the lab is not complete.
void lab_up(const swarm::LabSpec& lab, const std::string& file, LabMachines& machines,
            const LabHostResources& host, std::ostream& out);

// `lab status`: NAME ROLE STATE SWARM IN LAB SWARM IP ERROR, one row per node in file order.
void print_lab_status(const swarm::LabSpec& lab, const LabObservation& observed, std::ostream& out);

// Asked before lab down removes anything, with the nodes that exist; false removes nothing.
using LabConfirm = std::function<bool(const std::vector<std::string>& nodes)>;

// `lab down`: removes every node of the lab that exists (`machine rm -y`, all at once), after
// this host's trust in the lab's registry and the lab's docker context. `confirm` (may be
// empty: no question) is asked first. Throws Error naming the nodes not removed.
void lab_down(const swarm::LabSpec& lab, LabMachines& machines, const LabConfirm& confirm,
              std::ostream& out);

} // namespace machine
