#include "machine/ssh_access.h"

#include "machine/names.h"

#include <fmt/format.h>

namespace machine {

provision::SshTarget ssh_target(const Host& host, drivers::Driver& driver) {
    drivers::SshEndpoint e = driver.ssh_endpoint();
    return {e.host, e.port, e.user, e.key_path, host.options.auth.store_path / "known_hosts"};
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

} // namespace machine
