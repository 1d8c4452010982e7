// machine mount NAME:PATH [LOCAL] / mount -u NAME:PATH [LOCAL]: a machine's folder on the host
// through sshfs, with the machine's key and its pinned host key (StrictHostKeyChecking=yes),
// as docker-machine's mount did. Unmounting is fusermount3 -u (fusermount on older systems).
#include "machine/cli/arg_types.h"
#include "machine/cli/context.h"

#include "machine/cli/exit_status.h"
#include "machine/ssh_access.h"
#include "machine/support/error.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <iostream>
#include <unistd.h>

namespace machine::cli {

namespace {

// sshfs's arguments for `target`: ssh's own options (-o pairs, -F), the key as IdentityFile.
std::vector<std::string> sshfs_args(const provision::SshTarget& target, const std::string& remote,
                                    const fs::path& local) {
    std::vector<std::string> args;
    auto ssh = provision::openssh_options(target);
    for (size_t i = 0; i + 1 < ssh.size(); i += 2) {
        if (ssh[i] == "-i")
            args.insert(args.end(), {"-o", "IdentityFile=" + ssh[i + 1]});
        else
            args.insert(args.end(), {ssh[i], ssh[i + 1]});
    }
    args.insert(args.end(),
                {"-p", std::to_string(target.port), "-o", "BatchMode=yes",
                 fmt::format("{}@{}:{}", target.user, target.host, remote), local.string()});
    return args;
}

} // namespace

void add_mount_command(CLI::App& app, Context& ctx) {
    struct Args {
        std::string remote, local;
        bool unmount = false;
    };
    auto args = std::make_shared<Args>();
    auto* cmd = app.add_subcommand("mount", "Mount a machine's folder on the host with sshfs");
    cmd->footer(R"X(LOCAL defaults to a folder in the current one named after PATH's last part; it
must exist and be empty. The machine's SSH key is used and its host key must match the one pinned
at create (a changed host key is refused). Needs sshfs (Debian: apt install sshfs).
Examples:
  machine mount myvm1:/home/docker/app ./app
  machine mount -u myvm1:/home/docker/app ./app)X");
    cmd->add_option("source", args->remote, "NAME:PATH on the machine")
        ->type_name(k_machine_path_type)
        ->required();
    cmd->add_option("local", args->local, "Local folder to mount it on");
    cmd->add_flag("-u,--unmount", args->unmount, "Unmount instead");
    cmd->callback([&ctx, args] {
        ScpEndpoint remote = parse_scp_endpoint(args->remote);
        if (remote.machine.empty())
            throw UsageError(
                fmt::format("\"{}\" does not name a machine: write NAME:PATH", args->remote));
        if (remote.path.empty())
            remote.path = ".";
        fs::path local = args->local;
        if (local.empty()) {
            std::string base = fs::path(remote.path).lexically_normal().filename().string();
            if (base.empty() || base == "." || base == "..")
                throw UsageError("give the local folder: PATH has no last part to name it after");
            local = fs::current_path() / base;
        }
        local = fs::absolute(local);
        if (args->unmount) {
            std::string fusermount = ctx.runner().available("fusermount3")  ? "fusermount3"
                                     : ctx.runner().available("fusermount") ? "fusermount"
                                                                            : "";
            if (fusermount.empty())
                throw Unavailable("fusermount3 is not installed (Debian: apt install fuse3)");
            auto r = ctx.runner().run({fusermount, {"-u", local.string()}});
            if (!r.ok())
                throw Error(fmt::format("could not unmount {}: {}", local.string(), r.err));
            std::cout << fmt::format("Unmounted {}\n", local.string());
            return;
        }
        std::error_code ec;
        if (!fs::is_directory(local, ec))
            throw NotFound(fmt::format("local folder {} does not exist", local.string()));
        if (!fs::is_empty(local, ec))
            throw UsageError(fmt::format("local folder {} is not empty", local.string()));
        if (!ctx.runner().available("sshfs"))
            throw Unavailable("sshfs is not installed (Debian: apt install sshfs)");
        Store store = ctx.store();
        Host host = store.load(remote.machine);
        auto driver = ctx.driver_for(host);
        if (driver->state() != drivers::State::Running)
            throw Error(fmt::format("machine \"{}\" is not running; `machine start {}`",
                                    remote.machine, remote.machine));
        auto target = ssh_target(host, *driver);
        // Attached: sshfs goes to the background once mounted, and its ssh child keeps the
        // inherited stderr open, so waiting for captured output would wait for the unmount.
        int status = ctx.runner().run_attached({"sshfs", sshfs_args(target, remote.path, local)});
        if (status != 0)
            throw Error(fmt::format("sshfs could not mount {}:{} on {} (exit status {})",
                                    remote.machine, remote.path, local.string(), status));
        std::cout << fmt::format("Mounted {}:{} on {} (machine mount -u {} {} unmounts)\n",
                                 remote.machine, remote.path, local.string(), args->remote,
                                 local.string());
    });
}

} // namespace machine::cli
