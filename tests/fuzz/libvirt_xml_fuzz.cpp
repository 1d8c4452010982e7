// The XML libvirt hands back (network and domain descriptions, DHCP host entries), read by the
// libvirt driver's parsers, and the address arithmetic fed by what they return.
#include "drivers/libvirt/domain_xml.h"
#include "drivers/libvirt/network_xml.h"
#include "drivers/libvirt/xml.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    namespace lv = machine::drivers::libvirt;
    const std::string doc(reinterpret_cast<const char*>(data), size);
    if (auto net = lv::parse_network_xml(doc)) {
        std::vector<std::string> taken;
        for (const auto& h : net->hosts) {
            taken.push_back(h.ip);
            (void)lv::dhcp_host_xml(h);
        }
        (void)lv::pick_free_ip(net->dhcp_start, net->dhcp_end, taken);
        (void)lv::in_subnet(net->dhcp_start, net->address, net->netmask);
        (void)lv::plan_network("fuzz", {*net});
    }
    (void)lv::parse_domain_interfaces(doc);
    (void)lv::parse_domain_disk_files(doc);
    (void)lv::xml::select(doc, "//*[@name]");
    return 0;
}
