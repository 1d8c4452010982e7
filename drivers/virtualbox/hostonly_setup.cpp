// The host-only network of a VirtualBox machine's second NIC, found or made (a host-only
// interface, `hostonlyif`, or a host-only network, `hostonlynet`), one create of the store at a
// time. Split from virtualbox_driver.cpp; same class.
#include "drivers/virtualbox/network.h"
#include "drivers/virtualbox/parse.h"
#include "drivers/virtualbox/virtualbox_driver.h"
#include "machine/support/error.h"
#include "machine/support/fs.h"
#include "machine/support/log.h"

#include <fmt/format.h>

#include <optional>

namespace machine::drivers::virtualbox {

void VirtualBoxDriver::ensure_hostonly_network() {
    // One create of the store at a time looks for, makes and cleans the host-only network:
    // two would both find none and make two interfaces with one address, or both remove the
    // same stale DHCP server.
    std::optional<support::FileLock> lock;
    if (!m_ctx.store_dir.empty()) {
        support::make_dirs(m_ctx.store_dir / "locks", 0700);
        lock.emplace(m_ctx.store_dir / "locks" / "virtualbox-net.lock");
    }
    if (m_hostonly_is_net)
        ensure_hostonly_net();
    else
        ensure_hostonly_if();
}

void VirtualBoxDriver::ensure_hostonly_if() {
    auto cidr = *parse_cidr(m_hostonly_cidr);
    std::string host_ip = format_ipv4(cidr.address);
    std::string netmask = format_ipv4(cidr.mask());
    std::string name;
    for (const auto& h : parse_hostonlyifs(m_vbox.run({"list", "hostonlyifs"}))) {
        auto ip = parse_ipv4(h.ip);
        auto mask = parse_ipv4(h.netmask);
        if (!ip || !mask || *ip == 0 || *mask == 0)
            continue;
        if (*ip == cidr.address && *mask == cidr.mask()) {
            name = h.name;
            break;
        }
        if ((*ip & *mask) == cidr.network() || (cidr.address & *mask) == (*ip & *mask))
            throw DriverError(
                fmt::format("host-only interface {} already uses {}/{} for the same network; use "
                            "--virtualbox-hostonly-cidr {}/{} or another network",
                            h.name, h.ip, cidr.prefix, h.ip, cidr.prefix));
    }
    if (name.empty()) {
        auto created = parse_created_interface(m_vbox.run({"hostonlyif", "create"}));
        if (!created)
            throw DriverError("VBoxManage hostonlyif create did not name the interface it made");
        name = *created;
        m_vbox.run({"hostonlyif", "ipconfig", name, "--ip", host_ip, "--netmask", netmask});
    }
    remove_stale_dhcp_servers("HostInterfaceNetworking-" + name);
    m_hostonly_adapter = name;
}

void VirtualBoxDriver::ensure_hostonly_net() {
    auto cidr = *parse_cidr(m_hostonly_cidr);
    std::string host_ip = format_ipv4(cidr.address);
    std::string netmask = format_ipv4(cidr.mask());
    for (const auto& n : parse_hostonlynets(m_vbox.run({"list", "hostonlynets"}))) {
        auto lower = parse_ipv4(n.lower_ip);
        auto mask = parse_ipv4(n.netmask);
        if (lower && mask && *mask == cidr.mask() && cidr.contains(*lower)) {
            m_hostonly_adapter = n.name;
            return;
        }
    }
    std::string name = fmt::format("machine-{}-{}", format_ipv4(cidr.network()), cidr.prefix);
    // The range is the host's address alone: guests get static addresses, no DHCP leases.
    m_vbox.run({"hostonlynet", "add", "--name=" + name, "--netmask=" + netmask,
                "--lower-ip=" + host_ip, "--upper-ip=" + host_ip, "--enable"});
    m_hostonly_adapter = name;
}

void VirtualBoxDriver::remove_stale_dhcp_servers(const std::string& network_name) {
    for (const auto& d : parse_dhcpservers(m_vbox.run({"list", "dhcpservers"}))) {
        if (d.network_name != network_name)
            continue;
        // Left by docker-machine or VirtualBox's installer; its leases would collide with the
        // static addresses machine gives its VMs.
        support::info("Removing the DHCP server of {} (machine gives static addresses there)",
                      network_name);
        auto r = m_vbox.run_result({"dhcpserver", "remove", "--netname", network_name});
        if (!vboxmanage_failed(r))
            continue;
        // Gone meanwhile (another store's create removed it) is as good as removed.
        for (const auto& left : parse_dhcpservers(m_vbox.run({"list", "dhcpservers"})))
            if (left.network_name == network_name)
                m_vbox.run({"dhcpserver", "remove", "--netname", network_name}); // says why
    }
}

} // namespace machine::drivers::virtualbox
