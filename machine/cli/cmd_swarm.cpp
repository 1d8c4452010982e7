// machine swarm init|join|leave|ls: swarm membership of existing machines, through each engine's
// TLS API with the machine's client certificate (the same one `machine env` gives docker).
#include "machine/cli/arg_types.h"
#include "machine/cli/context.h"

#include "machine/support/error.h"
#include "machine/swarm_membership.h"
#include "machine/swarm_registry.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <map>
#include <set>

namespace machine::cli {

namespace {

// Columns padded to their widest cell, two spaces apart, as docker's tables are.
void print_table(std::ostream& out, const std::vector<std::vector<std::string>>& rows) {
    std::vector<size_t> widths;
    for (const auto& row : rows)
        for (size_t i = 0; i < row.size(); ++i) {
            if (widths.size() <= i)
                widths.push_back(0);
            widths[i] = std::max(widths[i], row[i].size());
        }
    for (const auto& row : rows) {
        std::string line;
        for (size_t i = 0; i < row.size(); ++i)
            line += i + 1 == row.size() ? row[i] : fmt::format("{:<{}}  ", row[i], widths[i]);
        while (!line.empty() && line.back() == ' ')
            line.pop_back();
        out << line << "\n";
    }
}

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
    cmd->callback([&ctx, args] {
        Host host = ctx.store().load(args->name);
        MachineEngine engine(host, ctx.https());
        if (swarm::leave(engine, args->force))
            std::cout << fmt::format("Machine \"{}\" left its swarm.\n", host.name);
        else
            std::cout << fmt::format("Machine \"{}\" is in no swarm: nothing to do.\n", host.name);
    });
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
        Store store = ctx.store();
        Host manager = find_manager(store, target, ctx.https());
        std::map<std::string, std::string> by_ip;
        for (const auto& n : store.list()) {
            try {
                by_ip[store.load(n).ip()] = n;
            } catch (const Error&) {
            }
        }
        MachineEngine engine(manager, ctx.https());
        std::vector<std::vector<std::string>> rows = {{"ID", "HOSTNAME", "MACHINE", "STATUS",
                                                       "AVAILABILITY", "MANAGER STATUS",
                                                       "ENGINE VERSION"}};
        for (const auto& n : swarm::nodes(engine)) {
            auto m = by_ip.find(n.addr);
            std::string status = n.state;
            if (!status.empty())
                status[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(status[0])));
            std::string availability = n.availability;
            if (!availability.empty())
                availability[0] =
                    static_cast<char>(std::toupper(static_cast<unsigned char>(availability[0])));
            rows.push_back({n.id, n.hostname, m == by_ip.end() ? "" : m->second, status,
                            availability, n.manager_status, n.engine_version});
        }
        print_table(std::cout, rows);
    });
}

void add_registry(CLI::App* swarm_cmd, Context& ctx) {
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
        MachineEngine engine(manager, ctx.https());
        std::set<std::string> addrs;
        for (const auto& n : swarm::nodes(engine))
            if (n.state != "down")
                addrs.insert(n.addr);
        std::vector<Host> members;
        for (const auto& n : store.list()) {
            try {
                Host h = store.load(n);
                if (addrs.count(h.ip()))
                    members.push_back(h);
            } catch (const Error&) {
            }
        }
        RegistryServices services{store,
                                  ctx.tls_paths(),
                                  ctx.runner(),
                                  std::cout,
                                  [&ctx](const Host& h) { return ctx.driver_for(h); },
                                  ctx.remote()};
        ensure_registry(manager, members, services);
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
    add_registry(cmd, ctx);
}

} // namespace machine::cli
