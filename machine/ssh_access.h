#pragma once
// How the CLI reaches a machine over SSH: the target (endpoint + pinned known_hosts), and the
// external ssh/scp command lines built from it. No shell strings: every piece is one argument.
#include "drivers/driver.h"
#include "machine/host.h"
#include "provision/ssh_client.h"

#include <string>
#include <vector>

namespace machine {

provision::SshTarget ssh_target(const Host& host, drivers::Driver& driver);

// `ssh <provision::openssh_options> -p PORT user@host [-- command...]`
std::vector<std::string> ssh_args(const provision::SshTarget& t,
                                  const std::vector<std::string>& command);

// One side of `machine scp`: "NAME:path" (remote) or a local path.
struct ScpEndpoint {
    std::string machine; // "" for a local path
    std::string path;
};
// "myvm1:/etc/hosts" -> {myvm1, /etc/hosts}; "./x:y" and "/abs" are local (docker-machine's rule:
// a colon before any '/' marks a machine, and the name must be a valid machine name).
ScpEndpoint parse_scp_endpoint(const std::string& arg);

} // namespace machine
