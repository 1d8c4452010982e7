// machine env: the shell lines that point a docker client at a machine. No network call: the
// certificates are checked locally (chain, and the machine's IP in the server cert's SANs).
#include "machine/cli/arg_types.h"
#include "machine/cli/context.h"

#include "engine/check_stamp.h"
#include "engine/tls.h"
#include "env/no_proxy.h"
#include "env/render.h"
#include "env/shell.h"
#include "machine/support/error.h"
#include "machine/support/log.h"
#include "machine/swarm_membership.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <map>

extern char** environ;

namespace machine::cli {

namespace {

// Next to the certificates, so it goes with the machine (rm, a moved store).
constexpr const char* k_check_stamp = ".env-checked.json";

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

// Refuses to point a client at a machine whose certificates would fail, saying what to run.
// A success is recorded next to the certificates (engine/check_stamp.h), so later runs over the
// same unchanged files skip OpenSSL entirely.
void check_certs(const Host& host) {
    const auto& a = host.options.auth;
    fs::path dir = a.store_path;
    const bool check_server = !host.driver_name.empty() && std::filesystem::exists(a.server_cert);
    engine::CheckedFiles checked{{dir / "ca.pem", dir / "cert.pem"}, host.ip()};
    if (check_server) {
        checked.files.push_back(a.ca_cert);
        checked.files.push_back(a.server_cert);
    }
    const fs::path stamp = dir / k_check_stamp;
    if (engine::check_stamp_matches(stamp, checked, std::chrono::system_clock::now())) {
        support::debug("env: certificates unchanged since the check recorded in {}",
                       stamp.string());
        return;
    }
    const auto before = engine::snapshot(checked);

    auto client = engine::check_client_cert(dir / "ca.pem", dir / "cert.pem");
    if (!client.ok)
        throw Error(fmt::format("machine \"{}\": {}; run `machine regenerate-certs --client-certs "
                                "{}`",
                                host.name, client.problem, host.name));
    auto valid_from = client.valid_from;
    auto valid_until = client.valid_until;
    if (check_server) {
        auto server = engine::check_server_cert(a.ca_cert, a.server_cert, host.ip());
        if (!server.ok)
            throw Error(fmt::format("machine \"{}\": {}; run `machine regenerate-certs {}`",
                                    host.name, server.problem, host.name));
        valid_from = std::max(valid_from, server.valid_from);
        valid_until = std::min(valid_until, server.valid_until);
    }
    engine::write_check_stamp(stamp, before, valid_from, valid_until);
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
        auto environment = current_environment();
        env::Shell shell;
        if (!args->shell.empty()) {
            auto parsed = env::parse_shell(args->shell);
            if (!parsed)
                throw UsageError(fmt::format("unknown shell \"{}\" (bash, zsh, sh, fish, "
                                             "powershell, cmd, tcsh, emacs, nushell)",
                                             args->shell));
            shell = *parsed;
        } else {
            shell = env::detect_shell(environment, env::parent_process_name());
        }
        std::string shell_flag = args->shell.empty() ? "" : " --shell " + args->shell;

        std::vector<env::EnvVar> vars;
        if (args->unset) {
            for (const char* v : {"DOCKER_TLS_VERIFY", "DOCKER_HOST", "DOCKER_CERT_PATH",
                                  "DOCKER_MACHINE_NAME"})
                vars.push_back({v, std::nullopt});
            if (args->no_proxy) {
                vars.push_back({"NO_PROXY", std::nullopt});
                vars.push_back({"no_proxy", std::nullopt});
            }
            std::cout << env::render(shell, vars, "machine env -u" + shell_flag);
            return;
        }

        Store store = ctx.store();
        Host host = args->swarm.empty()
                        ? store.load(args->name)
                        : find_manager(store, args->swarm, ctx.https(), std::chrono::seconds(5));
        if (!host.error.empty())
            throw Error(fmt::format("machine \"{}\" is not ready: {} (`machine provision {}` "
                                    "retries, `machine rm {}` removes it)",
                                    host.name, host.error, host.name, host.name));
        std::string url = host.url();
        if (url.empty())
            throw Error(fmt::format("machine \"{}\" has no IP address", host.name));
        check_certs(host);
        vars = {{"DOCKER_TLS_VERIFY", "1"},
                {"DOCKER_HOST", url},
                {"DOCKER_CERT_PATH", host.options.auth.store_path.string()},
                {"DOCKER_MACHINE_NAME", host.name}};
        if (args->no_proxy) {
            // Keep the spelling the user already has; docker reads both.
            std::string key = environment.count("no_proxy") && !environment.count("NO_PROXY")
                                  ? "no_proxy"
                                  : "NO_PROXY";
            std::string existing = environment.count(key) ? environment[key] : "";
            vars.push_back({key, env::merge_no_proxy(existing, host.ip())});
        }
        std::cout << env::render(shell, vars, "machine env" + shell_flag + " " + host.name);
    });
}

} // namespace machine::cli
