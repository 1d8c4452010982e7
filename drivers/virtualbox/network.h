#pragma once
// The host-only network: CIDR rules (VirtualBox 6.1.28+ only lets host-only adapters use
// 192.168.56.0/21 unless /etc/vbox/networks.conf allows more), the choice of each machine's
// static address, and the cloud-init network config that gives the guest that address.
// Pure functions: the driver feeds them what it read.
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace machine::drivers::virtualbox {

std::optional<uint32_t> parse_ipv4(const std::string& text);
std::string format_ipv4(uint32_t ip);

struct Cidr {
    uint32_t address = 0; // as written (the host's address for --virtualbox-hostonly-cidr)
    int prefix = 0;
    uint32_t mask() const { return prefix == 0 ? 0 : ~uint32_t{0} << (32 - prefix); }
    uint32_t network() const { return address & mask(); }
    uint32_t broadcast() const { return network() | ~mask(); }
    bool contains(uint32_t ip) const { return (ip & mask()) == network(); }
    // Whether all of `other` lies inside this range.
    bool contains(const Cidr& other) const {
        return other.prefix >= prefix && contains(other.network());
    }
    std::string text() const; // "192.168.56.1/24"
};
std::optional<Cidr> parse_cidr(const std::string& text);

// The range VirtualBox allows when /etc/vbox/networks.conf does not exist.
inline constexpr const char* k_default_allowed_range = "192.168.56.0/21";

// /etc/vbox/networks.conf: lines "* 10.0.0.0/8 192.168.0.0/16" (IPv6 ranges and comments are
// ignored). VirtualBox reads only lines starting with '*'.
std::vector<Cidr> parse_networks_conf(const std::string& text);

// Throws UsageError unless `cidr` is a usable host-only CIDR: a host address (not the network
// or broadcast address), a prefix of 8..30, and — when `enforce_ranges` (Linux, macOS) — inside
// the ranges VirtualBox allows: networks.conf's when the file exists (`networks_conf` has its
// text), else 192.168.56.0/21.
void check_hostonly_cidr(const std::string& flag_value,
                         const std::optional<std::string>& networks_conf,
                         const std::string& networks_conf_path, bool enforce_ranges);

// The first address not in `used` and not the host's own: from .101 up (clear of the .100 of
// VirtualBox's default DHCP server on vboxnet0), then from network+2 up; nullopt when full.
std::optional<uint32_t> choose_ip(const Cidr& cidr, const std::set<uint32_t>& used);

// A stable VirtualBox-style MAC (08:00:27 prefix) derived from `seed` (store, name, nic).
std::string derive_mac(const std::string& seed);
// "080027AABBCC" (VBoxManage --macaddressN form) from "08:00:27:aa:bb:cc".
std::string mac_for_vboxmanage(const std::string& mac);

// cloud-init network-config v2: the NAT nic (matched by MAC) gets DHCP and the default route,
// the host-only nic gets `ip/prefix` and no route.
std::string network_config_yaml(const std::string& nat_mac, const std::string& hostonly_mac,
                                const std::string& ip, int prefix);

} // namespace machine::drivers::virtualbox
