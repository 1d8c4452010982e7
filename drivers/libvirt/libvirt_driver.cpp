#include "drivers/libvirt/libvirt_driver.h"
#include "drivers/libvirt/qemu_access.h"

#include "drivers/libvirt/domain_xml.h"
#include "drivers/libvirt/network_xml.h"
#include "machine/support/error.h"
#include "machine/support/fs.h"
#include "machine/support/log.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <random>

namespace machine::drivers::libvirt {

namespace {

constexpr long k_min_memory_mib = 512;
constexpr const char* k_ssh_user = "docker";

std::string mem_string(char* s) {
    if (!s)
        return {};
    std::string out(s);
    std::free(s);
    return out;
}

bool valid_network_name(const std::string& name) {
    return !name.empty() && name.size() <= 64 &&
           std::all_of(name.begin(), name.end(), [](unsigned char c) {
               return std::isalnum(c) || c == '-' || c == '_' || c == '.';
           });
}

// Updates the live network only when it is running (LIVE on an inactive network fails).
unsigned update_flags(virNetworkPtr net) {
    unsigned flags = VIR_NETWORK_UPDATE_AFFECT_CONFIG;
    if (virNetworkIsActive(net) == 1)
        flags |= VIR_NETWORK_UPDATE_AFFECT_LIVE;
    return flags;
}

std::string network_xml_of(virNetworkPtr net, const std::string& name) {
    char* x = virNetworkGetXMLDesc(net, 0);
    if (!x)
        throw_last_error(fmt::format("cannot read the XML of libvirt network {}", name));
    return mem_string(x);
}

NetworkInfo network_info_of(virNetworkPtr net, const std::string& name) {
    auto info = parse_network_xml(network_xml_of(net, name));
    if (!info)
        throw DriverError(fmt::format("libvirt returned malformed XML for network {}", name));
    return *info;
}

} // namespace

LibvirtDriver::LibvirtDriver(const DriverContext& ctx, LibvirtOptions options)
    : m_ctx(ctx), m_options(options), m_name(ctx.machine_name) {
    if (!ctx.machine_dir.empty()) {
        m_disk_path = ctx.machine_dir / "disk.qcow2";
        m_console_path = ctx.machine_dir / "console.log";
    }
}

LibvirtDriver::~LibvirtDriver() = default;

support::ProcessRunner& LibvirtDriver::runner() {
    if (m_ctx.runner)
        return *m_ctx.runner;
    if (!m_own_runner)
        m_own_runner = std::make_unique<support::SystemProcessRunner>();
    return *m_own_runner;
}

virConnectPtr LibvirtDriver::conn() {
    if (!m_conn)
        m_conn = open_connection(m_uri);
    return m_conn.get();
}

void LibvirtDriver::configure(const FlagValues& flags) {
    // Input first, so bad flags fail the same way whether or not libvirt is reachable.
    const long memory = flags.get_int("libvirt-memory", 0, 1L << 22);
    if (memory < k_min_memory_mib)
        throw UsageError(fmt::format("--libvirt-memory: {} MiB is too little memory (at least {})",
                                     memory, k_min_memory_mib));
    const long cpus = flags.get_int("libvirt-cpu-count", 1, 256);
    const long disk = flags.get_int("libvirt-disk-size", 1000, 64L * 1024 * 1024);
    const std::string network = flags.get("libvirt-network");
    if (!valid_network_name(network))
        throw UsageError(fmt::format("--libvirt-network: \"{}\" is not a valid network name "
                                     "(letters, digits, '-', '_', '.')",
                                     network));
    fs::path image;
    if (!flags.get("libvirt-image").empty()) {
        image = fs::absolute(flags.get("libvirt-image"));
        std::error_code ec;
        if (!fs::is_regular_file(image, ec))
            throw UsageError(fmt::format("--libvirt-image: {} does not exist or is not a file",
                                         image.string()));
    }
    const std::string mode = flags.get("libvirt-accel");
    if (mode != "auto" && mode != "kvm" && mode != "tcg")
        throw UsageError(
            fmt::format("--libvirt-accel: \"{}\" is not one of auto, kvm, tcg", mode));
    std::string uri = flags.get("libvirt-uri");
    if (uri.empty())
        throw UsageError("--libvirt-uri: must not be empty");

    if (uri != m_uri)
        m_conn.reset();
    m_uri = uri;
    m_memory_mib = memory;
    m_cpus = cpus;
    m_disk_mb = disk;
    m_network = network;
    m_image = image;

    conn();  // throws Unavailable with libvirt's reason

    AccelFacts facts;
    if (mode != "tcg") {
        // Host facts only mean something when libvirt runs on this host.
        const bool local = m_uri.find(":///") != std::string::npos;
        auto cpuinfo = support::try_read_file("/proc/cpuinfo");
        facts.cpu_flags = !local || (cpuinfo && cpuinfo_has_virt(*cpuinfo));
        facts.dev_kvm = !local || device_usable("/dev/kvm");
        char* caps = virConnectGetDomainCapabilities(conn(), nullptr, "x86_64", nullptr, "kvm", 0);
        facts.libvirt_kvm = caps != nullptr;
        if (!caps)
            facts.libvirt_error = last_error_message();
        std::free(caps);
    }
    AccelChoice choice = choose_accel(mode, facts);
    m_accel = choice.accel;
    if (!choice.warning.empty())
        support::warn("{}", choice.warning);
    warn_if_kvm_blocks_qemu();

    if (NetworkPtr net = find_network())
        support::debug("libvirt: using existing network {}", m_network);
    else
        support::debug("libvirt: network {} does not exist; create will make it", m_network);
}

DomainPtr LibvirtDriver::find_domain() {
    DomainPtr dom(virDomainLookupByName(conn(), m_name.c_str()));
    if (!dom && last_error_code() != VIR_ERR_NO_DOMAIN)
        throw_last_error(fmt::format("cannot look up libvirt domain {}", m_name));
    return dom;
}

DomainPtr LibvirtDriver::require_domain() {
    DomainPtr dom = find_domain();
    if (!dom)
        throw NotFound(fmt::format("libvirt domain {} does not exist at {}", m_name, m_uri));
    return dom;
}

NetworkPtr LibvirtDriver::find_network() {
    NetworkPtr net(virNetworkLookupByName(conn(), m_network.c_str()));
    if (!net && last_error_code() != VIR_ERR_NO_NETWORK)
        throw_last_error(fmt::format("cannot look up libvirt network {}", m_network));
    return net;
}

NetworkPtr LibvirtDriver::ensure_network() {
    NetworkPtr net = find_network();
    if (!net) {
        virNetworkPtr* nets = nullptr;
        int n = check(virConnectListAllNetworks(conn(), &nets, 0), "cannot list libvirt networks");
        std::vector<NetworkInfo> existing;
        for (int i = 0; i < n; ++i) {
            NetworkPtr other(nets[i]);
            if (auto info = parse_network_xml(mem_string(virNetworkGetXMLDesc(other.get(), 0))))
                existing.push_back(*info);
        }
        std::free(nets);
        auto spec = plan_network(m_network, existing);
        if (!spec)
            throw DriverError(fmt::format("cannot create libvirt network {}: no free /24 left in "
                                          "192.168.42.0-192.168.254.0",
                                          m_network));
        const std::string xml = network_xml(*spec);
        support::debug("libvirt network XML:\n{}", xml);
        net.reset(virNetworkDefineXML(conn(), xml.c_str()));
        if (!net) {
            // Another create may have defined it meanwhile (libvirt then reports the name clash).
            const std::string why = last_error_message();
            net = find_network();
            if (!net)
                throw DriverError(
                    fmt::format("cannot define libvirt network {}: {}", m_network, why));
        } else {
            m_network_created = true;
            support::info("Created libvirt network {} ({}/{})", m_network, spec->gateway,
                          spec->netmask);
            check(virNetworkSetAutostart(net.get(), 1),
                  fmt::format("cannot set libvirt network {} to autostart", m_network));
        }
    }
    if (check(virNetworkIsActive(net.get()), "cannot query libvirt network") == 0) {
        if (virNetworkCreate(net.get()) < 0) {
            std::string why = last_error_message(); // before another call resets it
            if (virNetworkIsActive(net.get()) != 1) // a concurrent create may have started it
                throw DriverError(
                    fmt::format("cannot start libvirt network {}: {}", m_network, why));
        }
    }
    return net;
}

std::vector<std::string> LibvirtDriver::lease_ips(virNetworkPtr net, const std::string& mac) {
    std::vector<std::string> out;
    virNetworkDHCPLeasePtr* leases = nullptr;
    int n = virNetworkGetDHCPLeases(net, mac.empty() ? nullptr : mac.c_str(), &leases, 0);
    if (n < 0) {
        // Not every driver keeps leases (the test driver does not); reservations still count.
        support::debug("libvirt: no DHCP leases for {}: {}", m_network, last_error_message());
        return out;
    }
    for (int i = 0; i < n; ++i) {
        if (leases[i]->type == VIR_IP_ADDR_TYPE_IPV4 && leases[i]->ipaddr)
            out.emplace_back(leases[i]->ipaddr);
        virNetworkDHCPLeaseFree(leases[i]);
    }
    std::free(leases);
    return out;
}

void LibvirtDriver::reserve_address(virNetworkPtr net) {
    std::random_device rd;
    // Concurrent creates may pick the same address; libvirt refuses the second, so retry.
    for (int attempt = 0; attempt < 8; ++attempt) {
        NetworkInfo info = network_info_of(net, m_network);
        std::vector<std::string> taken = lease_ips(net, "");
        taken.push_back(info.address);
        for (const auto& h : info.hosts)
            taken.push_back(h.ip);
        std::string mac;
        do {
            mac = make_mac(rd());
        } while (std::any_of(info.hosts.begin(), info.hosts.end(),
                             [&](const DhcpHost& h) { return h.mac == mac; }));
        auto ip = pick_free_ip(info.dhcp_start, info.dhcp_end, taken);
        if (!ip)
            throw DriverError(fmt::format("no free address left in the DHCP range {}-{} of "
                                          "libvirt network {}",
                                          info.dhcp_start, info.dhcp_end, m_network));
        const std::string host = dhcp_host_xml({mac, *ip, m_name});
        support::debug("libvirt: adding DHCP reservation {}", host);
        if (virNetworkUpdate(net, VIR_NETWORK_UPDATE_COMMAND_ADD_LAST,
                             VIR_NETWORK_SECTION_IP_DHCP_HOST, -1, host.c_str(),
                             update_flags(net)) == 0) {
            m_mac = mac;
            m_ip = *ip;
            return;
        }
        support::debug("libvirt: reservation {} refused: {}", *ip, last_error_message());
    }
    throw_last_error(fmt::format("cannot add a DHCP reservation to libvirt network {}", m_network));
}

void LibvirtDriver::ensure_reservation(virNetworkPtr net) {
    if (m_mac.empty() || m_ip.empty())
        return;
    NetworkInfo info = network_info_of(net, m_network);
    for (const auto& h : info.hosts)
        if (h.mac == m_mac)
            return;
    support::warn("the DHCP reservation {} for {} was missing from network {}; adding it again",
                  m_ip, m_name, m_network);
    const std::string host = dhcp_host_xml({m_mac, m_ip, m_name});
    check(virNetworkUpdate(net, VIR_NETWORK_UPDATE_COMMAND_ADD_LAST,
                           VIR_NETWORK_SECTION_IP_DHCP_HOST, -1, host.c_str(), update_flags(net)),
          fmt::format("cannot restore the DHCP reservation {} on libvirt network {}", m_ip,
                      m_network));
}

void LibvirtDriver::make_overlay(const fs::path& image) {
    // The overlay keeps the image's format as its backing format and is never smaller than it.
    support::ProcessSpec info{"qemu-img", {"info", "--output=json", image.string()}};
    info.timeout = std::chrono::seconds(60);
    auto r = runner().run(info);
    if (!r.ok())
        throw DriverError(fmt::format("{} failed: {}", support::describe(info), r.err));
    std::string format = "qcow2";
    long long size = m_disk_mb * 1000LL * 1000LL;
    try {
        auto j = nlohmann::json::parse(r.out);
        format = j.value("format", format);
        size = std::max<long long>(size, j.value("virtual-size", 0LL));
    } catch (const nlohmann::json::exception& e) {
        throw DriverError(fmt::format("cannot read qemu-img info for {}: {}", image.string(),
                                      e.what()));
    }
    support::ProcessSpec create{"qemu-img",
                                {"create", "-f", "qcow2", "-F", format, "-b", image.string(),
                                 m_disk_path.string(), std::to_string(size)}};
    create.timeout = std::chrono::seconds(120);
    r = runner().run(create);
    if (!r.ok())
        throw DriverError(fmt::format("{} failed: {}", support::describe(create), r.err));
}

void LibvirtDriver::create(const CreateSpec& spec) {
    if (m_name.empty())
        m_name = spec.machine_name;
    const fs::path dir = spec.machine_dir.empty() ? m_ctx.machine_dir : spec.machine_dir;
    m_disk_path = dir / "disk.qcow2";
    m_console_path = dir / "console.log";
    m_seed_path = spec.seed_iso;
    m_key_path = spec.ssh_key_path;
    if (m_image.empty())
        m_image = spec.base_image;
    std::error_code ec;
    if (m_image.empty() || !fs::is_regular_file(m_image, ec))
        throw UsageError(fmt::format("base image {} does not exist; pass --libvirt-image",
                                     m_image.empty() ? "(none)" : m_image.string()));
    m_image = fs::absolute(m_image);

    if (find_domain())
        throw DriverError(fmt::format("a libvirt domain named {} already exists at {}", m_name,
                                      m_uri));
    NetworkPtr net = ensure_network();
    reserve_address(net.get());
    support::info("Reserved {} for {} on libvirt network {}", m_ip, m_mac, m_network);
    make_overlay(m_image);
    if (m_uri.rfind("qemu:///system", 0) == 0) {
        std::string user = qemu_user();
        for (const auto& dir :
             grant_search_access({m_disk_path, m_image, m_seed_path}, user, *m_ctx.runner))
            support::info("Granted {} search access to {} (ACL) so qemu can open the disks",
                          user, dir.string());
    }

    DomainSpec d;
    d.name = m_name;
    d.kvm = m_accel == Accel::Kvm;
    d.memory_mib = m_memory_mib;
    d.cpus = m_cpus;
    d.disk_path = m_disk_path;
    d.seed_path = m_seed_path;
    d.network = m_network;
    d.mac = m_mac;
    d.console_log = m_console_path;
    const std::string xml = domain_xml(d);
    support::debug("libvirt domain XML:\n{}", xml);
    DomainPtr dom(virDomainDefineXML(conn(), xml.c_str()));
    if (!dom)
        throw_last_error(fmt::format("cannot define libvirt domain {}", m_name));
    check(virDomainCreate(dom.get()), fmt::format("cannot start libvirt domain {}", m_name));
}

State LibvirtDriver::state() {
    DomainPtr dom = require_domain();
    int st = 0, reason = 0;
    check(virDomainGetState(dom.get(), &st, &reason, 0),
          fmt::format("cannot get the state of libvirt domain {}", m_name));
    switch (st) {
    case VIR_DOMAIN_RUNNING:
    case VIR_DOMAIN_BLOCKED: return State::Running;
    case VIR_DOMAIN_PAUSED:
    case VIR_DOMAIN_PMSUSPENDED: return State::Paused;
    case VIR_DOMAIN_SHUTDOWN: return State::Stopping;
    case VIR_DOMAIN_SHUTOFF:
        return reason == VIR_DOMAIN_SHUTOFF_SAVED ? State::Saved : State::Stopped;
    case VIR_DOMAIN_CRASHED: return State::Error;
    default: return State::None;
    }
}

std::string LibvirtDriver::ip() {
    if (m_mac.empty())
        return m_ip;
    // While the reservation is on the network, dnsmasq hands out nothing else to this MAC.
    NetworkPtr net = find_network();
    if (!net)
        return m_ip;
    NetworkInfo info = network_info_of(net.get(), m_network);
    for (const auto& h : info.hosts)
        if (h.mac == m_mac && h.ip == m_ip)
            return m_ip;
    // The reservation went missing: a running guest may hold another lease on this network.
    DomainPtr dom = find_domain();
    if (!dom || virDomainIsActive(dom.get()) != 1)
        return m_ip;
    virDomainInterfacePtr* ifaces = nullptr;
    int n = virDomainInterfaceAddresses(dom.get(), &ifaces,
                                        VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_LEASE, 0);
    std::string leased;
    for (int i = 0; i < n; ++i) {
        if (ifaces[i]->hwaddr && m_mac == ifaces[i]->hwaddr)
            for (unsigned k = 0; k < ifaces[i]->naddrs; ++k)
                if (leased.empty() && ifaces[i]->addrs[k].type == VIR_IP_ADDR_TYPE_IPV4 &&
                    in_subnet(ifaces[i]->addrs[k].addr, info.address, info.netmask))
                    leased = ifaces[i]->addrs[k].addr;
        virDomainInterfaceFree(ifaces[i]);
    }
    std::free(ifaces);
    if (leased.empty())
        return m_ip;
    support::debug("libvirt: {} has no reservation on {}; its lease is {}", m_name, m_network,
                   leased);
    return leased;
}

SshEndpoint LibvirtDriver::ssh_endpoint() {
    return {ip(), 22, k_ssh_user, m_key_path};
}

void LibvirtDriver::start() {
    DomainPtr dom = require_domain();
    if (virDomainIsActive(dom.get()) == 1) {
        int st = 0;
        if (virDomainGetState(dom.get(), &st, nullptr, 0) == 0 && st == VIR_DOMAIN_PAUSED)
            check(virDomainResume(dom.get()),
                  fmt::format("cannot resume libvirt domain {}", m_name));
        return;
    }
    NetworkPtr net = ensure_network();
    ensure_reservation(net.get());
    warn_if_kvm_blocks_qemu();
    check(virDomainCreate(dom.get()), fmt::format("cannot start libvirt domain {}", m_name));
}

void LibvirtDriver::warn_if_kvm_blocks_qemu() {
    // Only the system daemon on this host runs qemu as another user.
    if (m_uri != "qemu:///system")
        return;
    if (std::string w = kvm_access_warning("/dev/kvm", qemu_user()); !w.empty())
        support::warn("{}", w);
}

void LibvirtDriver::stop() {
    DomainPtr dom = require_domain();
    if (virDomainIsActive(dom.get()) != 1)
        return;
    check(virDomainShutdown(dom.get()),
          fmt::format("cannot shut down libvirt domain {}", m_name));
    support::Clock& clock = m_options.clock ? *m_options.clock : support::steady_clock();
    support::WaitSpec spec;
    spec.deadline = clock.now() + m_options.stop_timeout;
    spec.first_delay = spec.max_delay = m_options.poll_interval;
    if (support::poll_until(clock, spec, [&](std::chrono::milliseconds, std::string&) {
            return check(virDomainIsActive(dom.get()),
                         fmt::format("cannot query libvirt domain {}", m_name)) == 0;
        }))
        return;
    support::warn("{} did not stop in {}s, forcing power off", m_name,
                  std::chrono::duration_cast<std::chrono::seconds>(m_options.stop_timeout).count());
    if (virDomainDestroy(dom.get()) < 0 && virDomainIsActive(dom.get()) == 1)
        throw_last_error(fmt::format("cannot power off libvirt domain {}", m_name));
}

void LibvirtDriver::kill() {
    DomainPtr dom = require_domain();
    if (virDomainIsActive(dom.get()) != 1)
        return;
    if (virDomainDestroy(dom.get()) < 0 && virDomainIsActive(dom.get()) == 1)
        throw_last_error(fmt::format("cannot power off libvirt domain {}", m_name));
}

bool LibvirtDriver::domain_is_ours(virDomainPtr dom) {
    const std::string xml = mem_string(virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE));
    for (const auto& iface : parse_domain_interfaces(xml))
        if (!m_mac.empty() && iface.mac == m_mac)
            return true;
    for (const auto& file : parse_domain_disk_files(xml))
        if (!m_disk_path.empty() && fs::path(file) == m_disk_path)
            return true;
    return false;
}

