#include "provision/os_release.h"
#include "machine/support/text.h"

#include "machine/support/error.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <sstream>

namespace machine::provision {
namespace {

using support::lower;

bool valid_key(std::string_view key) {
    if (key.empty() || std::isdigit(static_cast<unsigned char>(key.front())))
        return false;
    return std::all_of(key.begin(), key.end(), [](unsigned char c) {
        return std::isupper(c) || std::isdigit(c) || c == '_';
    });
}

// Shell-like value decoding as os-release(5) allows: a sequence of unquoted, "double" and
// 'single' quoted parts; backslash escapes outside single quotes. nullopt on unbalanced quotes
// or unquoted whitespace (which a shell would split on).
std::optional<std::string> decode_value(std::string_view v) {
    std::string out;
    size_t i = 0;
    while (i < v.size()) {
        char c = v[i];
        if (c == '\'') {
            auto end = v.find('\'', i + 1);
            if (end == std::string_view::npos)
                return std::nullopt;
            out.append(v.substr(i + 1, end - i - 1));
            i = end + 1;
        } else if (c == '"') {
            ++i;
            bool closed = false;
            while (i < v.size()) {
                char d = v[i];
                if (d == '"') {
                    closed = true;
                    ++i;
                    break;
                }
                if (d == '\\' && i + 1 < v.size() &&
                    std::string_view("$\"\\`").find(v[i + 1]) != std::string_view::npos) {
                    out += v[i + 1];
                    i += 2;
                    continue;
                }
                out += d;
                ++i;
            }
            if (!closed)
                return std::nullopt;
        } else if (c == '\\') {
            if (i + 1 >= v.size())
                return std::nullopt;
            out += v[i + 1];
            i += 2;
        } else if (std::isspace(static_cast<unsigned char>(c))) {
            // Trailing whitespace is tolerated; whitespace inside an unquoted value is not.
            if (v.find_first_not_of(" \t\r", i) != std::string_view::npos)
                return std::nullopt;
            break;
        } else {
            out += c;
            ++i;
        }
    }
    return out;
}

std::vector<std::string> split_words(const std::string& s) {
    std::vector<std::string> words;
    std::istringstream in(s);
    std::string w;
    while (in >> w)
        words.push_back(lower(w));
    return words;
}

int major_version(const std::string& version_id) {
    int major = 0;
    for (char c : version_id) {
        if (!std::isdigit(static_cast<unsigned char>(c)))
            break;
        major = major * 10 + (c - '0');
    }
    return major;
}

// One distribution family name -> package manager; nullopt when unknown.
std::optional<PackageManager> for_name(const std::string& name, const OsRelease& os) {
    static const std::map<std::string, PackageManager> k_fixed = {
        {"debian", PackageManager::apt},
        {"ubuntu", PackageManager::apt},
        {"raspbian", PackageManager::apt},
        {"linuxmint", PackageManager::apt},
        {"pop", PackageManager::apt},
        {"kali", PackageManager::apt},
        {"devuan", PackageManager::apt},
        {"fedora", PackageManager::dnf},
        {"opensuse", PackageManager::zypper},
        {"opensuse-leap", PackageManager::zypper},
        {"opensuse-tumbleweed", PackageManager::zypper},
        {"suse", PackageManager::zypper},
        {"sles", PackageManager::zypper},
        {"alpine", PackageManager::apk},
        {"arch", PackageManager::pacman},
        {"manjaro", PackageManager::pacman},
        {"endeavouros", PackageManager::pacman},
    };
    if (auto it = k_fixed.find(name); it != k_fixed.end())
        return it->second;
    // The Red Hat family moved from yum to dnf with release 8 (Amazon Linux with 2023).
    if (name == "rhel" || name == "centos" || name == "rocky" || name == "almalinux" ||
        name == "ol" || name == "scientific") {
        int major = major_version(os.version_id);
        return major != 0 && major < 8 ? PackageManager::yum : PackageManager::dnf;
    }
    if (name == "amzn")
        return major_version(os.version_id) >= 2022 ? PackageManager::dnf : PackageManager::yum;
    return std::nullopt;
}

} // namespace

std::optional<OsRelease> parse_os_release(std::string_view text) {
    std::map<std::string, std::string> vars;
    size_t pos = 0;
    while (pos <= text.size()) {
        auto nl = text.find('\n', pos);
        std::string_view line =
            text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
        pos = nl == std::string_view::npos ? text.size() + 1 : nl + 1;

        auto first = line.find_first_not_of(" \t\r");
        if (first == std::string_view::npos || line[first] == '#')
            continue;
        line.remove_prefix(first);
        auto eq = line.find('=');
        if (eq == std::string_view::npos)
            continue;
        auto key = line.substr(0, eq);
        if (!valid_key(key))
            continue;
        auto value = decode_value(line.substr(eq + 1));
        if (!value)
            continue;
        vars[std::string(key)] = *value; // later assignments win, as in a shell
    }
    if (vars.empty())
        return std::nullopt;

    OsRelease os;
    auto get = [&](const char* k) {
        auto it = vars.find(k);
        return it == vars.end() ? std::string() : it->second;
    };
    os.id = lower(get("ID"));
    if (os.id.empty())
        os.id = "linux";
    os.id_like = split_words(get("ID_LIKE"));
    os.version_id = get("VERSION_ID");
    os.pretty_name = get("PRETTY_NAME");
    return os;
}

PackageManager pick(const OsRelease& os) {
    if (auto pm = for_name(os.id, os))
        return *pm;
    for (const auto& like : os.id_like)
        if (auto pm = for_name(like, os))
            return *pm;
    std::string like;
    for (const auto& l : os.id_like)
        like += (like.empty() ? "" : " ") + l;
    throw ProvisionError(fmt::format(
        "cannot install Docker on {} (ID={}{}): no known package manager for this distribution; "
        "use an image with Docker preinstalled",
        os.pretty_name.empty() ? os.id : os.pretty_name, os.id,
        like.empty() ? "" : ", ID_LIKE=" + like));
}

std::string to_string(PackageManager pm) {
    switch (pm) {
    case PackageManager::apt:
        return "apt";
    case PackageManager::dnf:
        return "dnf";
    case PackageManager::yum:
        return "yum";
    case PackageManager::zypper:
        return "zypper";
    case PackageManager::apk:
        return "apk";
    case PackageManager::pacman:
        return "pacman";
    }
    return "unknown";
}

} // namespace machine::provision
