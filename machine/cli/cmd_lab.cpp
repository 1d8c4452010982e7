// machine lab up|status|down -f lab.yaml: several machines and their swarm from one file.
// Parsing and planning are pure (swarm/lab.h); this file observes the machines, runs the plan
// and prints what happened.
//
// Nodes are created by running this same binary (`machine create ...`) once per node through
// the ProcessRunner, a bounded number at a time, rather than calling create_machine() in
// threads: each create is then exactly what a user would run, a crash or hang of one cannot take
// the others down (and a timeout can end it), and the store's per-machine and CA flocks (made
// for concurrent processes) serialize what must be serialized, such as building the image once.
#include "machine/cli/context.h"

#include "machine/docker_contexts.h"
#include "drivers/factory.h"
#include "machine/names.h"
#include "machine/support/error.h"
#include "machine/swarm_membership.h"
#include "machine/swarm_registry.h"
#include "swarm/lab.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <future>
#include <iostream>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

namespace machine::cli {

namespace {

using Clock = std::chrono::steady_clock;
using swarm::LabSpec;
using swarm::NodeObservation;
using swarm::Role;

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

// What a lab file may set, from the same sources `machine create` reads: each driver's create
// flags, and the create command's own per-node options that belong to no driver (engine-*,
// tls-san). Everything else, the global options above all, stays on the command line.
swarm::LabRules lab_rules(const CLI::App& app) {
    swarm::LabRules rules;
    for (const auto& driver : drivers::driver_names())
        for (const auto& f : drivers::create_flags(driver))
            rules.driver_flags[driver][f.name] = {f.is_bool, f.repeatable};
    for (const CLI::Option* opt : app.get_subcommand("create")->get_options())
        for (const auto& name : opt->get_lnames())
            if (name.rfind("engine-", 0) == 0 || name == "tls-san")
                rules.node_flags[name] = {opt->get_type_size_max() == 0,
                                          opt->get_items_expected_max() > 1};
    rules.name_problem = [](const std::string& name) { return name_problem(name); };
    return rules;
}

struct Observed {
    std::map<std::string, NodeObservation> nodes;
    std::map<std::string, std::string> node_ids; // swarm node IDs
    std::map<std::string, std::string> ips;
    std::map<std::string, std::string> engine_errors;
};

// What exists, its hypervisor state and its swarm role, asked concurrently (TLS API, 5 s each).
Observed observe(Context& ctx, const LabSpec& lab) {
    Store store = ctx.store();
    struct One {
        NodeObservation obs;
        std::string node_id, ip, engine_error;
    };
    std::vector<std::future<One>> futures;
    for (const auto& n : lab.nodes) {
        futures.push_back(std::async(std::launch::async, [&ctx, &store, name = n.name] {
            One one;
            if (!store.exists(name))
                return one;
            one.obs.exists = true;
            Host host;
            try {
                host = store.load(name);
            } catch (const Error& e) {
                one.obs.error = e.what();
                return one;
            }
            one.obs.error = host.error;
            one.ip = host.ip();
            try {
                one.obs.state = drivers::to_string(ctx.driver_for(host)->state());
            } catch (const Error& e) {
                one.obs.state = "Error";
                one.engine_error = e.what();
            }
            if (one.obs.state != "Running" || !host.error.empty())
                return one;
            try {
                MachineEngine engine(host, ctx.https(), std::chrono::seconds(5));
                auto info = swarm::inspect(engine);
                one.obs.role = info.role;
                one.obs.cluster_id = info.cluster_id;
                one.node_id = info.node_id;
            } catch (const Error& e) {
                one.engine_error = e.what();
            }
            return one;
        }));
    }
    Observed out;
    for (size_t i = 0; i < lab.nodes.size(); ++i) {
        One one = futures[i].get();
        const auto& name = lab.nodes[i].name;
        out.nodes[name] = one.obs;
        out.node_ids[name] = one.node_id;
        out.ips[name] = one.ip;
        if (!one.engine_error.empty())
            out.engine_errors[name] = one.engine_error;
    }
    // Which nodes the lab's manager lists (as not down): those are in the lab's swarm.
    for (const auto& n : lab.nodes) {
        auto& o = out.nodes[n.name];
        if (n.role != Role::Manager || (o.role != Role::Manager && o.role != Role::Leader))
            continue;
        try {
            MachineEngine engine(store.load(n.name), ctx.https(), std::chrono::seconds(5));
            std::set<std::string> members;
            for (const auto& node : swarm::nodes(engine))
                if (node.state != "down")
                    members.insert(node.id);
            for (auto& [name, obs] : out.nodes)
                obs.in_lab_swarm = !out.node_ids[name].empty() && members.count(out.node_ids[name]);
        } catch (const Error& e) {
            out.engine_errors[n.name] = e.what();
        }
        break;
    }
    return out;
}

std::vector<std::string> global_args(Context& ctx) {
    std::vector<std::string> args = {"--storage-path", ctx.store().root().string()};
    if (ctx.opts.debug)
        args.push_back("--debug");
    if (ctx.opts.native_ssh)
        args.push_back("--native-ssh");
    const auto& o = ctx.opts;
    for (auto [flag, value] : {std::pair{"--tls-ca-cert", o.tls_ca_cert},
                               {"--tls-ca-key", o.tls_ca_key},
                               {"--tls-client-cert", o.tls_client_cert},
                               {"--tls-client-key", o.tls_client_key}})
        if (!value.empty()) {
            args.push_back(flag);
            args.push_back(value);
        }
    return args;
}

std::string self_binary() {
    std::error_code ec;
    auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
    return ec ? "machine" : p.string();
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

// Runs `machine <command...>` for each job, at most `parallel` at once; prints each child's
// output prefixed with its node name when it ends. Returns the names that failed.
std::vector<std::string>
run_parallel(Context& ctx,
             const std::vector<std::pair<std::string, std::vector<std::string>>>& jobs,
             int parallel, const std::string& verb) {
    std::mutex out_mutex;
    std::vector<std::string> failed;
    std::atomic<size_t> next{0};
    auto worker = [&] {
        for (size_t i = next++; i < jobs.size(); i = next++) {
            const auto& [name, command] = jobs[i];
            support::ProcessSpec spec;
            spec.program = self_binary();
            spec.args = global_args(ctx);
            spec.args.insert(spec.args.end(), command.begin(), command.end());
            spec.timeout = std::chrono::minutes(30);
            auto start = Clock::now();
            support::ProcessResult r;
            try {
                r = ctx.runner().run(spec);
            } catch (const std::exception& e) {
                r.err = e.what();
            }
            std::lock_guard lock(out_mutex);
            for (const std::string* text : {&r.out, &r.err}) {
                std::istringstream lines(*text);
                for (std::string line; std::getline(lines, line);)
                    std::cout << fmt::format("[{}] {}\n", name, line);
            }
            if (r.ok()) {
                std::cout << fmt::format("[{}] {} in {:.0f}s\n", name, verb, seconds_since(start));
            } else {
                std::cout << fmt::format("[{}] {} FAILED after {:.0f}s{}\n", name, verb,
                                         seconds_since(start), r.timed_out ? " (timed out)" : "");
                failed.push_back(name);
            }
            std::cout << std::flush;
        }
    };
    std::vector<std::thread> threads;
    for (int t = 0; t < std::max(1, parallel); ++t)
        threads.emplace_back(worker);
    for (auto& t : threads)
        t.join();
    return failed;
}

std::string role_text(Role role) {
    std::string s = swarm::to_string(role);
    return s.empty() ? "-" : s;
}

void print_status(const LabSpec& lab, const Observed& observed) {
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
    std::vector<size_t> widths(rows[0].size(), 0);
    for (const auto& row : rows)
        for (size_t i = 0; i < row.size(); ++i)
            widths[i] = std::max(widths[i], row[i].size());
    for (const auto& row : rows) {
        std::string line;
        for (size_t i = 0; i < row.size(); ++i)
            line += fmt::format("{:<{}}  ", row[i], widths[i]);
        while (!line.empty() && line.back() == ' ')
            line.pop_back();
        std::cout << line << "\n";
    }
}

// The `<lab>` docker context: points at a reachable manager, the one `env --swarm` picks.
void write_lab_context(const Store& store, const LabSpec& lab, const std::string& member,
                       const provision::HttpsTransport& https) {
    if (store.exists(lab.name)) {
        std::cout << fmt::format("No docker context for lab \"{}\": a machine has that name\n",
                                 lab.name);
        return;
    }
    try {
        Host manager = find_manager(store, member, https, std::chrono::seconds(5));
        DockerContexts contexts(store, docker_config_dir());
        switch (contexts.write(lab.name, manager, lab.name)) {
        case ContextWrite::Written:
            std::cout << fmt::format("Docker context \"{}\" points at manager {} (docker "
                                     "--context {} stack deploy ...)\n",
                                     lab.name, manager.name, lab.name);
            break;
        case ContextWrite::NotOurs:
            std::cout << fmt::format("Did not write docker context \"{}\": it exists and machine "
                                     "did not make it\n",
                                     lab.name);
            break;
        case ContextWrite::BadName:
            std::cout << fmt::format("No docker context for lab \"{}\": docker does not accept "
                                     "that name\n",
                                     lab.name);
            break;
        }
    } catch (const std::exception& e) {
        std::cout << fmt::format("Docker context \"{}\" not written: {}\n", lab.name, e.what());
    }
}

void lab_up(Context& ctx, const swarm::LabRules& rules, const std::string& file) {
    auto start = Clock::now();
    LabSpec lab = swarm::load_lab(file, rules, ctx.lab_parser());
    Store store = ctx.store();
    swarm::LabPlan plan = swarm::plan_lab(lab, observe(ctx, lab).nodes);
    std::vector<std::string> failures;

    if (!plan.start.empty()) {
        std::vector<std::pair<std::string, std::vector<std::string>>> jobs;
        for (const auto& n : plan.start)
            jobs.push_back({n, {"start", n}});
        std::cout << fmt::format("Starting {} stopped node(s)\n", jobs.size());
        auto failed = run_parallel(ctx, jobs, static_cast<int>(jobs.size()), "started");
        failures.insert(failures.end(), failed.begin(), failed.end());
    }
    if (!plan.create.empty()) {
        long node_mib = 0;
        std::vector<std::pair<std::string, std::vector<std::string>>> jobs;
        for (const auto& n : lab.nodes) {
            if (std::find(plan.create.begin(), plan.create.end(), n.name) == plan.create.end())
                continue;
            std::vector<std::string> args = {"create"};
            auto more = swarm::create_args(lab, n);
            args.insert(args.end(), more.begin(), more.end());
            jobs.push_back({n.name, args});
            node_mib = std::max(node_mib, n.memory.value_or(lab.memory.value_or(2048)));
        }
        int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
        int parallel = swarm::create_parallelism(cores, available_memory_mib(), node_mib);
        std::cout << fmt::format("Creating {} node(s), {} at a time: {}\n", jobs.size(),
                                 std::min<size_t>(parallel, jobs.size()),
                                 fmt::format("{}", fmt::join(plan.create, ", ")));
        auto failed = run_parallel(ctx, jobs, parallel, "created");
        failures.insert(failures.end(), failed.begin(), failed.end());
    }

    // The swarm step plans again from what is there now (new nodes, their IPs).
    Observed now = observe(ctx, lab);
    plan = swarm::plan_lab(lab, now.nodes);
    auto skip = [&](const std::string& name) {
        return std::find(failures.begin(), failures.end(), name) != failures.end();
    };
    if (!plan.manager.empty() && !skip(plan.manager)) {
        try {
            Host manager = store.load(plan.manager);
            if (plan.init)
                swarm_init(manager, ctx.https(), std::cout);
            for (const auto& [name, role] : plan.join) {
                if (skip(name))
                    continue;
                try {
                    swarm_join(store, store.load(name), plan.manager, role, ctx.https(), std::cout);
                } catch (const Error& e) {
                    std::cout << fmt::format("[{}] join FAILED: {}\n", name, e.what());
                    failures.push_back(name);
                }
            }
        } catch (const Error& e) {
            std::cout << fmt::format("[{}] swarm init FAILED: {}\n", plan.manager, e.what());
            failures.push_back(plan.manager);
        }
    }
    if (lab.registry && !plan.manager.empty() &&
        std::find(failures.begin(), failures.end(), plan.manager) == failures.end()) {
        try {
            std::vector<Host> members;
            for (const auto& n : lab.nodes)
                if (store.exists(n.name) && !skip(n.name))
                    members.push_back(store.load(n.name));
            RegistryServices services{store,
                                      ctx.tls_paths(),
                                      ctx.runner(),
                                      std::cout,
                                      [&ctx](const Host& h) { return ctx.driver_for(h); },
                                      ctx.remote()};
            ensure_registry(store.load(plan.manager), members, services);
        } catch (const Error& e) {
            std::cout << fmt::format("[{}] registry FAILED: {}\n", plan.manager, e.what());
            failures.push_back(plan.manager);
        }
    }
    if (!plan.manager.empty() && !skip(plan.manager))
        write_lab_context(store, lab, plan.manager, ctx.https());
    for (const auto& p : plan.problems)
        std::cout << "Left alone: " << p << "\n";

    std::cout << "\n";
    print_status(lab, observe(ctx, lab));
    std::cout << fmt::format("\nlab \"{}\": {} in {:.0f}s\n", lab.name,
                             failures.empty() && plan.problems.empty() ? "up" : "NOT complete",
                             seconds_since(start));
    if (!failures.empty() || !plan.problems.empty())
        throw Error(
            fmt::format("lab \"{}\" is not complete ({}); fix the cause and run `machine "
                        "lab up -f {}` again: it only does what is missing",
                        lab.name,
                        fmt::format("{}", fmt::join(failures.empty()
                                                        ? std::vector<std::string>{"see Left alone"}
                                                        : failures,
                                                    ", ")),
                        file));
}

void lab_down(Context& ctx, const swarm::LabRules& rules, const std::string& file, bool yes) {
    LabSpec lab = swarm::load_lab(file, rules, ctx.lab_parser());
    Store store = ctx.store();
    std::vector<std::string> names;
    for (const auto& n : lab.nodes)
        if (store.exists(n.name))
            names.push_back(n.name);
    if (names.empty()) {
        std::cout << fmt::format("lab \"{}\": no node exists, nothing to remove\n", lab.name);
        return;
    }
    if (!yes) {
        if (!::isatty(STDIN_FILENO))
            throw UsageError("lab down needs confirmation: pass -y to remove without asking");
        std::cout << fmt::format("About to remove {} (lab \"{}\"). Are you sure? (y/n): ",
                                 fmt::format("{}", fmt::join(names, ", ")), lab.name)
                  << std::flush;
        std::string answer;
        std::getline(std::cin, answer);
        if (answer != "y" && answer != "Y" && answer != "yes") {
            std::cout << "Nothing removed.\n";
            return;
        }
    }
    if (lab.registry && store.exists(lab.first_manager().name)) {
        // The host's trust in the registry goes with the lab.
        try {
            std::string ip = store.load(lab.first_manager().name).ip();
            if (!ip.empty())
                remove_registry_client_files(host_certs_d(),
                                             fmt::format("{}:{}", ip, k_registry_port));
        } catch (const Error&) {
        }
    }
    {
        DockerContexts contexts(store, fs::path());
        if (auto mine = contexts.ours(lab.name); mine && mine->lab == lab.name)
            std::cout << contexts.remove(lab.name) << "\n";
    }
    std::vector<std::pair<std::string, std::vector<std::string>>> jobs;
    for (const auto& n : names)
        jobs.push_back({n, {"rm", "-y", n}});
    auto failed = run_parallel(ctx, jobs, static_cast<int>(jobs.size()), "removed");
    if (!failed.empty())
        throw Error(fmt::format("lab \"{}\": could not remove {}", lab.name,
                                fmt::format("{}", fmt::join(failed, ", "))));
    std::cout << fmt::format("lab \"{}\": removed {}\n", lab.name,
                             fmt::format("{}", fmt::join(names, ", ")));
}

} // namespace

void add_lab_commands(CLI::App& app, Context& ctx) {
    auto file = std::make_shared<std::string>("lab.yaml");
    auto* lab = app.add_subcommand("lab", "Bring up several machines and their swarm from a file");
    lab->footer(
        R"X(A lab file names the nodes, their role (manager or worker), sizes and driver flags, and
whether the lab gets a registry; examples/lab.yaml documents every key.

  machine lab up -f lab.yaml        # create missing nodes in parallel, form the swarm
  machine lab status -f lab.yaml    # each node: wanted role, state, swarm role, IP
  machine lab down -f lab.yaml -y   # remove every node of the lab

`up` converges and can be run again at any time: it creates only missing nodes, starts stopped
ones and joins only nodes that are not in the swarm yet.)X");
    lab->require_subcommand(1);

    auto* up = lab->add_subcommand("up", "Create what is missing and form the swarm");
    up->add_option("-f,--file", *file, "Lab file")->capture_default_str();
    up->footer("Nodes are created at most min(CPU cores, available memory / node memory) at a "
               "time,\neach by `machine create` with its output prefixed by the node's name. The "
               "first\nmanager starts the swarm; other managers, then workers, join it.");
    up->callback([&app, &ctx, file] { lab_up(ctx, lab_rules(app), *file); });

    auto* status = lab->add_subcommand("status", "Show each node's state and swarm role");
    status->add_option("-f,--file", *file, "Lab file")->capture_default_str();
    status->footer("ROLE is what the file asks for; SWARM is what the node's engine reports "
                   "(leader,\nmanager, worker or -); IN LAB SWARM says whether the lab's manager "
                   "lists it.");
    status->callback([&app, &ctx, file] {
        LabSpec spec = swarm::load_lab(*file, lab_rules(app), ctx.lab_parser());
        print_status(spec, observe(ctx, spec));
    });

    auto yes = std::make_shared<bool>(false);
    auto* down = lab->add_subcommand("down", "Remove every node of the lab");
    down->add_option("-f,--file", *file, "Lab file")->capture_default_str();
    down->add_flag("-y", *yes, "Do not ask for confirmation");
    down->footer("Removes each node as `machine rm` does: VM, disks, DHCP reservation, record.");
    down->callback([&app, &ctx, file, yes] { lab_down(ctx, lab_rules(app), *file, *yes); });
}

} // namespace machine::cli
