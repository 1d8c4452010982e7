// machine lab up|status|down -f lab.yaml: several machines and their swarm from one file.
// Parsing and planning are pure (swarm/lab.h), running the plan is machine/lab.h; this file
// turns the command line into a lab file's rules and the children's global options.
#include "machine/cli/context.h"

#include "drivers/factory.h"
#include "machine/lab.h"
#include "machine/lab_machines.h"
#include "machine/names.h"
#include "machine/support/error.h"
#include "swarm/lab.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <unistd.h>

#include <iostream>

namespace machine::cli {

namespace {

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

// The global options a child `machine create|start|rm` gets: the same store, CA and logging.
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

StoreLabMachines lab_machines(Context& ctx) {
    return StoreLabMachines({ctx.store(), ctx.tls_paths(), ctx.runner(),
                             [&ctx](const Host& h) { return ctx.driver_for(h); }, self_binary(),
                             global_args(ctx), ctx.remote()});
}

// lab down without -y: asks on the terminal; without one, refuses.
LabConfirm ask(const swarm::LabSpec& lab) {
    return [name = lab.name](const std::vector<std::string>& nodes) {
        if (!::isatty(STDIN_FILENO))
            throw UsageError("lab down needs confirmation: pass -y to remove without asking");
        std::cout << fmt::format("About to remove {} (lab \"{}\"). Are you sure? (y/n): ",
                                 fmt::format("{}", fmt::join(nodes, ", ")), name)
                  << std::flush;
        std::string answer;
        std::getline(std::cin, answer);
        return answer == "y" || answer == "Y" || answer == "yes";
    };
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
    up->callback([&app, &ctx, file] {
        auto machines = lab_machines(ctx);
        lab_up(swarm::load_lab(*file, lab_rules(app), ctx.lab_parser()), *file, machines, this_host_resources(),
               std::cout);
    });

    auto* status = lab->add_subcommand("status", "Show each node's state and swarm role");
    status->add_option("-f,--file", *file, "Lab file")->capture_default_str();
    status->footer("ROLE is what the file asks for; SWARM is what the node's engine reports "
                   "(leader,\nmanager, worker or -); IN LAB SWARM says whether the lab's manager "
                   "lists it.");
    status->callback([&app, &ctx, file] {
        swarm::LabSpec spec = swarm::load_lab(*file, lab_rules(app), ctx.lab_parser());
        print_lab_status(spec, lab_machines(ctx).observe(spec), std::cout);
    });

    auto yes = std::make_shared<bool>(false);
    auto* down = lab->add_subcommand("down", "Remove every node of the lab");
    down->add_option("-f,--file", *file, "Lab file")->capture_default_str();
    down->add_flag("-y", *yes, "Do not ask for confirmation");
    down->footer("Removes each node as `machine rm` does: VM, disks, DHCP reservation, record.");
    down->callback([&app, &ctx, file, yes] {
        swarm::LabSpec spec = swarm::load_lab(*file, lab_rules(app), ctx.lab_parser());
        auto machines = lab_machines(ctx);
        lab_down(spec, machines, *yes ? LabConfirm() : ask(spec), std::cout);
    });
}

} // namespace machine::cli
