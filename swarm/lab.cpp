#include "swarm/lab.h"

#include "machine/support/error.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace machine::swarm {

namespace {

void merge_into(FlagMap& into, const FlagMap& over) {
    for (const auto& [k, v] : over)
        into[k] = v;
}

} // namespace

const LabNodeSpec& LabSpec::first_manager() const {
    for (const auto& n : nodes)
        if (n.role == Role::Manager)
            return n;
    throw UsageError(fmt::format("lab \"{}\" has no node with role: manager", name));
}

LabSpec load_lab(const std::filesystem::path& file, const LabRules& rules, const LabParser& parse) {
    std::ifstream in(file);
    if (!in)
        throw NotFound(fmt::format("lab file {} does not exist or cannot be read", file.string()));
    std::stringstream text;
    text << in.rdbuf();
    return parse(text.str(), file.string(), rules);
}

std::vector<std::string> create_args(const LabSpec& lab, const LabNodeSpec& node) {
    FlagMap flags = lab.flags;
    merge_into(flags, node.flags);
    auto size = [&](const char* suffix, std::optional<long> mine, std::optional<long> deflt) {
        if (auto v = mine ? mine : deflt)
            flags[lab.driver + suffix] = {std::to_string(*v)};
    };
    size("-memory", node.memory, lab.memory);
    size("-cpu-count", node.cpus, lab.cpus);
    size("-disk-size", node.disk, lab.disk);
    std::vector<std::string> args = {"--driver", lab.driver};
    for (const auto& [name, values] : flags) {
        for (const auto& v : values) {
            if (!lab.switches.count(name))
                args.push_back(fmt::format("--{}={}", name, v));
            else if (v == "true")
                args.push_back("--" + name);
        }
    }
    args.push_back("--engine-label=lab=" + lab.name);
    args.push_back("--");
    args.push_back(node.name);
    return args;
}

LabPlan plan_lab(const LabSpec& lab, const std::map<std::string, NodeObservation>& observed) {
    LabPlan plan;
    auto obs = [&](const std::string& name) {
        auto it = observed.find(name);
        return it == observed.end() ? NodeObservation{} : it->second;
    };
    auto broken = [&](const std::string& name) {
        auto o = obs(name);
        return o.exists && !o.error.empty();
    };
    for (const auto& n : lab.nodes) {
        auto o = obs(n.name);
        if (!o.exists)
            plan.create.push_back(n.name);
        else if (!o.error.empty())
            plan.problems.push_back(fmt::format("{}: its create failed ({}); run `machine rm -y "
                                                "{}` and `lab up` again",
                                                n.name, o.error, n.name));
        else if (o.state != "Running")
            plan.start.push_back(n.name);
    }
    // The manager: one that already manages, else the first manager of the file.
    for (const auto& n : lab.nodes)
        if (n.role == Role::Manager && !broken(n.name) &&
            (obs(n.name).role == Role::Manager || obs(n.name).role == Role::Leader)) {
            plan.manager = n.name;
            break;
        }
    if (plan.manager.empty()) {
        for (const auto& n : lab.nodes)
            if (n.role == Role::Manager && !broken(n.name)) {
                plan.manager = n.name;
                break;
            }
        if (plan.manager.empty()) {
            plan.problems.push_back("no manager can start the swarm");
            return plan;
        }
        if (obs(plan.manager).role == Role::Worker) {
            plan.problems.push_back(fmt::format("{}: a worker in another swarm; run `machine "
                                                "swarm leave {}` and `lab up` again",
                                                plan.manager, plan.manager));
            plan.manager.clear();
            return plan;
        }
        plan.init = true;
    }
    for (Role pass : {Role::Manager, Role::Worker})
        for (const auto& n : lab.nodes) {
            if (n.role != pass || n.name == plan.manager || broken(n.name))
                continue;
            auto o = obs(n.name);
            if (o.in_lab_swarm && !plan.init) {
                if (n.role == Role::Manager && o.role == Role::Worker)
                    plan.join.emplace_back(n.name, Role::Manager); // promotes
                continue;
            }
            if (o.role != Role::None) {
                plan.problems.push_back(fmt::format("{}: in another swarm; run `machine swarm "
                                                    "leave --force {}` and `lab up` again",
                                                    n.name, n.name));
                continue;
            }
            plan.join.emplace_back(n.name, n.role);
        }
    return plan;
}

int create_parallelism(int cores, long available_mib, long node_mib) {
    long by_memory = node_mib > 0 ? available_mib / node_mib : cores;
    long n = std::min<long>(cores, by_memory);
    return static_cast<int>(std::max<long>(1, n));
}

} // namespace machine::swarm
