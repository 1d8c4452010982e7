#pragma once
// Pure builder for the machine's libvirt domain XML, and the small parsing rm needs. No libvirt
// calls.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace machine::drivers::libvirt {

namespace fs = std::filesystem;

struct DomainSpec {
    std::string name;
    bool kvm = false;           // domain type 'kvm' + host-passthrough CPU; else 'qemu' (TCG)
    long memory_mib = 2048;
    long cpus = 2;
    fs::path disk_path;         // qcow2 overlay, virtio
    fs::path seed_path;         // cidata ISO as a read-only virtio disk; empty for none
    std::string network;        // libvirt network name
    std::string mac;            // 52:54:00:xx:xx:xx
    fs::path console_log;       // serial console is written here
};

std::string domain_xml(const DomainSpec& spec);

// "52:54:00:" (QEMU's locally administered prefix) followed by the low 24 bits of `random`.
std::string make_mac(uint32_t random);

struct DomainInterface {
    std::string network;  // <source network=...>
    std::string mac;
};
// The <interface type='network'> entries of a domain's XML (empty on malformed XML).
std::vector<DomainInterface> parse_domain_interfaces(const std::string& xml);

} // namespace machine::drivers::libvirt

namespace machine::drivers::libvirt {
// The <source file=...> paths of a domain's disks (empty on malformed XML).
std::vector<std::string> parse_domain_disk_files(const std::string& xml);
} // namespace machine::drivers::libvirt