bool LibvirtDriver::network_in_use(const std::string& network) {
    virDomainPtr* doms = nullptr;
    int n = check(virConnectListAllDomains(conn(), &doms, 0), "cannot list libvirt domains");
    bool used = false;
    for (int i = 0; i < n; ++i) {
        DomainPtr d(doms[i]);
        const std::string xml = mem_string(virDomainGetXMLDesc(d.get(), VIR_DOMAIN_XML_INACTIVE));
        for (const auto& iface : parse_domain_interfaces(xml))
            used = used || iface.network == network;
    }
    std::free(doms);
    return used;
}

std::vector<std::string> LibvirtDriver::remove() {
    std::vector<std::string> lines;

    if (DomainPtr dom = find_domain()) {
        if (!domain_is_ours(dom.get())) {
            lines.push_back(fmt::format("left libvirt domain {} alone: it does not use this "
                                        "machine's disk or MAC",
                                        m_name));
        } else {
            if (virDomainIsActive(dom.get()) == 1 && virDomainDestroy(dom.get()) < 0 &&
                virDomainIsActive(dom.get()) == 1)
                throw_last_error(fmt::format("cannot power off libvirt domain {}", m_name));
            check(virDomainUndefineFlags(dom.get(), VIR_DOMAIN_UNDEFINE_MANAGED_SAVE |
                                                        VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA),
                  fmt::format("cannot undefine libvirt domain {}", m_name));
            lines.push_back(fmt::format("removed domain {}", m_name));
        }
    } else {
        lines.push_back(fmt::format("domain {} was already gone", m_name));
    }

    NetworkPtr net = find_network();
    if (!net) {
        lines.push_back(fmt::format("network {} was already gone", m_network));
    } else {
        NetworkInfo info = network_info_of(net.get(), m_network);
        bool found = false;
        for (const auto& h : info.hosts) {
            // Ours by MAC; by name only when create was cut off before the MAC was recorded.
            const bool ours = m_mac.empty() ? (!m_name.empty() && h.name == m_name)
                                            : h.mac == m_mac;
            if (!ours)
                continue;
            const std::string host = dhcp_host_xml(h);
            check(virNetworkUpdate(net.get(), VIR_NETWORK_UPDATE_COMMAND_DELETE,
                                   VIR_NETWORK_SECTION_IP_DHCP_HOST, -1, host.c_str(),
                                   update_flags(net.get())),
                  fmt::format("cannot remove DHCP reservation {} from libvirt network {}", h.ip,
                              m_network));
            lines.push_back(fmt::format("removed DHCP reservation {}", h.ip));
            found = true;
        }
        if (!found && !m_ip.empty())
            lines.push_back(fmt::format("DHCP reservation {} was already gone", m_ip));

        const bool others = std::any_of(info.hosts.begin(), info.hosts.end(), [&](const auto& h) {
            return m_mac.empty() ? h.name != m_name : h.mac != m_mac;
        });
        if (info.made_by_machine && !others && !network_in_use(m_network)) {
            if (virNetworkIsActive(net.get()) == 1)
                check(virNetworkDestroy(net.get()),
                      fmt::format("cannot stop libvirt network {}", m_network));
            check(virNetworkUndefine(net.get()),
                  fmt::format("cannot undefine libvirt network {}", m_network));
            lines.push_back(fmt::format("removed network {}", m_network));
        }
    }

    for (const fs::path& p : {m_disk_path, m_seed_path, m_console_path}) {
        std::error_code ec;
        if (!p.empty() && fs::remove(p, ec))
            lines.push_back(fmt::format("removed {}", p.string()));
        else if (ec)
            throw DriverError(fmt::format("cannot remove {}: {}", p.string(), ec.message()));
    }
    return lines;
}

