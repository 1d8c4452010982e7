#include "drivers/libvirt/network_xml.h"

#include "drivers/libvirt/xml.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <set>

namespace machine::drivers::libvirt {

std::string network_xml(const NetworkSpec& spec) {
    std::string out = "<network>\n";
    out += fmt::format("  <name>{}</name>\n", xml::escape(spec.name));
    out += fmt::format("  <metadata>\n    <machine:network xmlns:machine='{}'/>\n  </metadata>\n",
                       k_metadata_namespace);
    if (!spec.forward_mode.empty())
        out += fmt::format("  <forward mode='{}'/>\n", xml::escape(spec.forward_mode));
    out += "  <bridge stp='on' delay='0'/>\n";
    out += fmt::format("  <ip address='{}' netmask='{}'>\n", xml::escape(spec.gateway),
                       xml::escape(spec.netmask));
    out += "    <dhcp>\n";
    out += fmt::format("      <range start='{}' end='{}'/>\n", xml::escape(spec.dhcp_start),
                       xml::escape(spec.dhcp_end));
    out += "    </dhcp>\n  </ip>\n</network>\n";
    return out;
}

std::string dhcp_host_xml(const DhcpHost& host) {
    std::string out = fmt::format("<host mac='{}'", xml::escape(host.mac));
    if (!host.name.empty())
        out += fmt::format(" name='{}'", xml::escape(host.name));
    out += fmt::format(" ip='{}'/>", xml::escape(host.ip));
    return out;
}

namespace {

std::string prefix_to_netmask(const std::string& prefix) {
    int bits = -1;
    auto [p, ec] = std::from_chars(prefix.data(), prefix.data() + prefix.size(), bits);
    if (ec != std::errc{} || p != prefix.data() + prefix.size() || bits < 0 || bits > 32)
        return {};
    uint32_t mask = bits == 0 ? 0 : ~uint32_t{0} << (32 - bits);
    return format_ipv4(mask);
}

} // namespace

std::optional<NetworkInfo> parse_network_xml(const std::string& text) {
    auto names = xml::select(text, "/network/name");
    if (!names)
        return std::nullopt;
    NetworkInfo info;
    if (!names->empty())
        info.name = names->front().text;
    auto marker = xml::select(text, fmt::format("/network/metadata/*[local-name()='network' and "
                                                "namespace-uri()='{}']",
                                                k_metadata_namespace));
    info.made_by_machine = marker && !marker->empty();
    // The first IPv4 <ip> (no family attribute, or family='ipv4').
    const std::string ip4 = "/network/ip[not(@family) or @family='ipv4'][1]";
    auto ips = xml::select(text, ip4);
    if (ips && !ips->empty()) {
        const auto& ip = ips->front();
        info.address = ip.attr("address");
        info.netmask = ip.attr("netmask");
        if (info.netmask.empty() && !ip.attr("prefix").empty())
            info.netmask = prefix_to_netmask(ip.attr("prefix"));
    }
    auto ranges = xml::select(text, ip4 + "/dhcp/range[1]");
    if (ranges && !ranges->empty()) {
        info.dhcp_start = ranges->front().attr("start");
        info.dhcp_end = ranges->front().attr("end");
    }
    auto hosts = xml::select(text, ip4 + "/dhcp/host");
    if (hosts)
        for (const auto& h : *hosts)
            info.hosts.push_back({h.attr("mac"), h.attr("ip"), h.attr("name")});
    return info;
}

std::optional<uint32_t> parse_ipv4(const std::string& text) {
    uint32_t out = 0;
    const char* p = text.data();
    const char* end = text.data() + text.size();
    for (int i = 0; i < 4; ++i) {
        if (i > 0) {
            if (p == end || *p != '.')
                return std::nullopt;
            ++p;
        }
        unsigned part = 0;
        auto [next, ec] = std::from_chars(p, end, part);
        if (ec != std::errc{} || next == p || next - p > 3 || part > 255)
            return std::nullopt;
        out = (out << 8) | part;
        p = next;
    }
    if (p != end)
        return std::nullopt;
    return out;
}

std::string format_ipv4(uint32_t a) {
    return fmt::format("{}.{}.{}.{}", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
}

bool in_subnet(const std::string& ip, const std::string& address, const std::string& netmask) {
    auto i = parse_ipv4(ip), a = parse_ipv4(address), m = parse_ipv4(netmask);
    return i && a && m && (*i & *m) == (*a & *m);
}

std::optional<NetworkSpec> plan_network(const std::string& name,
                                        const std::vector<NetworkInfo>& existing) {
    for (uint32_t third = 42; third <= 254; ++third) {
        const uint32_t base = (192u << 24) | (168u << 16) | (third << 8);
        const uint32_t mask = 0xffffff00u;
        bool overlaps = false;
        for (const auto& n : existing) {
            auto a = parse_ipv4(n.address), m = parse_ipv4(n.netmask);
            if (!a || !m)
                continue;
            // Two subnets overlap when they agree on the shorter of the two masks.
            const uint32_t common = mask & *m;
            if ((base & common) == (*a & common))
                overlaps = true;
        }
        if (overlaps)
            continue;
        NetworkSpec spec;
        spec.name = name;
        spec.gateway = format_ipv4(base | 1);
        spec.netmask = format_ipv4(mask);
        spec.dhcp_start = format_ipv4(base | 2);
        spec.dhcp_end = format_ipv4(base | 254);
        return spec;
    }
    return std::nullopt;
}

std::optional<std::string> pick_free_ip(const std::string& start, const std::string& end,
                                        const std::vector<std::string>& taken) {
    auto s = parse_ipv4(start), e = parse_ipv4(end);
    if (!s || !e || *s > *e)
        return std::nullopt;
    std::set<uint32_t> used;
    for (const auto& t : taken)
        if (auto a = parse_ipv4(t))
            used.insert(*a);
    for (uint64_t a = *s; a <= *e; ++a)
        if (!used.count(static_cast<uint32_t>(a)))
            return format_ipv4(static_cast<uint32_t>(a));
    return std::nullopt;
}

} // namespace machine::drivers::libvirt
