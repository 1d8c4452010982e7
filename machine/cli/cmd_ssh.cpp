// ssh and scp. The system's OpenSSH by default (a real TTY, the remote exit status passed
// through); libssh with --native-ssh.
#include "machine/cli/arg_types.h"
#include "machine/cli/context.h"

#include "machine/cli/exit_status.h"
#include "machine/ssh_access.h"
#include "machine/support/error.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <unistd.h>

namespace machine::cli {

namespace {

// How long the built-in client (--native-ssh) waits to connect.
constexpr std::chrono::seconds k_connect_timeout{10};

struct Resolved {
    Host host;
    provision::SshTarget target;
};

Resolved resolve(Context& ctx, const std::string& name) {
    Store store = ctx.store();
    Host host = store.load(name);
    auto driver = ctx.driver_for(host);
    if (driver->state() != drivers::State::Running)
        throw Error(fmt::format("machine \"{}\" is not running (state: {}); `machine start {}`",
                                name, to_string(driver->state()), name));
    return {host, ssh_target(host, *driver)};
}

// A private folder (mkdtemp, 0700) removed on every exit path: files passing from one machine to
// another through the host are seen by nobody else, and no name is guessed in /tmp.
class StagingDir {
public:
    StagingDir() {
        std::string templ = (fs::temp_directory_path() / "machine-scp-XXXXXX").string();
        if (!::mkdtemp(templ.data()))
            throw Error(fmt::format("cannot make a temp folder: {}", std::strerror(errno)));
        m_path = templ;
    }
    ~StagingDir() {
        std::error_code ec;
        fs::remove_all(m_path, ec);
    }
    StagingDir(const StagingDir&) = delete;
    StagingDir& operator=(const StagingDir&) = delete;
    const fs::path& path() const { return m_path; }

private:
    fs::path m_path;
};

int native_copy(Context& ctx, const ScpEndpoint& from, const ScpEndpoint& to, bool recursive) {
    std::optional<StagingDir> temp;
    if (!from.machine.empty() && !to.machine.empty())
        temp.emplace();
    // machine -> local (a private temp folder when the destination is another machine)
    fs::path local = to.machine.empty() ? fs::path(to.path) : fs::path();
    if (temp)
        local = temp->path() / "data";
    if (!from.machine.empty()) {
        auto src = ctx.ssh().connect(resolve(ctx, from.machine).target, k_connect_timeout);
        if (recursive)
            src->download_tree(from.path, local);
        else
            src->download_file(from.path, local);
    } else {
        local = from.path;
    }
    if (!to.machine.empty()) {
        auto dst = ctx.ssh().connect(resolve(ctx, to.machine).target, k_connect_timeout);
        if (recursive)
            dst->upload_tree(local, to.path);
        else
            dst->upload_file(local, to.path);
    }
    return 0;
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
        auto r = resolve(ctx, ssh->name);
        int status;
        if (ctx.opts.native_ssh) {
            auto client = ctx.ssh().connect(r.target, k_connect_timeout);
            status = command.empty()
                         ? client->run_interactive(std::nullopt)
                         : client->run_interactive(fmt::format("{}", fmt::join(command, " ")));
        } else {
            status = ctx.runner().run_attached({"ssh", ssh_args(r.target, command)});
        }
        throw ExitStatus(status);
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
        if (ctx.opts.native_ssh || (!from.machine.empty() && !to.machine.empty()))
            throw ExitStatus(native_copy(ctx, from, to, scp->recursive));
        const ScpEndpoint& remote = from.machine.empty() ? to : from;
        auto r = resolve(ctx, remote.machine);
        std::vector<std::string> args = provision::openssh_options(r.target);
        args.insert(args.end(), {"-P", std::to_string(r.target.port)});
        if (scp->recursive)
            args.push_back("-r");
        if (scp->quiet)
            args.push_back("-q");
        auto side = [&](const ScpEndpoint& e) {
            return e.machine.empty()
                       ? e.path
                       : fmt::format("{}@{}:{}", r.target.user, r.target.host, e.path);
        };
        args.push_back("--"); // a local path starting with '-' is a path, not an option
        args.push_back(side(from));
        args.push_back(side(to));
        throw ExitStatus(ctx.runner().run_attached({"scp", args}));
    });
}

} // namespace machine::cli
