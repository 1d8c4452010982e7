#include "drivers/libvirt/domain_xml.h"

#include "drivers/libvirt/xml.h"

#include <fmt/format.h>

namespace machine::drivers::libvirt {

std::string domain_xml(const DomainSpec& s) {
    std::string out = fmt::format("<domain type='{}'>\n", s.kvm ? "kvm" : "qemu");
    out += fmt::format("  <name>{}</name>\n", xml::escape(s.name));
    out += fmt::format("  <memory unit='MiB'>{}</memory>\n", s.memory_mib);
    out += fmt::format("  <vcpu>{}</vcpu>\n", s.cpus);
    out += "  <os>\n    <type arch='x86_64' machine='pc'>hvm</type>\n    <boot dev='hd'/>\n"
           "  </os>\n";
    out += "  <features>\n    <acpi/>\n    <apic/>\n  </features>\n";
    // Under TCG the default CPU model is the safe choice; QEMU runs x86 guests on x86 hosts with
    // multi-threaded TCG by default, so nothing else is needed for several vCPUs.
    if (s.kvm)
        out += "  <cpu mode='host-passthrough'/>\n";
    out += "  <clock offset='utc'/>\n";
    out += "  <on_poweroff>destroy</on_poweroff>\n  <on_reboot>restart</on_reboot>\n"
           "  <on_crash>destroy</on_crash>\n";
    out += "  <devices>\n";
    out += "    <disk type='file' device='disk'>\n"
           "      <driver name='qemu' type='qcow2'/>\n";
    out += fmt::format("      <source file='{}'/>\n", xml::escape(s.disk_path.string()));
    out += "      <target dev='vda' bus='virtio'/>\n    </disk>\n";
    // The cidata seed ISO as a read-only virtio disk (vdb), not a SATA cdrom: virtio_blk is in
    // the image's initramfs, so the seed is there when machine-seed starts, while a cdrom waits
    // for AHCI and sr_mod (5.7 s of the seed step under TCG). NoCloud only needs the label.
    if (!s.seed_path.empty()) {
        out += "    <disk type='file' device='disk'>\n"
               "      <driver name='qemu' type='raw'/>\n";
        out += fmt::format("      <source file='{}'/>\n", xml::escape(s.seed_path.string()));
        out += "      <target dev='vdb' bus='virtio'/>\n      <readonly/>\n    </disk>\n";
    }
    out += "    <interface type='network'>\n";
    out += fmt::format("      <source network='{}'/>\n", xml::escape(s.network));
    out += fmt::format("      <mac address='{}'/>\n", xml::escape(s.mac));
    out += "      <model type='virtio'/>\n    </interface>\n";
    out += "    <serial type='file'>\n";
    out += fmt::format("      <source path='{}'/>\n", xml::escape(s.console_log.string()));
    out += "      <target port='0'/>\n    </serial>\n";
    out += "    <rng model='virtio'>\n"
           "      <backend model='random'>/dev/urandom</backend>\n    </rng>\n";
    out += "  </devices>\n</domain>\n";
    return out;
}

std::string make_mac(uint32_t random) {
    return fmt::format("52:54:00:{:02x}:{:02x}:{:02x}", (random >> 16) & 0xff,
                       (random >> 8) & 0xff, random & 0xff);
}

std::vector<DomainInterface> parse_domain_interfaces(const std::string& text) {
    std::vector<DomainInterface> out;
    auto ifaces = xml::select(text, "/domain/devices/interface[@type='network']");
    if (!ifaces)
        return out;
    // Per interface, fetch source and mac by position to keep the pairs together.
    for (size_t i = 1; i <= ifaces->size(); ++i) {
        const std::string base =
            fmt::format("/domain/devices/interface[@type='network'][{}]", i);
        auto src = xml::select(text, base + "/source");
        auto mac = xml::select(text, base + "/mac");
        DomainInterface d;
        if (src && !src->empty())
            d.network = src->front().attr("network");
        if (mac && !mac->empty())
            d.mac = mac->front().attr("address");
        out.push_back(std::move(d));
    }
    return out;
}

} // namespace machine::drivers::libvirt

namespace machine::drivers::libvirt {
std::vector<std::string> parse_domain_disk_files(const std::string& text) {
    std::vector<std::string> out;
    if (auto srcs = xml::select(text, "/domain/devices/disk/source[@file]"))
        for (const auto& s : *srcs)
            out.push_back(s.attr("file"));
    return out;
}
} // namespace machine::drivers::libvirt
