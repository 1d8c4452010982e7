#include "machine/ssh_keys.h"

#include "provision/ssh_client.h"

namespace machine {

std::string generate_ssh_key(const std::filesystem::path& path, const std::string& comment) {
    return provision::ssh_backend().generate_ed25519_key(path, comment); // libssh, in the backends
}

} // namespace machine
