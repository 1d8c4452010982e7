#pragma once
// How the CLI reaches a machine over SSH: the target (endpoint + pinned known_hosts), and the
// external ssh/scp command lines built from it. No shell strings: every piece is one argument.
#include "drivers/driver.h"
#include "machine/host.h"
#include "provision/ssh_client.h"

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace machine {

provision::SshTarget ssh_target(const Host& host, drivers::Driver& driver);

// ssh_target of a machine that must be running: throws Error "machine \"NAME\" is not running
// (state: ...); `machine start NAME`" otherwise.
provision::SshTarget running_ssh_target(const Host& host, drivers::Driver& driver);

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

// `ssh NAME [command...]` through the built-in client (--native-ssh): a login shell, or the
// command's words joined by spaces. Returns the remote exit status.
int native_ssh(provision::SshBackend& ssh, const provision::SshTarget& target,
               const std::vector<std::string>& command);

// How long the built-in client (--native-ssh, native scp) waits to connect.
inline constexpr std::chrono::seconds k_native_connect_timeout{10};

// The arguments of OpenSSH's scp between one machine (`target`) and this host: the pinned
// options, -P PORT, -r, -q, then `--` and both sides (a local path starting with '-' stays a
// path).
std::vector<std::string> scp_args(const provision::SshTarget& target, const ScpEndpoint& from,
                                  const ScpEndpoint& to, bool recursive, bool quiet);

// `scp` through the built-in client (SFTP): machine to local, local to machine, or machine to
// machine through a private folder of this host (mkdtemp, 0700, removed on every exit path).
// `target_of` names a machine's SSH target (running_ssh_target).
void native_copy(provision::SshBackend& ssh, const ScpEndpoint& from, const ScpEndpoint& to,
                 bool recursive,
                 const std::function<provision::SshTarget(const std::string&)>& target_of);

} // namespace machine
