// machine swarm registry: a registry for labs without internet, on a manager of a machine's
// swarm (machine/swarm_registry.h).
#include "machine/cli/arg_types.h"
#include "machine/cli/context.h"

#include "machine/support/error.h"
#include "machine/swarm_membership.h"
#include "machine/swarm_nodes.h"
#include "machine/swarm_registry.h"

#include <CLI/CLI.hpp>

#include <iostream>

namespace machine::cli {

void add_swarm_registry_command(CLI::App* swarm_cmd, Context& ctx) {
    auto name = std::make_shared<std::string>();
    auto build_only = std::make_shared<bool>(false);
    auto* cmd = swarm_cmd->add_subcommand("registry", "Run a registry on the swarm's manager");
    cmd->footer(
        R"X(For labs without internet: runs Debian's docker-registry (an image built once on this host
from the Debian package with mmdebstrap) on a manager of MACHINE's swarm, serving TLS on
<manager-ip>:5000 with a certificate from the machine CA. It admits only clients with a
certificate from its own client CA: every machine of the swarm gets one with the CA
(/etc/docker/certs.d/<ip>:5000/ca.crt, client.cert, client.key), and so does this host's
docker; any other client is refused. Running it again changes nothing but renewed certificates.

Example:
  machine swarm registry myvm1
  eval $(machine env myvm1)
  docker tag getstarted:latest 192.168.42.10:5000/getstarted:1
  docker push 192.168.42.10:5000/getstarted:1)X");
    auto* machine_opt =
        cmd->add_option("machine", *name, "Any machine of the swarm")->type_name(k_machine_type);
    cmd->add_flag("--build-only", *build_only,
                  "Only build the registry image into the cache (needs Debian's mirror: run it "
                  "before the lab goes offline)")
        ->excludes(machine_opt);
    cmd->callback([&ctx, name, build_only] {
        Store store = ctx.store();
        if (*build_only) {
            RegistryServices services{store,     ctx.tls_paths(), ctx.runner(),
                                      std::cout, nullptr,         ctx.remote()};
            std::cout << prepare_registry_image(services).string() << "\n";
            return;
        }
        if (name->empty())
            throw UsageError("swarm registry: name a machine of the swarm");
        Host manager = find_manager(store, *name, ctx.https());
        std::vector<Host> members = swarm_members(store, manager, ctx.https());
        RegistryServices services{store, ctx.tls_paths(), ctx.runner(), std::cout,
                                  [&ctx](const Host& h) { return ctx.driver_for(h); },
                                  ctx.remote()};
        ensure_registry(manager, members, services);
    });
}

} // namespace machine::cli
