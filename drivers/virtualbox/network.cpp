#include "drivers/virtualbox/network.h"

#include "machine/support/error.h"

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <sstream>

namespace machine::drivers::virtualbox {

std::optional<uint32_t> parse_ipv4(const std::string& text) {
    uint32_t out = 0;
    const char* p = text.data();
    const char* end = text.data() + text.size();
    for (int i = 0; i < 4; ++i) {
        unsigned part = 0;
        auto [next, ec] = std::from_chars(p, end, part);
        if (ec != std::errc{} || next == p || part > 255 || next - p > 3)
            return std::nullopt;
        out = (out << 8) | part;
        p = next;
        if (i < 3) {
            if (p == end || *p != '.')
                return std::nullopt;
            ++p;
        }
    }
    if (p != end)
        return std::nullopt;
    return out;
}

std::string format_ipv4(uint32_t ip) {
    return fmt::format("{}.{}.{}.{}", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255);
}

std::string Cidr::text() const {
    return fmt::format("{}/{}", format_ipv4(address), prefix);
}

std::optional<Cidr> parse_cidr(const std::string& text) {
    auto slash = text.find('/');
    if (slash == std::string::npos)
        return std::nullopt;
    auto ip = parse_ipv4(text.substr(0, slash));
    std::string p = text.substr(slash + 1);
    int prefix = -1;
    auto [next, ec] = std::from_chars(p.data(), p.data() + p.size(), prefix);
    if (!ip || p.empty() || ec != std::errc{} || next != p.data() + p.size() || prefix < 0 ||
        prefix > 32)
        return std::nullopt;
    return Cidr{*ip, prefix};
}

std::vector<Cidr> parse_networks_conf(const std::string& text) {
    std::vector<Cidr> ranges;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream words(line);
        std::string first;
        if (!(words >> first) || first != "*")
            continue;
        std::string word;
        while (words >> word) {
            if (auto c = parse_cidr(word))
                ranges.push_back(*c);
        }
    }
    return ranges;
}

void check_hostonly_cidr(const std::string& flag_value,
                         const std::optional<std::string>& networks_conf,
                         const std::string& networks_conf_path, bool enforce_ranges) {
    auto cidr = parse_cidr(flag_value);
    if (!cidr)
        throw UsageError(fmt::format(
            "--virtualbox-hostonly-cidr: \"{}\" is not an IPv4 CIDR like 192.168.56.1/24",
            flag_value));
    if (cidr->prefix < 8 || cidr->prefix > 30)
        throw UsageError(
            fmt::format("--virtualbox-hostonly-cidr: a /{} network is not usable (use /8 to /30)",
                        cidr->prefix));
    if (cidr->address == cidr->network() || cidr->address == cidr->broadcast())
        throw UsageError(fmt::format(
            "--virtualbox-hostonly-cidr: {} must name the host's address in the network, "
            "e.g. {}/{}",
            flag_value, format_ipv4(cidr->network() + 1), cidr->prefix));
    if (!enforce_ranges)
        return;
    std::vector<Cidr> allowed;
    if (networks_conf)
        allowed = parse_networks_conf(*networks_conf);
    else
        allowed.push_back(*parse_cidr(k_default_allowed_range));
    for (const auto& range : allowed) {
        if (range.contains(*cidr))
            return;
    }
    if (networks_conf)
        throw UsageError(fmt::format(
            "--virtualbox-hostonly-cidr: {} is outside the host-only ranges {} allows; add a "
            "line \"* {}/{}\" to it or pick a CIDR inside those ranges",
            flag_value, networks_conf_path, format_ipv4(cidr->network()), cidr->prefix));
    throw UsageError(fmt::format(
        "--virtualbox-hostonly-cidr: {} is outside {}, the only host-only range VirtualBox "
        "6.1.28+ allows by default; pick a CIDR inside it or allow yours in {} "
        "(a line \"* {}/{}\")",
        flag_value, k_default_allowed_range, networks_conf_path, format_ipv4(cidr->network()),
        cidr->prefix));
}

std::optional<uint32_t> choose_ip(const Cidr& cidr, const std::set<uint32_t>& used) {
    uint32_t net = cidr.network();
    uint32_t last = cidr.broadcast() - 1;
    auto free = [&](uint32_t ip) { return ip != cidr.address && !used.count(ip); };
    for (uint32_t ip = net + 101; ip <= last && ip > net; ++ip) {
        if (free(ip))
            return ip;
    }
    for (uint32_t ip = net + 2; ip <= last && ip <= net + 100; ++ip) {
        if (free(ip))
            return ip;
    }
    return std::nullopt;
}

std::string derive_mac(const std::string& seed) {
    // FNV-1a, 64 bit: stable across runs and builds (std::hash is not).
    uint64_t h = 1469598103934665603ull;
    for (unsigned char c : seed) {
        h ^= c;
        h *= 1099511628211ull;
    }
    return fmt::format("08:00:27:{:02x}:{:02x}:{:02x}", (h >> 16) & 255, (h >> 8) & 255, h & 255);
}

std::string mac_for_vboxmanage(const std::string& mac) {
    std::string out;
    for (char c : mac) {
        if (c != ':')
            out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return out;
}

std::string network_config_yaml(const std::string& nat_mac, const std::string& hostonly_mac,
                                const std::string& ip, int prefix) {
    return fmt::format("version: 2\n"
                       "ethernets:\n"
                       "  nat:\n"
                       "    match:\n"
                       "      macaddress: \"{}\"\n"
                       "    dhcp4: true\n"
                       "  hostonly:\n"
                       "    match:\n"
                       "      macaddress: \"{}\"\n"
                       "    dhcp4: false\n"
                       "    addresses:\n"
                       "      - {}/{}\n",
                       nat_mac, hostonly_mac, ip, prefix);
}

} // namespace machine::drivers::virtualbox
