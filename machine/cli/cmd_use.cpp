// machine use NAME | use -u: switch the docker CLI's current context to the one machine wrote
// for NAME (writing it if it is missing), or back to docker's default, as `docker context use`
// does: only config.json's "currentContext" changes, atomically, the rest byte for byte.
#include "machine/cli/arg_types.h"
#include "machine/cli/context.h"

#include "machine/docker_contexts.h"
#include "machine/support/error.h"
#include "machine/support/log.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdlib>
#include <iostream>

namespace machine::cli {

namespace {

void warn_overrides() {
    for (const char* var : {"DOCKER_HOST", "DOCKER_CONTEXT"})
        if (const char* v = std::getenv(var); v && *v)
            support::warn("{} is set in this shell and wins over the current context (run "
                          "`eval $(machine env -u)` or unset it)",
                          var);
}

void use(Context& ctx, const std::string& name) {
    Store store = ctx.store();
    DockerContexts contexts(store, docker_config_dir());
    auto mine = contexts.ours(name);
    if (mine && mine->config_dir != contexts.config_dir())
        throw UsageError(fmt::format("docker context \"{}\" was written to {}, not to this "
                                     "shell's docker folder {}",
                                     name, mine->config_dir.string(),
                                     contexts.config_dir().string()));
    if (!mine) {
        if (!store.exists(name))
            throw NotFound(fmt::format("machine \"{}\" does not exist", name));
        Host host = store.load(name);
        switch (contexts.write(name, host)) {
        case ContextWrite::Written:
            std::cout << fmt::format("Wrote docker context \"{}\"\n", name);
            break;
        case ContextWrite::NotOurs:
            throw UsageError(fmt::format(
                "docker context \"{}\" exists and machine did not make it; left it alone (use "
                "`docker context use {}` if you mean that one)",
                name, name));
        case ContextWrite::BadName:
            throw UsageError(fmt::format(
                "docker does not accept \"{}\" as a context name; use `eval $(machine env {})`",
                name, name));
        }
    }
    contexts.set_current(name);
    std::cout << fmt::format("Current context is now \"{}\"\n", name);
    warn_overrides();
}

void unuse(Context& ctx) {
    Store store = ctx.store();
    DockerContexts contexts(store, docker_config_dir());
    std::string current = contexts.current();
    if (current.empty()) {
        std::cout << "Current context is already \"default\"\n";
        return;
    }
    if (!contexts.ours(current))
        throw UsageError(fmt::format("docker's current context \"{}\" was not made by machine; "
                                     "left it as is (`docker context use default` switches)",
                                     current));
    contexts.set_current(std::nullopt);
    std::cout << "Current context is now \"default\"\n";
}

} // namespace

void add_use_command(CLI::App& app, Context& ctx) {
    struct Args {
        std::string name;
        bool unset = false;
    };
    auto args = std::make_shared<Args>();
    auto* cmd = app.add_subcommand(
        "use", "Make a machine docker's current context (as `docker context use`)");
    cmd->footer(R"X(Sets "currentContext" in docker's config.json ($DOCKER_CONFIG, default
~/.docker) to the context machine wrote for NAME, writing it first if it is missing. Nothing else
in config.json changes. -u switches back to docker's "default" context, only if the current
context is one machine made. DOCKER_HOST and DOCKER_CONTEXT in the environment win over it.
Examples:
  machine use myvm1 && docker ps
  machine use -u)X");
    auto* name = cmd->add_option("name", args->name, "Machine (or lab) whose context to use")
                     ->type_name(k_machine_type);
    cmd->add_flag("-u,--unset", args->unset, "Switch back to docker's default context")
        ->excludes(name);
    cmd->callback([&ctx, args] {
        if (args->unset)
            return unuse(ctx);
        if (args->name.empty())
            throw UsageError("use needs a machine name (or -u)");
        use(ctx, args->name);
    });
}

} // namespace machine::cli
