#pragma once
// A lab's machines in memory: what exists, in which state and swarm role, and a log of every
// step lab up/down took on them, in order. Child commands (create, start, rm) change the nodes
// as the real ones would; a node named in a *_fails set fails that step instead.
#include "machine/lab.h"
#include "machine/support/error.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace machine::testing {

struct FakeNode {
    std::string state = "Running";
    std::string error; // a create that failed after saving the record
    swarm::Role role = swarm::Role::None;
    bool in_lab_swarm = false;
    std::string ip = "192.168.42.10";
};

class FakeLabMachines : public LabMachines {
public:
    std::map<std::string, FakeNode> nodes;
    std::set<std::string> create_fails;        // exits 1, leaves nothing
    std::set<std::string> create_leaves_error; // exits 1, leaves a record with an error
    std::set<std::string> join_fails, rm_fails, init_fails, registry_fails;
    // run() waits (at most 5 s) until this many jobs have run at once, so a test sees the
    // parallelism lab asked for and not what the scheduler happened to give.
    int hold_until_parallel = 0;

    // Everything done, in order: "create NAME", "start NAME", "rm NAME" (jobs in the order
    // they began), "init M" / "manager M", "join N M ROLE", "registry M: A,B",
    // "context LAB M", "forget-registry M", "remove-context LAB".
    std::vector<std::string> log;
    std::vector<std::vector<std::string>> commands; // each job's command, as given
    int max_parallel = 0;
    int observed = 0; // calls of observe()

    // The log entries that start with `prefix`.
    std::vector<std::string> logged(const std::string& prefix) const {
        std::vector<std::string> out;
        for (const auto& l : log)
            if (l.rfind(prefix, 0) == 0)
                out.push_back(l);
        return out;
    }

    LabObservation observe(const swarm::LabSpec& lab) override {
        std::lock_guard lock(m_mutex);
        ++observed;
        LabObservation o;
        for (const auto& n : lab.nodes) {
            auto& obs = o.nodes[n.name];
            auto it = nodes.find(n.name);
            if (it == nodes.end())
                continue;
            obs.exists = true;
            obs.state = it->second.state;
            obs.error = it->second.error;
            obs.role = it->second.role;
            obs.in_lab_swarm = it->second.in_lab_swarm;
            o.ips[n.name] = it->second.ip;
        }
        return o;
    }

    bool exists(const std::string& name) override {
        std::lock_guard lock(m_mutex);
        return nodes.count(name) > 0;
    }

    support::ProcessResult run(const LabJob& job) override {
        std::unique_lock lock(m_mutex);
        const std::string verb = job.command.front();
        const std::string name = job.command.back();
        log.push_back(verb + " " + name);
        commands.push_back(job.command);
        max_parallel = std::max(max_parallel, ++m_running);
        m_changed.notify_all();
        m_changed.wait_for(lock, std::chrono::seconds(5),
                           [&] { return max_parallel >= hold_until_parallel; });
        --m_running;
        support::ProcessResult r;
        r.exit_code = 0;
        if (verb == "create") {
            if (create_fails.count(name) || create_leaves_error.count(name)) {
                r.exit_code = 1;
                r.err = "Error creating machine: boom\n";
                if (create_leaves_error.count(name))
                    nodes[name].error = "boom";
            } else {
                r.out = "Docker is up and running!\n";
                nodes[name] = FakeNode{};
            }
        } else if (verb == "start") {
            nodes[name].state = "Running";
        } else if (verb == "rm") {
            if (rm_fails.count(name)) {
                r.exit_code = 1;
                r.err = "cannot remove\n";
            } else {
                nodes.erase(name);
            }
        }
        return r;
    }

    void ready_manager(const std::string& manager, bool init, std::ostream& out) override {
        log.push_back((init ? "init " : "manager ") + manager);
        if (init_fails.count(manager))
            throw Error("engine of " + manager + " does not answer");
        if (init) {
            nodes[manager].role = swarm::Role::Leader;
            nodes[manager].in_lab_swarm = true;
            out << "Swarm initialized on " << manager << "\n";
        }
    }

    void join(const std::string& node, const std::string& manager, swarm::Role role,
              std::ostream& out) override {
        log.push_back(fmt::format("join {} {} {}", node, manager, swarm::to_string(role)));
        if (join_fails.count(node))
            throw Error("engine of " + node + " does not answer");
        nodes[node].role = role;
        nodes[node].in_lab_swarm = true;
        out << node << " joined\n";
    }

    void ensure_registry(const std::string& manager, const std::vector<std::string>& members,
                         std::ostream&) override {
        log.push_back(fmt::format("registry {}: {}", manager, fmt::join(members, ",")));
        if (registry_fails.count(manager))
            throw Error("mmdebstrap failed");
    }

    void write_context(const swarm::LabSpec& lab, const std::string& manager,
                       std::ostream&) override {
        log.push_back(fmt::format("context {} {}", lab.name, manager));
    }

    void forget_registry(const std::string& manager) override {
        log.push_back("forget-registry " + manager);
    }

    void remove_context(const swarm::LabSpec& lab, std::ostream&) override {
        log.push_back("remove-context " + lab.name);
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_changed;
    int m_running = 0;
};

} // namespace machine::testing
