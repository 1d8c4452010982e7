#pragma once
// How the pipelines reach a machine: SSH sessions and keys, and HTTPS requests to its engine.
// Both are in machine-backends.so (libssh, libcurl); the CLI hands them down (cli/context.h)
// and loads the module only when one of them is first used. Nothing below looks it up.
#include "provision/https_transport.h"
#include "provision/ssh_client.h"

namespace machine {

struct RemoteAccess {
    provision::SshBackend& ssh;
    provision::HttpsTransport https;
};

} // namespace machine
