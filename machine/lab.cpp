#include "machine/lab.h"

#include "machine/support/error.h"
#include "machine/table.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

namespace machine {

namespace {

using Clock = std::chrono::steady_clock;
using swarm::LabSpec;
using swarm::Role;

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

long available_memory_mib() {
    std::ifstream in("/proc/meminfo");
    std::string key;
    long value = 0;
    std::string unit;
    while (in >> key >> value >> unit)
        if (key == "MemAvailable:")
            return value / 1024;
    return 0;
}

std::string role_text(Role role) {
    std::string s = swarm::to_string(role);
    return s.empty() ? "-" : s;
}

bool contains(const std::vector<std::string>& names, const std::string& name) {
    return std::find(names.begin(), names.end(), name) != names.end();
}

std::string joined(const std::vector<std::string>& names) {
    return fmt::format("{}", fmt::join(names, ", "));
}

} // namespace

LabHostResources this_host_resources() {
    return {static_cast<int>(std::max(1u, std::thread::hardware_concurrency())),
            available_memory_mib()};
}

LabCreates plan_creates(const LabSpec& lab, const swarm::LabPlan& plan,
                        const LabHostResources& host) {
    LabCreates creates;
    long node_mib = 0;
    for (const auto& n : lab.nodes) {
        if (!contains(plan.create, n.name))
            continue;
        std::vector<std::string> args = {"create"};
        auto more = swarm::create_args(lab, n);
        args.insert(args.end(), more.begin(), more.end());
        creates.jobs.push_back({n.name, args});
        node_mib = std::max(node_mib, n.memory.value_or(lab.memory.value_or(2048)));
    }
    creates.parallel = swarm::create_parallelism(host.cores, host.available_mib, node_mib);
    return creates;
}

std::vector<std::string> run_lab_jobs(LabMachines& machines, const std::vector<LabJob>& jobs,
                                      int parallel, const std::string& verb, std::ostream& out) {
    std::mutex out_mutex;
    std::vector<std::string> failed;
    std::atomic<size_t> next{0};
    auto worker = [&] {
        for (size_t i = next++; i < jobs.size(); i = next++) {
            const auto& job = jobs[i];
            auto start = Clock::now();
            support::ProcessResult r;
            try {
                r = machines.run(job);
            } catch (const std::exception& e) {
                r.err = e.what();
            }
            std::lock_guard lock(out_mutex);
            for (const std::string* text : {&r.out, &r.err}) {
                std::istringstream lines(*text);
                for (std::string line; std::getline(lines, line);)
                    out << fmt::format("[{}] {}\n", job.node, line);
            }
            if (r.ok()) {
                out << fmt::format("[{}] {} in {:.0f}s\n", job.node, verb, seconds_since(start));
            } else {
                out << fmt::format("[{}] {} FAILED after {:.0f}s{}\n", job.node, verb,
                                   seconds_since(start), r.timed_out ? " (timed out)" : "");
                failed.push_back(job.node);
            }
            out << std::flush;
        }
    };
    std::vector<std::thread> threads;
    for (int t = 0; t < std::max(1, parallel); ++t)
        threads.emplace_back(worker);
    for (auto& t : threads)
        t.join();
    return failed;
}

void lab_up(const LabSpec& lab, const std::string& file, LabMachines& machines,
            const LabHostResources& host, std::ostream& out) {
    auto start = Clock::now();
    swarm::LabPlan plan = swarm::plan_lab(lab, machines.observe(lab).nodes);
    std::vector<std::string> failures;
    auto add_failures = [&](const std::vector<std::string>& failed) {
        failures.insert(failures.end(), failed.begin(), failed.end());
    };

    if (!plan.start.empty()) {
        std::vector<LabJob> jobs;
        for (const auto& n : plan.start)
            jobs.push_back({n, {"start", n}});
        out << fmt::format("Starting {} stopped node(s)\n", jobs.size());
        add_failures(run_lab_jobs(machines, jobs, static_cast<int>(jobs.size()), "started", out));
    }
    if (!plan.create.empty()) {
        LabCreates creates = plan_creates(lab, plan, host);
        out << fmt::format("Creating {} node(s), {} at a time: {}\n", creates.jobs.size(),
                           std::min<size_t>(creates.parallel, creates.jobs.size()),
                           joined(plan.create));
        add_failures(run_lab_jobs(machines, creates.jobs, creates.parallel, "created", out));
    }

    // The swarm step plans again from what is there now (new nodes, their IPs).
    plan = swarm::plan_lab(lab, machines.observe(lab).nodes);
    auto skip = [&](const std::string& name) { return contains(failures, name); };
    if (!plan.manager.empty() && !skip(plan.manager)) {
        try {
            machines.ready_manager(plan.manager, plan.init, out);
            for (const auto& [name, role] : plan.join) {
                if (skip(name))
                    continue;
                try {
                    machines.join(name, plan.manager, role, out);
                } catch (const Error& e) {
                    out << fmt::format("[{}] join FAILED: {}\n", name, e.what());
                    failures.push_back(name);
                }
            }
        } catch (const Error& e) {
            out << fmt::format("[{}] swarm init FAILED: {}\n", plan.manager, e.what());
            failures.push_back(plan.manager);
        }
    }
    if (lab.registry && !plan.manager.empty() && !skip(plan.manager)) {
        try {
            std::vector<std::string> members;
            for (const auto& n : lab.nodes)
                if (machines.exists(n.name) && !skip(n.name))
                    members.push_back(n.name);
            machines.ensure_registry(plan.manager, members, out);
        } catch (const Error& e) {
            out << fmt::format("[{}] registry FAILED: {}\n", plan.manager, e.what());
            failures.push_back(plan.manager);
        }
    }
    if (!plan.manager.empty() && !skip(plan.manager))
        machines.write_context(lab, plan.manager, out);
    for (const auto& p : plan.problems)
        out << "Left alone: " << p << "\n";

    out << "\n";
    print_lab_status(lab, machines.observe(lab), out);
    const bool complete = failures.empty() && plan.problems.empty();
    out << fmt::format("\nlab \"{}\": {} in {:.0f}s\n", lab.name, complete ? "up" : "NOT complete",
                       seconds_since(start));
    if (!complete)
        throw Error(fmt::format(
            "lab \"{}\" is not complete ({}); fix the cause and run `machine "
            "lab up -f {}` again: it only does what is missing",
            lab.name, failures.empty() ? std::string("see Left alone") : joined(failures), file));
}

void print_lab_status(const LabSpec& lab, const LabObservation& observed, std::ostream& out) {
    std::vector<std::vector<std::string>> rows = {
        {"NAME", "ROLE", "STATE", "SWARM", "IN LAB SWARM", "IP", "ERROR"}};
    for (const auto& n : lab.nodes) {
        const auto& o = observed.nodes.at(n.name);
        std::string error = o.error;
        if (error.empty() && observed.engine_errors.count(n.name))
            error = observed.engine_errors.at(n.name);
        rows.push_back({n.name, swarm::to_string(n.role), o.exists ? o.state : "missing",
                        role_text(o.role), o.in_lab_swarm ? "yes" : "no",
                        observed.ips.count(n.name) && !observed.ips.at(n.name).empty()
                            ? observed.ips.at(n.name)
                            : "-",
                        error});
    }
    out << render_columns(rows);
}

void lab_down(const LabSpec& lab, LabMachines& machines, const LabConfirm& confirm,
              std::ostream& out) {
    std::vector<std::string> names;
    for (const auto& n : lab.nodes)
        if (machines.exists(n.name))
            names.push_back(n.name);
    if (names.empty()) {
        out << fmt::format("lab \"{}\": no node exists, nothing to remove\n", lab.name);
        return;
    }
    if (confirm && !confirm(names)) {
        out << "Nothing removed.\n";
        return;
    }
    // The host's trust in the registry goes with the lab.
    if (lab.registry && machines.exists(lab.first_manager().name))
        machines.forget_registry(lab.first_manager().name);
    machines.remove_context(lab, out);
    std::vector<LabJob> jobs;
    for (const auto& n : names)
        jobs.push_back({n, {"rm", "-y", n}});
    auto failed = run_lab_jobs(machines, jobs, static_cast<int>(jobs.size()), "removed", out);
    if (!failed.empty())
        throw Error(fmt::format("lab \"{}\": could not remove {}", lab.name, joined(failed)));
    out << fmt::format("lab \"{}\": removed {}\n", lab.name, joined(names));
}

} // namespace machine
