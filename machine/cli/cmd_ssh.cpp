// ssh and scp. The system's OpenSSH by default (a real TTY, the remote exit status passed
// through); libssh with --native-ssh.
#include "machine/cli/arg_types.h"
#include "machine/cli/context.h"

#include "machine/cli/exit_status.h"
#include "machine/ssh_access.h"
#include "machine/support/error.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

namespace machine::cli {

namespace {

// The SSH target of a machine that must be running.
provision::SshTarget target_of(Context& ctx, const std::string& name) {
    Host host = ctx.store().load(name);
    return running_ssh_target(host, *ctx.driver_for(host));
}

} // namespace

void add_ssh_commands(CLI::App& app, Context& ctx) {
    struct SshArgs {
        std::string name;
        std::vector<std::string> command;
    };
    auto ssh = std::make_shared<SshArgs>();
    auto* cmd = app.add_subcommand("ssh", "Log into a machine, or run a command on it");
    cmd->footer(R"X(Examples:
  machine ssh myvm1
  machine ssh myvm1 "docker swarm init --advertise-addr $(machine ip myvm1)"
  machine ssh myvm1 -- ls -l /etc/docker

Uses the system's ssh with the machine's own key and its host key pinned at first contact (a
changed host key is refused). The remote command's exit status becomes machine's.
--native-ssh uses the built-in client instead.)X");
    cmd->add_option("name", ssh->name, "Machine name")->type_name(k_machine_type)->required();
    cmd->add_option("command", ssh->command, "Command to run (default: a login shell)");
    cmd->positionals_at_end();
    cmd->prefix_command();
    cmd->callback([&ctx, ssh, cmd] {
        std::vector<std::string> command = ssh->command;
        for (const auto& extra : cmd->remaining())
            command.push_back(extra);
        if (!command.empty() && command.front() == "--")
            command.erase(command.begin());
        auto target = target_of(ctx, ssh->name);
        throw ExitStatus(ctx.opts.native_ssh
                             ? native_ssh(ctx.ssh(), target, command)
                             : ctx.runner().run_attached({"ssh", ssh_args(target, command)}));
    });

    struct ScpArgs {
        std::string from, to;
        bool recursive = false;
        bool quiet = false;
    };
    auto scp = std::make_shared<ScpArgs>();
    auto* scp_cmd = app.add_subcommand("scp", "Copy files between the host and machines");
    scp_cmd->footer(R"X(Examples:
  machine scp ./app.tar myvm1:/tmp/app.tar
  machine scp myvm1:/etc/docker/daemon.json .
  machine scp -r ./site myvm1:site
  machine scp myvm1:/tmp/app.tar myvm2:/tmp/app.tar     # machine to machine, through the host
A path is on a machine when it starts with NAME: (a local path with a colon: write ./a:b).)X");
    scp_cmd->add_option("source", scp->from, "NAME:path or local path")
        ->type_name(k_machine_path_type)
        ->required();
    scp_cmd->add_option("destination", scp->to, "NAME:path or local path")
        ->type_name(k_machine_path_type)
        ->required();
    scp_cmd->add_flag("-r,--recursive", scp->recursive, "Copy folders recursively");
    scp_cmd->add_flag("-q,--quiet", scp->quiet, "No progress meter");
    scp_cmd->callback([&ctx, scp] {
        ScpEndpoint from = parse_scp_endpoint(scp->from), to = parse_scp_endpoint(scp->to);
        if (from.machine.empty() && to.machine.empty())
            throw UsageError("neither side names a machine (NAME:path); use cp for local copies");
        for (const ScpEndpoint* e : {&from, &to}) // both names checked before anything runs
            if (!e->machine.empty())
                MachineName{e->machine};
        if (ctx.opts.native_ssh || (!from.machine.empty() && !to.machine.empty())) {
            native_copy(ctx.ssh(), from, to, scp->recursive,
                        [&ctx](const std::string& name) { return target_of(ctx, name); });
            throw ExitStatus(0);
        }
        auto target = target_of(ctx, (from.machine.empty() ? to : from).machine);
        auto args = scp_args(target, from, to, scp->recursive, scp->quiet);
        throw ExitStatus(ctx.runner().run_attached({"scp", args}));
    });
}

} // namespace machine::cli
