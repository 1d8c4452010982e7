// machine swarm init|join|leave|ls: swarm membership of existing machines, through each engine's
// TLS API with the machine's client certificate (the same one `machine env` gives docker).
#include "machine/cli/arg_types.h"
#include "machine/cli/context.h"

#include "machine/support/error.h"
#include "machine/swarm_membership.h"
#include "machine/swarm_nodes.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdlib>
#include <iostream>

namespace machine::cli {

namespace {

void add_init(CLI::App* swarm_cmd, Context& ctx) {
    auto name = std::make_shared<std::string>();
    auto* cmd = swarm_cmd->add_subcommand("init", "Start a swarm with this machine as manager");
    cmd->footer(
        R"X(The machine's engine becomes the first manager (and leader) of a new swarm, listening
for other nodes on TCP 2377 and advertising the machine's IP, as
  machine ssh NAME "docker swarm init --advertise-addr $(machine ip NAME)"
does, but through the engine's TLS API. On a machine that already manages a swarm it changes
nothing. Next: machine swarm join OTHER --manager NAME

Example: machine swarm init myvm1)X");
    cmd->add_option("name", *name, "Machine that becomes the manager")
        ->type_name(k_machine_type)
        ->required();
    cmd->callback([&ctx, name] { swarm_init(ctx.store().load(*name), ctx.https(), std::cout); });
}

void add_join(CLI::App* swarm_cmd, Context& ctx) {
    struct Args {
        std::string name, manager, role = "worker";
    };
    auto args = std::make_shared<Args>();
    auto* cmd = swarm_cmd->add_subcommand("join", "Add a machine to another machine's swarm");
    cmd->footer(
        R"X(Reads the join token for the role from the swarm's manager and joins NAME with it,
advertising NAME's IP, as `docker swarm join --token TOKEN MANAGER-IP:2377` does. --manager
may name any member of the swarm: a worker leads to its manager. A machine that already is in
that swarm is left as it is (asked for --role manager, a worker is promoted); one that is in
another swarm is refused: run `machine swarm leave NAME` first.

Examples:
  machine swarm join myvm2 --manager myvm1
  machine swarm join myvm3 --manager myvm1 --role manager)X");
    cmd->add_option("name", args->name, "Machine that joins")
        ->type_name(k_machine_type)
        ->required();
    cmd->add_option("--manager", args->manager, "A machine of the swarm to join")
        ->type_name(k_machine_type)
        ->required();
    cmd->add_option("--role", args->role, "worker or manager")
        ->check(CLI::IsMember({"worker", "manager"}))
        ->capture_default_str();
    cmd->callback([&ctx, args] {
        Store store = ctx.store();
        Host node = store.load(args->name);
        store.load(args->manager); // NotFound before any network call
        swarm_join(store, node, args->manager, *swarm::parse_join_role(args->role), ctx.https(),
                   std::cout);
    });
}

void add_leave(CLI::App* swarm_cmd, Context& ctx) {
    struct Args {
        std::string name;
        bool force = false;
    };
    auto args = std::make_shared<Args>();
    auto* cmd = swarm_cmd->add_subcommand("leave", "Take a machine out of its swarm");
    cmd->footer(
        R"X(A worker leaves at once; the swarm's managers list it as "Down" until it is removed there
(docker node rm). A manager needs --force, because the last manager leaving erases the swarm.
Leaving when in no swarm changes nothing.

Examples:
  machine swarm leave myvm2
  machine swarm leave --force myvm1)X");
    cmd->add_option("name", args->name, "Machine that leaves")
        ->type_name(k_machine_type)
        ->required();
    cmd->add_flag("-f,--force", args->force, "Leave even as a manager");
    cmd->callback(
        [&ctx, args] { swarm_leave(ctx.store().load(args->name), args->force, ctx.https(), std::cout); });
}

void add_ls(CLI::App* swarm_cmd, Context& ctx) {
    auto name = std::make_shared<std::string>();
    auto* cmd = swarm_cmd->add_subcommand("ls", "List the nodes of a machine's swarm");
    cmd->footer(
        R"X(Asks a manager of MACHINE's swarm (MACHINE itself, or the manager a worker knows) for
its nodes, like `docker node ls`; the MACHINE column names the machine of this store at the
node's address. Without MACHINE, the machine `machine env` pointed at ($DOCKER_MACHINE_NAME).

Example: machine swarm ls myvm1)X");
    cmd->add_option("machine", *name, "Any machine of the swarm")->type_name(k_machine_type);
    cmd->callback([&ctx, name] {
        std::string target = *name;
        if (target.empty()) {
            const char* env = std::getenv("DOCKER_MACHINE_NAME");
            if (!env || !*env)
                throw UsageError("swarm ls: name a machine of the swarm (or run `eval "
                                 "$(machine env NAME)` first)");
            target = env;
        }
        std::cout << swarm_nodes_table(ctx.store(), target, ctx.https());
    });
}

} // namespace

void add_swarm_commands(CLI::App& app, Context& ctx) {
    auto* cmd = app.add_subcommand("swarm", "Form a Docker swarm from machines");
    cmd->footer(R"X(The seeds' manual flow, one command per step:
  machine swarm init myvm1                      # myvm1 starts a swarm and manages it
  machine swarm join myvm2 --manager myvm1      # myvm2 joins it as a worker
  machine swarm ls myvm1                        # the nodes, as `docker node ls` shows them
  eval $(machine env --swarm myvm2)             # docker now talks to a manager of that swarm
  docker stack deploy -c docker-compose.yml getstartedlab
  machine swarm leave myvm2 ; machine swarm leave --force myvm1

Or at create time: machine create --swarm-manager myvm1 ; machine create --swarm-join myvm1
myvm2; or all at once from a lab file: machine lab up -f lab.yaml)X");
    cmd->require_subcommand(1);
    add_init(cmd, ctx);
    add_join(cmd, ctx);
    add_leave(cmd, ctx);
    add_ls(cmd, ctx);
    add_swarm_registry_command(cmd, ctx);
}

} // namespace machine::cli
