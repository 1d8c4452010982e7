#pragma once
// Pure builders and parsers for libvirt network XML: the private network the driver creates,
// DHCP host reservations, and the IPv4 arithmetic to pick a free address. No libvirt calls.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace machine::drivers::libvirt {

// Marks a network as made by this tool (in <metadata>), so rm may delete it when unused.
inline constexpr const char* k_metadata_namespace = "https://machine.invalid/libvirt/network/1";

struct NetworkSpec {
    std::string name;
    std::string forward_mode = "nat";  // "nat" gives guests an uplink; "" means isolated
    std::string gateway;               // the host side, e.g. 192.168.42.1
    std::string netmask = "255.255.255.0";
    std::string dhcp_start;            // e.g. 192.168.42.2
    std::string dhcp_end;              // e.g. 192.168.42.254
};

struct DhcpHost {
    std::string mac;
    std::string ip;
    std::string name;  // the machine name; lets rm find a reservation whose MAC was never saved
};

// What the driver needs from a network's XML (the first IPv4 <ip> element).
struct NetworkInfo {
    std::string name;
    bool made_by_machine = false;  // carries our <metadata> marker
    std::string address;           // gateway
    std::string netmask;
    std::string dhcp_start;
    std::string dhcp_end;
    std::vector<DhcpHost> hosts;
};

std::string network_xml(const NetworkSpec& spec);
// <host mac='..' name='..' ip='..'/> for virNetworkUpdate(IP_DHCP_HOST).
std::string dhcp_host_xml(const DhcpHost& host);

// nullopt when the XML is not well-formed.
std::optional<NetworkInfo> parse_network_xml(const std::string& xml);

// A /24 in 192.168.42.0 .. 192.168.254.0 that overlaps none of `existing` (their address and
// netmask), with the gateway at .1 and DHCP .2-.254; nullopt if all are taken.
std::optional<NetworkSpec> plan_network(const std::string& name,
                                        const std::vector<NetworkInfo>& existing);

std::optional<uint32_t> parse_ipv4(const std::string& text);
std::string format_ipv4(uint32_t address);
// True when `ip` is inside address/netmask (all dotted quads); false on any parse failure.
bool in_subnet(const std::string& ip, const std::string& address, const std::string& netmask);

// The lowest address in [start, end] not in `taken`; nullopt if none or the range is invalid.
std::optional<std::string> pick_free_ip(const std::string& start, const std::string& end,
                                        const std::vector<std::string>& taken);

} // namespace machine::drivers::libvirt
