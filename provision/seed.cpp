#include "provision/seed.h"

#include "machine/support/error.h"
#include "machine/support/fs.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace machine::provision {

namespace {

bool all_of(const std::string& s, bool (*ok)(char)) { return std::all_of(s.begin(), s.end(), ok); }

bool hostname_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.'; }
bool user_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'; }
bool key_char(char c) { return c >= 0x20 && c < 0x7f; }

} // namespace

std::string yaml_quote(const std::string& value) {
    std::string out = "'";
    for (char c : value)
        out += c == '\'' ? std::string("''") : std::string(1, c);
    return out + "'";
}

void validate_seed(const SeedConfig& c) {
    if (c.instance_id.empty() || !all_of(c.instance_id, key_char))
        throw UsageError("seed: the instance id must be non-empty printable text on one line");
    if (c.hostname.empty() || c.hostname.size() > 253 || !all_of(c.hostname, hostname_char) ||
        c.hostname.front() == '-' || c.hostname.front() == '.')
        throw UsageError(fmt::format("seed: '{}' is not a valid host name", c.hostname));
    if (c.user.empty() || c.user.size() > 32 || !all_of(c.user, user_char) ||
        !((c.user[0] >= 'a' && c.user[0] <= 'z') || c.user[0] == '_'))
        throw UsageError(fmt::format("seed: '{}' is not a valid user name", c.user));
    auto key_type = c.ssh_public_key.substr(0, c.ssh_public_key.find(' '));
    bool known = key_type.rfind("ssh-", 0) == 0 || key_type.rfind("ecdsa-", 0) == 0 ||
                 key_type.rfind("sk-", 0) == 0;
    if (!known || c.ssh_public_key.find(' ') == std::string::npos ||
        !all_of(c.ssh_public_key, key_char))
        throw UsageError("seed: the SSH public key must be one OpenSSH public key line");
    if (!c.network_config.empty() && c.network_config.rfind("version: 2", 0) != 0 &&
        c.network_config.find("\nversion: 2") == std::string::npos)
        throw UsageError("seed: network-config must be netplan version 2 YAML ('version: 2')");
}

std::string render_meta_data(const SeedConfig& c) {
    return fmt::format("instance-id: {}\nlocal-hostname: {}\n", yaml_quote(c.instance_id),
                       yaml_quote(c.hostname));
}

std::string render_user_data(const SeedConfig& c) {
    return fmt::format("#cloud-config\n"
                       "hostname: {0}\n"
                       "preserve_hostname: false\n"
                       "users:\n"
                       "  - name: {1}\n"
                       "    groups: docker\n"
                       "    shell: /bin/bash\n"
                       "    sudo: 'ALL=(ALL) NOPASSWD:ALL'\n"
                       "    lock_passwd: true\n"
                       "    ssh_authorized_keys:\n"
                       "      - {2}\n"
                       "ssh_pwauth: false\n",
                       yaml_quote(c.hostname), yaml_quote(c.user), yaml_quote(c.ssh_public_key));
}

void write_seed_iso(const SeedConfig& config, const fs::path& iso_out,
                    support::ProcessRunner& runner) {
    validate_seed(config);
    if (!runner.available("xorriso"))
        throw Unavailable("xorriso is needed to write the machine's seed ISO (package xorriso)");
    auto dir = iso_out.parent_path().empty() ? fs::path(".") : iso_out.parent_path();
    support::ScratchDir tmp(dir, ".seed-");
    auto files = tmp.path() / "cidata";
    support::make_dirs(files);
    support::atomic_write(files / "meta-data", render_meta_data(config));
    support::atomic_write(files / "user-data", render_user_data(config));
    if (!config.network_config.empty()) {
        auto net = config.network_config;
        if (net.back() != '\n')
            net += '\n';
        support::atomic_write(files / "network-config", net);
    }
    auto iso_tmp = tmp.path() / "seed.iso";
    // Rock Ridge keeps the lowercase names with dashes that NoCloud expects; Joliet for Windows.
    support::ProcessSpec spec{.program = "xorriso",
                              .args = {"-as", "mkisofs", "-quiet", "-output", iso_tmp.string(),
                                       "-volid", "cidata", "-joliet", "-rock", files.string()},
                              .timeout = std::chrono::seconds(60)};
    auto r = runner.run(spec);
    if (!r.ok())
        throw Error(fmt::format("writing the seed ISO {} failed: {}", iso_out.string(),
                                r.timed_out ? "xorriso timed out" : r.err));
    if (!fs::exists(iso_tmp))
        throw Error(fmt::format("xorriso wrote no seed ISO at {}", iso_tmp.string()));
    fs::rename(iso_tmp, iso_out);
}

} // namespace machine::provision
