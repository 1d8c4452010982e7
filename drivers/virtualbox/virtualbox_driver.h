#pragma once
// The VirtualBox driver: `machine create --driver virtualbox NAME` through VBoxManage, with
// docker-machine's flag names. Each machine gets a NAT nic (SSH forwarded from 127.0.0.1) and a
// host-only nic whose address the driver picks and writes into the seed, so the IP is stable by
// construction and `ip` never needs SSH or guest additions.
//
// What it made, it names by identity (issue 10):
// - The VM by UUID. configure() picks a fresh UUID, the pipeline records it with the first save,
//   and create() passes it to `createvm --uuid`, so even a create killed right after createvm
//   leaves a record that names its VM. Every later VBoxManage call names the VM by that UUID,
//   never by name: a user's own VM that happens to carry the machine's name is never touched, and
//   create refuses a name VirtualBox already has (UsageError, exit 2, nothing changed).
// - Records made before UUIDs (no "UUID" in the driver record) are looked up by name once: a VM
//   of that name is ours only if its settings file (CfgFile) lies in this machine's folder, where
//   every create has put it (`createvm --basefolder <machine dir>`), or in the record's
//   "VMFolder" (an imported docker-machine VM: <docker-machine store>/machines/<name>, where
//   docker-machine's createvm put it); its UUID is then kept and
//   saved by the next command that saves the record (start, stop, restart, kill). Any other VM of
//   that name is left alone, and rm says so.
// - The host-only address is chosen, and the choice saved, under the store-wide lock
//   <store>/locks/virtualbox-ip.lock: configure() reads the addresses in every machine's record
//   and in the claims of creates still on their way to their first save
//   (<store>/locks/virtualbox-ips/<ip>, holding "<pid> <machine>"), picks a free one and writes
//   its own claim before it lets go. The claim goes when create() starts (the pipeline saved the
//   record, with the address, before: certs -> pre-check -> save -> disk/seed/VM) or when the
//   driver is destroyed without creating; a dead process's claim is dropped by the next chooser.
//   So parallel creates in one store, in one process or many, never pick the same address, and
//   no lock is held across the pipeline.
// - A qcow2/raw image is converted to VDI once into <store>/cache/virtualbox/, never beside it.
#include "drivers/driver.h"
#include "drivers/virtualbox/vboxmanage.h"
#include "machine/support/fs.h"

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace machine::drivers::virtualbox {

// What the driver reads from the host besides VBoxManage. Defaults describe this host; tests
// replace them.
struct HostEnv {
    std::string os;                     // "linux", "darwin", "windows"
    fs::path cpuinfo = "/proc/cpuinfo"; // vmx/svm flags (Linux)
    fs::path networks_conf = "/etc/vbox/networks.conf";
    std::function<int()> free_port; // a free TCP port on 127.0.0.1
    support::Clock* clock = nullptr; // paces the shutdown wait and VBoxManage retries
    std::chrono::seconds stop_timeout{90}; // ACPI shutdown wait before poweroff
    std::chrono::milliseconds poll_interval{1000};
    std::function<std::string()> new_uuid; // a random UUID for `createvm --uuid`
    int vbox_attempts = 5;
    std::chrono::milliseconds vbox_backoff{500};
    static HostEnv current();
};

class VirtualBoxDriver : public Driver {
public:
    explicit VirtualBoxDriver(const DriverContext& ctx);
    VirtualBoxDriver(const DriverContext& ctx, HostEnv env);
    ~VirtualBoxDriver() override;
    VirtualBoxDriver(const VirtualBoxDriver&) = delete;
    VirtualBoxDriver& operator=(const VirtualBoxDriver&) = delete;
    static std::vector<FlagSpec> create_flags();

    std::string driver_name() const override { return "virtualbox"; }
    // --virtualbox-image replaces the bundled image: create must not build or fetch it.
    bool uses_bundled_image() const override { return m_image.empty(); }
    void configure(const FlagValues& flags) override;
    std::string seed_network_config() const override;
    void create(const CreateSpec& spec) override;
    State state() override;
    std::string ip() override { return m_ip; }
    SshEndpoint ssh_endpoint() override;
    void start() override;
    void stop() override;
    void kill() override;
    std::vector<std::string> remove() override;
    DriverRecord record() const override;
    void restore(const DriverRecord& r) override;

private:
    void check_vboxmanage();
    void check_vtx() const;
    void choose_address();
    fs::path prepare_disk_image(const CreateSpec& spec);
    void ensure_hostonly_network();
    void ensure_hostonly_if();
    void ensure_hostonly_net();
    void remove_stale_dhcp_servers(const std::string& network_name);
    bool use_hostonlynet() const;
    std::optional<State> query_state(); // nullopt: VirtualBox has no VM of ours
    // The UUID of our VM for VBoxManage calls; nullopt when VirtualBox has none of ours. For a
    // record without a UUID, looks the VM up by name once and keeps its UUID if it is ours.
    std::optional<std::string> vm_ref();
    // Throws UsageError when VirtualBox already has a VM named like the machine.
    void refuse_taken_name(bool before_anything_changed);

    void drop_claim() noexcept;

    fs::path m_ip_claim; // our claim on m_ip until the record is saved, see the top of this file

    DriverContext m_ctx;
    HostEnv m_env;
    VBoxManage m_vbox;
    int m_vbox_major = 0;

    // Settings (from flags, then config.json).
    long m_memory = 1024;
    long m_cpus = 1;
    long m_disk_size = 20000;
    std::string m_hostonly_cidr = "192.168.56.1/24";
    std::string m_hostonly_nictype = "82540EM";
    std::string m_hostonly_promisc = "deny";
    std::string m_nat_nictype = "82540EM";
    std::string m_ui_type = "headless";
    bool m_no_share = false;
    std::string m_share_folder; // "dir:name"; "" = host default
    bool m_no_vtx_check = false;
    std::string m_image; // user image; "" = bundled

    // What the driver chose or made.
    std::string m_uuid;         // the VM's UUID ("" only in records made before UUIDs)
    std::string m_foreign_uuid; // a VM named like the machine that is not ours (legacy lookup)
    std::string m_foreign_cfg;  // its settings file
    bool m_looked_up = false;   // the legacy lookup ran (once per process)
    fs::path m_vm_folder;       // where else a VM of a record without UUID may keep its settings
    std::string m_ip;
    std::string m_nat_mac;
    std::string m_hostonly_mac;
    int m_ssh_port = 0;
    fs::path m_ssh_key_path;
    std::string m_hostonly_adapter; // vboxnetN (hostonlyif) or network name (hostonlynet)
    bool m_hostonly_is_net = false;
    fs::path m_disk_path;
    fs::path m_seed_path;
    bool m_vm_created = false;
};

// "dir:name" -> (dir, name); splits at the last ':' so "C:\dir:name" works. Empty name on error.
std::pair<std::string, std::string> parse_share_folder(const std::string& value);

} // namespace machine::drivers::virtualbox
