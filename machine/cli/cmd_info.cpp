// inspect, config, url, ip, status, active: answers from config.json and the hypervisor's API,
// never from SSH.
#include "machine/cli/arg_types.h"
#include "machine/cli/context.h"

#include "machine/support/error.h"
#include "machine/support/template.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdlib>
#include <iostream>

namespace machine::cli {

namespace {

// Runs `fn` for each name, printing one result line per machine. No name means the machine
// called "default", as in docker-machine.
template <class Fn>
void for_each_machine(Context& ctx, const std::vector<std::string>& names, Fn&& fn) {
    Store store = ctx.store();
    if (names.empty()) {
        if (!store.exists("default"))
            throw UsageError("no machine name given and no \"default\" machine exists");
        std::cout << fn(store.load("default")) << "\n";
        return;
    }
    std::vector<MachineName> checked(names.begin(), names.end()); // every name before any output
    for (const auto& name : checked)
        std::cout << fn(store.load(name)) << "\n";
}

CLI::App* simple_command(CLI::App& app, const char* name, const char* help,
                         std::vector<std::string>& names) {
    auto* cmd = app.add_subcommand(name, help);
    cmd->add_option("names", names, "Machine names (default: the machine named \"default\")")
        ->type_name(k_machine_type);
    return cmd;
}

std::string require_url(const Host& host) {
    std::string url = host.url();
    if (url.empty())
        throw Error(fmt::format("machine \"{}\" has no IP address yet{}", host.name,
                                host.error.empty() ? "" : " (" + host.error + ")"));
    return url;
}

} // namespace

void add_info_commands(CLI::App& app, Context& ctx) {
    struct Args {
        std::vector<std::string> names;
        std::string format;
    };

    auto inspect = std::make_shared<Args>();
    auto* cmd = app.add_subcommand("inspect", "Print a machine's record as JSON");
    cmd->add_option("names", inspect->names,
                    "Machine names (default: the machine named \"default\")")
        ->type_name(k_machine_type);
    cmd->add_option("-f,--format", inspect->format,
                    "Go template, e.g. '{{.Driver.IPAddress}}' or '{{json .HostOptions}}'");
    cmd->footer("Field names follow docker-machine's: Name, DriverName, Driver.IPAddress, "
                "Driver.SSHUser,\nDriver.Memory, Driver.CPU, Driver.DiskSize (VM drivers), "
                "HostOptions.EngineOptions (with\nInstallURL), HostOptions.AuthOptions, ...; "
                "machines imported from docker-machine add\nImported.From, Imported.Limits.\n"
                "Template functions: json, prettyjson, upper, lower, join.");
    cmd->callback([&ctx, inspect] {
        for_each_machine(ctx, inspect->names, [&](const Host& h) {
            nlohmann::json j = h;
            if (inspect->format.empty())
                return j.dump(4);
            return support::render_template(inspect->format, j);
        });
    });

    auto config = std::make_shared<Args>();
    simple_command(app, "config", "Print the docker client flags that reach a machine",
                   config->names)
        ->callback([&ctx, config] {
            for_each_machine(ctx, config->names, [](const Host& h) {
                fs::path dir = h.options.auth.store_path;
                return fmt::format("--tlsverify\n--tlscacert=\"{}\"\n--tlscert=\"{}\"\n"
                                   "--tlskey=\"{}\"\n-H={}",
                                   (dir / "ca.pem").string(), (dir / "cert.pem").string(),
                                   (dir / "key.pem").string(), require_url(h));
            });
        });

    auto url = std::make_shared<Args>();
    simple_command(app, "url", "Print a machine's engine URL (tcp://IP:2376)", url->names)
        ->callback([&ctx, url] { for_each_machine(ctx, url->names, require_url); });

    auto ip = std::make_shared<Args>();
    simple_command(app, "ip", "Print a machine's IP address", ip->names)->callback([&ctx, ip] {
        for_each_machine(ctx, ip->names, [&](const Host& h) {
            std::string address = ctx.driver_for(h)->ip();
            if (address.empty())
                throw Error(fmt::format("machine \"{}\" has no IP address", h.name));
            return address;
        });
    });

    auto status = std::make_shared<Args>();
    simple_command(app, "status", "Print a machine's state (Running, Stopped, ...)", status->names)
        ->callback([&ctx, status] {
            for_each_machine(ctx, status->names,
                             [&](const Host& h) { return to_string(ctx.driver_for(h)->state()); });
        });

    auto* active = app.add_subcommand("active", "Print the machine DOCKER_HOST points at");
    active->footer("Compares $DOCKER_HOST with each machine's URL, as docker-machine does.");
    active->callback([&ctx] {
        const char* docker_host = std::getenv("DOCKER_HOST");
        if (!docker_host || !*docker_host)
            throw Error("No active host found (DOCKER_HOST is not set)");
        Store store = ctx.store();
        for (const auto& name : store.list()) {
            try {
                Host h = store.load(name);
                if (h.url() == docker_host) {
                    std::cout << h.name << "\n";
                    return;
                }
            } catch (const Error&) {
                // a broken machine cannot be the active one
            }
        }
        throw Error(fmt::format("No active host found (no machine has URL {})", docker_host));
    });
}

} // namespace machine::cli
