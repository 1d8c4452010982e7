#include "machine/ssh_access.h"

#include "machine/names.h"
#include "machine/support/error.h"
#include "machine/support/fs.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <optional>

namespace machine {

provision::SshTarget ssh_target(const Host& host, drivers::Driver& driver) {
    drivers::SshEndpoint e = driver.ssh_endpoint();
    return {e.host, e.port, e.user, e.key_path, host.options.auth.store_path / "known_hosts"};
}

provision::SshTarget running_ssh_target(const Host& host, drivers::Driver& driver) {
    if (driver.state() != drivers::State::Running)
        throw Error(fmt::format("machine \"{}\" is not running (state: {}); `machine start {}`",
                                host.name, to_string(driver.state()), host.name));
    return ssh_target(host, driver);
}

std::vector<std::string> ssh_args(const provision::SshTarget& t,
                                  const std::vector<std::string>& command) {
    auto args = provision::openssh_options(t);
    args.insert(args.end(), {"-p", std::to_string(t.port), t.user + "@" + t.host});
    if (!command.empty()) {
        args.push_back("--");
        args.insert(args.end(), command.begin(), command.end());
    }
    return args;
}

ScpEndpoint parse_scp_endpoint(const std::string& arg) {
    auto colon = arg.find(':');
    auto slash = arg.find('/');
    if (colon == std::string::npos || (slash != std::string::npos && slash < colon))
        return {"", arg};
    std::string name = arg.substr(0, colon);
    if (name_problem(name))
        return {"", arg};
    return {name, arg.substr(colon + 1)};
}

int native_ssh(provision::SshBackend& ssh, const provision::SshTarget& target,
               const std::vector<std::string>& command) {
    auto client = ssh.connect(target, k_native_connect_timeout);
    return command.empty() ? client->run_interactive(std::nullopt)
                           : client->run_interactive(fmt::format("{}", fmt::join(command, " ")));
}

std::vector<std::string> scp_args(const provision::SshTarget& target, const ScpEndpoint& from,
                                  const ScpEndpoint& to, bool recursive, bool quiet) {
    std::vector<std::string> args = provision::openssh_options(target);
    args.insert(args.end(), {"-P", std::to_string(target.port)});
    if (recursive)
        args.push_back("-r");
    if (quiet)
        args.push_back("-q");
    auto side = [&](const ScpEndpoint& e) {
        return e.machine.empty() ? e.path
                                 : fmt::format("{}@{}:{}", target.user, target.host, e.path);
    };
    args.push_back("--"); // a local path starting with '-' is a path, not an option
    args.push_back(side(from));
    args.push_back(side(to));
    return args;
}

void native_copy(provision::SshBackend& ssh, const ScpEndpoint& from, const ScpEndpoint& to,
                 bool recursive, const std::function<provision::SshTarget(const std::string&)>& target_of) {
    std::optional<support::ScratchDir> temp;
    if (!from.machine.empty() && !to.machine.empty())
        temp.emplace(fs::temp_directory_path(), "machine-scp-");
    // machine -> local (a private temp folder when the destination is another machine)
    fs::path local = to.machine.empty() ? fs::path(to.path) : fs::path();
    if (temp)
        local = temp->path() / "data";
    if (!from.machine.empty()) {
        auto src = ssh.connect(target_of(from.machine), k_native_connect_timeout);
        if (recursive)
            src->download_tree(from.path, local);
        else
            src->download_file(from.path, local);
    } else {
        local = from.path;
    }
    if (!to.machine.empty()) {
        auto dst = ssh.connect(target_of(to.machine), k_native_connect_timeout);
        if (recursive)
            dst->upload_tree(local, to.path);
        else
            dst->upload_file(local, to.path);
    }
}

} // namespace machine
