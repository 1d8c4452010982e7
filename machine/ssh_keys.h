#pragma once
// The per-machine SSH key pair (ed25519), private key 0600 from the moment it exists.
#include <filesystem>
#include <string>

namespace machine {

// Writes <path> (OpenSSH private key, 0600) and <path>.pub; returns the public key line.
std::string generate_ssh_key(const std::filesystem::path& path, const std::string& comment);

} // namespace machine
