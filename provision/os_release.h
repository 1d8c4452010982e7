#pragma once
// /etc/os-release (os-release(5)) parsing and the choice of package manager it implies.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace machine::provision {

struct OsRelease {
    std::string id;                   // ID, lowercased; "linux" when absent (as the spec says)
    std::vector<std::string> id_like; // ID_LIKE, split on whitespace, in file order
    std::string version_id;           // VERSION_ID
    std::string pretty_name;          // PRETTY_NAME
};

// Parses os-release text: KEY=VALUE lines, '#' comments, single/double quotes and backslash
// escapes. Malformed lines are skipped; returns nullopt when no line was a valid assignment.
std::optional<OsRelease> parse_os_release(std::string_view text);

enum class PackageManager { apt, dnf, yum, zypper, apk, pacman };

// The package manager for `os`, decided by ID first, then by each ID_LIKE entry in order.
// Throws ProvisionError naming the distribution when none is known.
PackageManager pick(const OsRelease& os);

std::string to_string(PackageManager pm);

} // namespace machine::provision
