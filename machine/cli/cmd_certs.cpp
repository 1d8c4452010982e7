// regenerate-certs and provision: the two commands that re-do parts of the create pipeline on
// an existing machine.
#include "machine/cli/arg_types.h"
#include "machine/cli/context.h"

#include "machine/docker_contexts.h"
#include "machine/provisioning.h"
#include "machine/support/error.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <iostream>
#include <unistd.h>

namespace machine::cli {

void add_cert_commands(CLI::App& app, Context& ctx) {
    struct Args {
        std::vector<std::string> names;
        bool force = false;
        bool client_certs = false;
    };
    auto regen = std::make_shared<Args>();
    auto* cmd = app.add_subcommand("regenerate-certs",
                                   "Issue new TLS certificates and push them to the engines");
    cmd->footer(R"X(Issues a new server certificate for each machine's current IP (plus its name,
localhost, 127.0.0.1 and its --tls-san entries), installs it in the engine, restarts the engine
and waits until it answers with it. --client-certs also issues a new client certificate from the
store's CA and installs it in every machine folder (the CA itself is kept, so other machines
stay valid). Example: machine regenerate-certs -f myvm1)X");
    cmd->add_option("names", regen->names, "Machines")->type_name(k_machine_type)->required();
    cmd->add_flag("-f,--force", regen->force, "Do not ask for confirmation");
    cmd->add_flag("--client-certs", regen->client_certs,
                  "Also issue a new client certificate (the CA is kept)");
    cmd->callback([&ctx, regen] {
        std::vector<MachineName> names(regen->names.begin(), regen->names.end()); // checked first
        if (!regen->force) {
            if (!::isatty(STDIN_FILENO))
                throw UsageError("regenerate-certs needs confirmation: pass -f");
            std::cout << "Regenerate TLS machine certs? Warning: this is irreversible. (y/n): "
                      << std::flush;
            std::string answer;
            std::getline(std::cin, answer);
            if (answer != "y" && answer != "Y" && answer != "yes")
                return;
        }
        Store store = ctx.store();
        TlsPaths tls = ctx.tls_paths();
        if (regen->client_certs) {
            ensure_store_certs(tls);
            regenerate_client_cert(tls);
            for (const auto& name : store.list()) {
                auto lock = store.lock(name);
                Host host = store.load(name);
                install_client_certs(host.options.auth);
                DockerContexts(store, fs::path()).refresh(host);
            }
            std::cout << "Issued a new client certificate and installed it in every machine.\n";
        }
        for (const auto& machine_name : names) {
            const std::string& name = machine_name.str();
            auto lock = store.lock(name);
            Host host = store.load(name);
            auto driver = ctx.driver_for(host);
            if (!driver->has_vm())
                throw UsageError(fmt::format("machine \"{}\" uses the {} driver: its engine's "
                                             "certificates are not managed by machine",
                                             name, host.driver_name));
            std::cout << fmt::format("Regenerating TLS certificates for \"{}\"\n", name);
            regenerate_server_cert(host, *driver, store, ctx.remote(), std::cout);
            for (const auto& c : DockerContexts(store, fs::path()).refresh(host))
                std::cout << fmt::format("Updated docker context \"{}\"\n", c);
        }
    });

    auto prov = std::make_shared<Args>();
    auto* pcmd = app.add_subcommand("provision", "Re-run engine provisioning on machines");
    pcmd->footer("Waits for SSH, installs the engine if missing, issues a server certificate,\n"
                 "writes the engine's TLS configuration and restarts it. Use it after a failed\n"
                 "create, or after changing the engine by hand. Example: machine provision myvm1");
    pcmd->add_option("names", prov->names, "Machines")->type_name(k_machine_type)->required();
    pcmd->callback([&ctx, prov] {
        Store store = ctx.store();
        std::vector<MachineName> names(prov->names.begin(), prov->names.end());
        for (const auto& machine_name : names) {
            const std::string& name = machine_name.str();
            auto lock = store.lock(name);
            Host host = store.load(name);
            auto driver = ctx.driver_for(host);
            if (!driver->has_vm())
                throw UsageError(
                    fmt::format("machine \"{}\" uses the {} driver: there is nothing to provision",
                                name, host.driver_name));
            std::cout << fmt::format("Provisioning \"{}\"\n", name);
            reprovision(host, *driver, store, ctx.remote(), std::cout);
        }
    });
}

} // namespace machine::cli
