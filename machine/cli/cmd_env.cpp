// machine env: the shell lines that point a docker client at a machine (machine/machine_env.h).
#include "machine/cli/arg_types.h"
#include "machine/cli/context.h"

#include "env/shell.h"
#include "machine/machine_env.h"
#include "machine/support/error.h"
#include "machine/swarm_membership.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <chrono>
#include <iostream>
#include <map>

extern char** environ;

namespace machine::cli {

namespace {

std::map<std::string, std::string> current_environment() {
    std::map<std::string, std::string> out;
    for (char** e = environ; e && *e; ++e) {
        std::string kv = *e;
        auto eq = kv.find('=');
        if (eq != std::string::npos)
            out.emplace(kv.substr(0, eq), kv.substr(eq + 1));
    }
    return out;
}

} // namespace

void add_env_command(CLI::App& app, Context& ctx) {
    struct Args {
        std::string name = "default";
        std::string shell;
        bool unset = false;
        bool no_proxy = false;
        std::string swarm; // --swarm NAME: a reachable manager of NAME's swarm
    };
    auto args = std::make_shared<Args>();
    auto* cmd = app.add_subcommand("env", "Print the commands that point docker at a machine");
    cmd->footer(R"X(Examples:
  eval $(machine env myvm1)                        # bash, zsh, sh
  machine env myvm1 | source                       # fish
  & machine env --shell powershell myvm1 | Invoke-Expression
  eval $(machine env -u)                           # back to the local engine

Shells: bash, zsh, sh, fish, powershell (pwsh), cmd, tcsh, emacs, nushell. Without --shell
the parent process (then $SHELL) decides. The certificates are checked locally first; if the
machine's IP is not in its server certificate, env says to run `machine regenerate-certs`.)X");
    auto* name_opt = cmd->add_option("name", args->name, "Machine name (default: \"default\")")
                         ->type_name(k_machine_type);
    cmd->add_option("--shell", args->shell, "Shell to print for (default: detected)")
        ->check(CLI::Validator(
            [](std::string& s) {
                return env::parse_shell(s) ? std::string() : "unknown shell \"" + s + "\"";
            },
            "{bash,zsh,sh,fish,powershell,cmd,tcsh,emacs,nushell}"));
    auto* unset_opt = cmd->add_flag("-u,--unset", args->unset, "Print lines that unset the "
                                                               "variables instead");
    cmd->add_flag("--no-proxy", args->no_proxy,
                  "Add the machine's IP to NO_PROXY (as a list entry, once)");
    cmd->add_option("--swarm", args->swarm,
                    "Point at a reachable manager of the swarm machine NAME is in (asks the "
                    "engines over TLS), e.g. for `docker stack deploy`")
        ->type_name(k_machine_type)
        ->excludes(name_opt)
        ->excludes(unset_opt);
    cmd->callback([&ctx, args, name_opt, unset_opt] {
        if (unset_opt->count() > 0 && name_opt->count() > 0)
            throw UsageError("env -u takes no machine name: it unsets the variables whichever "
                             "machine they point at (run `machine env -u`)");
        EnvRequest request;
        request.environment = current_environment();
        if (!args->shell.empty()) {
            auto parsed = env::parse_shell(args->shell);
            if (!parsed)
                throw UsageError(fmt::format("unknown shell \"{}\" (bash, zsh, sh, fish, "
                                             "powershell, cmd, tcsh, emacs, nushell)",
                                             args->shell));
            request.shell = *parsed;
            request.shell_flag = " --shell " + args->shell;
        } else {
            request.shell = env::detect_shell(request.environment, env::parent_process_name());
        }
        request.no_proxy = args->no_proxy;
        if (args->unset) {
            std::cout << env_unset_lines(request);
            return;
        }
        Store store = ctx.store();
        Host host = args->swarm.empty()
                        ? store.load(args->name)
                        : find_manager(store, args->swarm, ctx.https(), std::chrono::seconds(5));
        std::cout << env_lines(host, request);
    });
}

} // namespace machine::cli
