// start, stop, restart, kill: through the driver's hypervisor API, one machine at a time, each
// under its machine lock.
#include "machine/cli/arg_types.h"
#include "machine/cli/context.h"

#include "machine/lifecycle.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <iostream>

namespace machine::cli {

namespace {

void add_one(CLI::App& app, Context& ctx, const char* name, const char* help, const char* footer,
             Action action) {
    auto names = std::make_shared<std::vector<std::string>>();
    auto* cmd = app.add_subcommand(name, help);
    cmd->footer(footer);
    cmd->add_option("names", *names, "Machine names")->type_name(k_machine_type)->required();
    cmd->callback([&ctx, names, action] {
        Store store = ctx.store();
        std::vector<MachineName> checked(names->begin(), names->end()); // all before the first
        for (const auto& machine_name : checked) {
            auto lock = store.lock(machine_name);
            Host host = store.load(machine_name);
            auto driver = ctx.driver_for(host);
            LifecycleServices services{store, ctx.tls_paths(), ctx.runner(), std::cout,
                                       ctx.remote()};
            run_action(action, host, *driver, services);
        }
    });
}

} // namespace

void add_lifecycle_commands(CLI::App& app, Context& ctx) {
    add_one(app, ctx, "start", "Start machines",
            "Boots the VM and waits until its engine answers on TLS. If the machine's IP "
            "changed,\nits server certificate is regenerated and pushed before returning.",
            Action::Start);
    add_one(app, ctx, "stop", "Stop machines gracefully (ACPI), forcing after a bounded wait",
            "Sends an ACPI shutdown and waits; if the guest does not stop in time it is powered\n"
            "off, and machine says so.",
            Action::Stop);
    add_one(app, ctx, "restart", "Restart machines (stop, then start)",
            "Same as stop followed by start.", Action::Restart);
    add_one(app, ctx, "kill", "Power machines off at once (no shutdown)",
            "Like pulling the plug: the guest gets no chance to flush its disks.", Action::Kill);
}

} // namespace machine::cli
