#include "machine/cli/arg_types.h"
#include "machine/cli/context.h"

#include "drivers/factory.h"
#include "machine/create.h"
#include "machine/support/error.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <iostream>
#include <map>

namespace machine::cli {

namespace {

// The request as the flags fill it in; the driver's flags are read once the driver is known.
struct CreateArgs {
    CreateRequest request;
    std::map<std::string, std::vector<std::string>> driver_flags;
    bool no_context = false;
};

// Every driver's flags are registered on `create`, as docker-machine did, so --help lists them
// all; values land in a map the chosen driver reads.
void add_driver_flags(CLI::App* cmd, CreateArgs& args) {
    for (const auto& spec : drivers::all_create_flags()) {
        std::string flag = "--" + spec.name;
        std::string help = spec.help;
        if (!spec.default_value.empty() && !spec.is_bool)
            help += fmt::format(" [default: {}]", spec.default_value);
        CLI::Option* opt;
        if (spec.is_bool) {
            opt = cmd->add_flag_callback(
                flag, [&args, name = spec.name] { args.driver_flags[name].push_back("true"); },
                help);
        } else {
            opt = cmd->add_option_function<std::vector<std::string>>(
                flag,
                [&args, name = spec.name](const std::vector<std::string>& v) {
                    auto& slot = args.driver_flags[name];
                    slot.insert(slot.end(), v.begin(), v.end());
                },
                help);
            if (!spec.repeatable)
                opt->expected(1);
            else
                opt->expected(1)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
        }
        if (!spec.env_var.empty())
            opt->envname(spec.env_var);
        opt->group("Driver options");
    }
}

} // namespace

void add_create_command(CLI::App& app, Context& ctx) {
    auto args = std::make_shared<CreateArgs>();
    CreateRequest& r = args->request;
    r.driver_name = "libvirt";
    auto* cmd = app.add_subcommand("create", "Create a machine: a VM with a Docker engine on TLS");
    cmd->footer(R"X(Examples:
  machine create --driver libvirt myvm1
  machine create --driver libvirt --libvirt-memory 4096 --libvirt-cpu-count 2 big
  machine create --driver virtualbox --virtualbox-hostonly-cidr 192.168.56.1/24 myvm2
  machine create --driver none --url tcp://10.0.0.5:2376 existing   # record an engine you run

The machine's engine listens on TCP 2376 with TLS (client certificate required) and never on
plain 2375. After create, run: eval $(machine env NAME))X");
    cmd->add_option("name", r.name, "Name of the machine (letters, digits, '-', '.')")->required();
    cmd->add_option("-d,--driver", r.driver_name,
                    fmt::format("Driver: {}", fmt::join(drivers::driver_names(), ", ")))
        // IsMember's description ({libvirt,...}) feeds completion; the message stays ours.
        ->check(CLI::Validator(
            [](std::string& value) -> std::string {
                const auto names = drivers::driver_names();
                if (std::find(names.begin(), names.end(), value) != names.end())
                    return {};
                return fmt::format("unknown driver \"{}\" (available: {})", value,
                                   fmt::join(names, ", "));
            },
            CLI::IsMember(drivers::driver_names()).get_description()))
        ->envname("MACHINE_DRIVER")
        ->capture_default_str();
    auto engine_group = "Engine options";
    cmd->add_option("--engine-opt", r.engine.arbitrary_flags,
                    "dockerd flag as name=value (repeatable), e.g. --engine-opt log-level=debug")
        ->group(engine_group);
    cmd->add_option("--engine-env", r.engine.env,
                    "Environment variable KEY=VALUE for dockerd (repeatable)")
        ->group(engine_group);
    cmd->add_option("--engine-insecure-registry", r.engine.insecure_registry,
                    "Registry host:port the engine may use without TLS (repeatable)")
        ->group(engine_group);
    cmd->add_option("--engine-registry-mirror", r.engine.registry_mirror,
                    "Registry mirror URL (repeatable)")
        ->group(engine_group);
    cmd->add_option("--engine-label", r.engine.labels,
                    "Engine label key=value (repeatable); `ls --filter label=k=v` matches it")
        ->group(engine_group);
    cmd->add_option("--engine-storage-driver", r.engine.storage_driver,
                    "Storage driver for the engine (default: the engine's own choice)")
        ->group(engine_group);
    cmd->add_option("--engine-apt-source", r.engine.apt_source,
                    "Apt source line to install the engine from when the image has none, e.g. "
                    "\"deb [trusted=yes] http://10.0.0.1:8080/ ./\"")
        ->group(engine_group);
    cmd->add_option("--tls-san", r.tls_sans,
                    "Extra name or IP for the server certificate (repeatable)")
        ->group(engine_group);
    auto swarm_group = "Swarm options";
    auto* swarm_manager = cmd->add_flag("--swarm-manager", r.swarm.manager,
                                        "Start a swarm on this machine, advertising its IP "
                                        "(as `docker swarm init`)")
                              ->group(swarm_group);
    auto* swarm_join =
        cmd->add_option("--swarm-join", r.swarm.join,
                        "Join the swarm machine NAME belongs to (any member; its manager is asked "
                        "for the token)")
            ->type_name(k_machine_type)
            ->group(swarm_group)
            ->excludes(swarm_manager);
    cmd->add_option("--swarm-role", r.swarm.role, "Role with --swarm-join: worker or manager")
        ->check(CLI::IsMember({"worker", "manager"}))
        ->needs(swarm_join)
        ->capture_default_str()
        ->group(swarm_group);
    cmd->add_flag("--no-context", args->no_context,
                  "Do not write a docker context named after the machine");
    add_driver_flags(cmd, *args);

    cmd->callback([&ctx, args] {
        CreateRequest request = args->request;
        if (!request.swarm.join.empty() && !ctx.store().exists(request.swarm.join))
            throw NotFound(
                fmt::format("--swarm-join: machine \"{}\" does not exist", request.swarm.join));
        auto driver = ctx.new_driver(request.driver_name, request.name);
        request.driver_flags = drivers::FlagValues(drivers::all_create_flags(), args->driver_flags);
        request.docker_context = !args->no_context;
        Store store = ctx.store();
        CreateServices services{store, ctx.tls_paths(), ctx.runner(), std::cout, ctx.remote()};
        create_machine(request, *driver, services);
    });
}

} // namespace machine::cli
