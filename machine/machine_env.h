#pragma once
// What `machine env` prints: the shell lines that point a docker client at a machine, or unset
// them. No network call: the certificates are checked locally (chain, and the machine's IP in
// the server certificate's SANs).
#include "env/shell.h"
#include "machine/host.h"

#include <map>
#include <string>

namespace machine {

struct EnvRequest {
    env::Shell shell = env::Shell::Bash;
    std::string shell_flag; // " --shell NAME" when given, repeated in the usage hint
    bool no_proxy = false;  // also NO_PROXY (or no_proxy, as the user spells it)
    std::map<std::string, std::string> environment; // this process's, for NO_PROXY
};

// The lines that unset DOCKER_TLS_VERIFY, DOCKER_HOST, DOCKER_CERT_PATH, DOCKER_MACHINE_NAME
// (and NO_PROXY, no_proxy with no_proxy), then the usage hint "machine env -u".
std::string env_unset_lines(const EnvRequest& request);

// The lines for `host`, then the usage hint "machine env NAME". Throws Error for a machine
// with a recorded error, without an IP, or whose certificates would fail (check_env_certs).
std::string env_lines(const Host& host, const EnvRequest& request);

// Refuses to point a client at a machine whose certificates would fail, saying what to run.
// A success is recorded next to the certificates (engine/check_stamp.h), so later runs over the
// same unchanged files skip OpenSSL entirely.
void check_env_certs(const Host& host);

} // namespace machine
