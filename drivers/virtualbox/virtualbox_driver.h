#pragma once
// The VirtualBox driver: `machine create --driver virtualbox NAME` through VBoxManage, with
// docker-machine's flag names. Each machine gets a NAT nic (SSH forwarded from 127.0.0.1) and a
// host-only nic whose address the driver picks and writes into the seed, so the IP is stable by
// construction and `ip` never needs SSH or guest additions.
#include "drivers/driver.h"
#include "drivers/virtualbox/vboxmanage.h"

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
    std::function<void(std::chrono::milliseconds)> sleep;
    std::chrono::seconds stop_timeout{90}; // ACPI shutdown wait before poweroff
    std::chrono::milliseconds poll_interval{1000};
    int vbox_attempts = 5;
    std::chrono::milliseconds vbox_backoff{500};
    static HostEnv current();
};

class VirtualBoxDriver : public Driver {
public:
    explicit VirtualBoxDriver(const DriverContext& ctx);
    VirtualBoxDriver(const DriverContext& ctx, HostEnv env);
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
    nlohmann::json to_json() const override;
    void from_json(const nlohmann::json& j) override;

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
    std::optional<State> query_state(); // nullopt: VirtualBox has no such VM

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