DriverRecord LibvirtDriver::record() const {
    DriverRecord r;
    r.ip = m_ip;
    r.machine_name = m_name;
    r.has_ssh = true;
    r.ssh_user = k_ssh_user;
    r.ssh_port = 22;
    r.ssh_key_path = m_key_path;
    r.store_path = m_ctx.store_dir;
    r.own = {
        {"URI", m_uri},
        {"Memory", m_memory_mib},
        {"CPU", m_cpus},
        {"DiskSize", m_disk_mb},
        {"Network", m_network},
        {"NetworkCreated", m_network_created},
        {"MAC", m_mac},
        {"ImagePath", m_image.string()},
        {"DiskPath", m_disk_path.string()},
        {"SeedPath", m_seed_path.string()},
        {"ConsolePath", m_console_path.string()},
        {"Accel", to_string(m_accel)},
    };
    return r;
}

void LibvirtDriver::restore(const DriverRecord& r) {
    const nlohmann::json& j = r.own;
    std::string uri = m_uri;
    read_own(j, "URI", uri);
    if (uri != m_uri)
        m_conn.reset();
    m_uri = uri;
    m_ip = r.ip;
    if (!r.machine_name.empty())
        m_name = r.machine_name;
    if (!r.ssh_key_path.empty())
        m_key_path = r.ssh_key_path;
    read_own(j, "Memory", m_memory_mib);
    read_own(j, "CPU", m_cpus);
    read_own(j, "DiskSize", m_disk_mb);
    read_own(j, "Network", m_network);
    read_own(j, "NetworkCreated", m_network_created);
    read_own(j, "MAC", m_mac);
    read_own(j, "ImagePath", m_image);
    read_own(j, "DiskPath", m_disk_path);
    read_own(j, "SeedPath", m_seed_path);
    read_own(j, "ConsolePath", m_console_path);
    std::string accel = "tcg";
    read_own(j, "Accel", accel);
    m_accel = accel == "kvm" ? Accel::Kvm : Accel::Tcg;
}

} // namespace machine::drivers::libvirt
