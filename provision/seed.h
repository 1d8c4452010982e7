#pragma once
// The first-boot seed of a machine: a NoCloud "cidata" ISO (volume label cidata; files meta-data,
// user-data, optional network-config). The bundled image applies it with its machine-seed service
// (engine/image/recipe/machine-seed.sh); standard cloud images apply the same seed with cloud-init,
// since user-data is plain #cloud-config.
#include "machine/support/process.h"

#include <filesystem>
#include <string>

namespace machine::provision {

namespace fs = std::filesystem;

struct SeedConfig {
    std::string instance_id;     // applied once per id: a new id re-applies the seed
    std::string hostname;        // letters, digits, '-' and '.'
    std::string user = "docker"; // created with sudo NOPASSWD, in group docker
    std::string ssh_public_key;  // one OpenSSH public key line ("ssh-ed25519 AAAA... comment")
    std::string network_config;  // optional netplan v2 YAML starting with "version: 2"
};

// Throws UsageError naming the first bad field.
void validate_seed(const SeedConfig& config);

// The text of each seed file.
std::string render_meta_data(const SeedConfig& config);
std::string render_user_data(const SeedConfig& config);

// Writes the seed ISO with xorriso (through `runner`): `iso_out` is replaced atomically.
// Throws UsageError for a bad config, Unavailable without xorriso, Error if xorriso fails.
void write_seed_iso(const SeedConfig& config, const fs::path& iso_out,
                    support::ProcessRunner& runner);

// YAML single-quoted scalar: 'it''s'.
std::string yaml_quote(const std::string& value);

} // namespace machine::provision
