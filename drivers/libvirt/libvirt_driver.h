#pragma once
// The libvirt backend, through libvirt's C API (never virsh). One connection per driver object,
// opened on first use and held for the driver's lifetime (libvirt's test:///default keeps its
// state per connection, so tests run a whole scenario through one driver).
//
// What it makes for a machine NAME in machine_dir: a qcow2 overlay disk.qcow2 on the base image,
// a domain NAME (virtio disk, cidata seed as a read-only virtio disk, virtio NIC, serial console to
// console.log, virtio-rng), a DHCP host reservation NAME/MAC -> IP on the network, and the network
// itself when it was absent (marked in its <metadata> so rm deletes it once nothing uses it).
#include "drivers/driver.h"
#include "drivers/libvirt/accel.h"
#include "drivers/libvirt/connection.h"
#include "machine/support/wait.h"

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace machine::drivers::libvirt {

struct LibvirtOptions {
    std::chrono::milliseconds stop_timeout{90'000};  // ACPI shutdown wait before forcing
    std::chrono::milliseconds poll_interval{500};
    support::Clock* clock = nullptr; // paces the shutdown wait; null: the steady clock
};

class LibvirtDriver : public Driver {
public:
    explicit LibvirtDriver(const DriverContext& ctx, LibvirtOptions options = {});
    ~LibvirtDriver() override;

    // --libvirt-uri, -memory (MiB), -cpu-count, -disk-size (MB), -network, -image, -accel.
    static std::vector<FlagSpec> create_flags();

    std::string driver_name() const override { return "libvirt"; }
    void configure(const FlagValues& flags) override;
    // With --libvirt-image the bundled image is never booted, so create must not build it.
    bool uses_bundled_image() const override { return m_image.empty(); }
    void create(const CreateSpec& spec) override;
    // Running/Paused/Stopping/Stopped/Error from virDomainGetState. Throws NotFound when the
    // domain does not exist, Unavailable when libvirt cannot be reached.
    State state() override;
    // The reserved IP; when the reservation has gone from the network, the running guest's
    // DHCP lease (for its MAC, on that network) if there is one.
    std::string ip() override;
    SshEndpoint ssh_endpoint() override;
    void start() override;
    void stop() override;
    void kill() override;
    std::vector<std::string> remove() override;
    DriverRecord record() const override;
    void restore(const DriverRecord& r) override;

    // What create recorded (for tests and `inspect`).
    const std::string& mac() const { return m_mac; }
    Accel accel() const { return m_accel; }

private:
    virConnectPtr conn();
    DomainPtr find_domain();                     // nullptr when there is no such domain
    DomainPtr require_domain();                  // throws NotFound
    NetworkPtr find_network();                   // nullptr when there is no such network
    NetworkPtr ensure_network();                 // creates/starts it as needed
    void reserve_address(virNetworkPtr net);
    void ensure_reservation(virNetworkPtr net);  // re-adds ours when it went missing
    void make_overlay(const fs::path& image);
    bool domain_is_ours(virDomainPtr dom);
    bool network_in_use(const std::string& network);
    std::vector<std::string> lease_ips(virNetworkPtr net, const std::string& mac);
    support::ProcessRunner& runner();
    void warn_if_kvm_blocks_qemu(); // see kvm_access_warning

    DriverContext m_ctx;
    LibvirtOptions m_options;
    std::unique_ptr<support::ProcessRunner> m_own_runner;
    ConnectPtr m_conn;

    std::string m_name;
    std::string m_uri = "qemu:///system";
    long m_memory_mib = 2048;
    long m_cpus = 2;
    long m_disk_mb = 20000;
    std::string m_network = "machine";
    fs::path m_image;
    Accel m_accel = Accel::Tcg;
    std::string m_mac;
    std::string m_ip;
    fs::path m_disk_path;
    fs::path m_seed_path;
    fs::path m_console_path;
    fs::path m_key_path;
    bool m_network_created = false;
};

} // namespace machine::drivers::libvirt
