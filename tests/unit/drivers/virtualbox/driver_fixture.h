#pragma once
// The fixture of the VirtualBox driver's unit tests: a store in a temp folder, a recording fake
// runner, fixed ports and UUIDs, and VBoxManage's own output samples.
#include "drivers/virtualbox/virtualbox_driver.h"

#include "fake_runner.h"
#include "tests/fakes/fake_clock.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <unistd.h>

namespace machine::drivers::virtualbox::testing {

// The UUID the fixture's HostEnv hands to `createvm --uuid`.
inline const std::string k_uuid = "0e520d8e-0207-401c-9d9d-72f83bbb5998";
// A user's own VM that carries the machine's name.
inline const std::string k_user_uuid = "6f1c2c4e-94a1-4cbe-9a55-1f2d3c4b5a69";

inline std::string created_vm(const std::string& uuid, const fs::path& cfg) {
    return "Virtual machine 'myvm' is created and registered.\nUUID: " + uuid +
           "\nSettings file: '" + cfg.string() + "'\n";
}

inline const char* k_not_found =
    "VBoxManage: error: Could not find a registered machine named 'myvm'\n"
    "VBoxManage: error: Details: code VBOX_E_OBJECT_NOT_FOUND (0x80bb0001), component "
    "VirtualBoxWrap, interface IVirtualBox, callee nsISupports\n"
    "VBoxManage: error: Context: \"FindMachine(Bstr(VMNameOrUuid).raw(), "
    "machine.asOutParam())\" at line 2877 of file VBoxManageInfo.cpp\n";

inline const char* k_locked =
    "VBoxManage: error: The machine 'myvm' is already locked by a session (or being locked or "
    "unlocked)\n"
    "VBoxManage: error: Details: code VBOX_E_INVALID_OBJECT_STATE (0x80bb0007), component "
    "MachineWrap, interface IMachine, callee nsISupports\n"
    "VBoxManage: error: Context: \"LaunchVMProcess(a->session, sessionType.raw(), "
    "ComSafeArrayAsInParam(aBstrEnv), progress.asOutParam())\" at line 727 of file "
    "VBoxManageMisc.cpp\n";

// The stale server VirtualBox's installer leaves on vboxnet0 (6.1+ layout).
inline const char* k_stale_dhcp = "NetworkName:    HostInterfaceNetworking-vboxnet0\n"
                                  "Dhcpd IP:       192.168.56.100\n"
                                  "LowerIPAddress: 192.168.56.101\n"
                                  "UpperIPAddress: 192.168.56.254\n"
                                  "NetworkMask:    255.255.255.0\n"
                                  "Enabled:        Yes\n"
                                  "Global Configuration:\n"
                                  "    minLeaseTime:     default\n"
                                  "Groups:               None\n"
                                  "Individual Configs:   None\n";

inline std::string hostonlyif(const std::string& name, const std::string& ip) {
    return "Name:            " + name +
           "\nGUID:            786f6276-656e-4074-8000-0a0027000000\n"
           "DHCP:            Disabled\nIPAddress:       " +
           ip +
           "\nNetworkMask:     255.255.255.0\nIPV6Address:\nIPV6NetworkMaskPrefixLength: 0\n"
           "HardwareAddress: 0a:00:27:00:00:00\nMediumType:      Ethernet\nWireless:        No\n"
           "Status:          Up\nVBoxNetworkName: HostInterfaceNetworking-" +
           name + "\n\n";
}

inline std::string vminfo(const std::string& state) {
    return "name=\"myvm\"\nEncryption:     disabled\nmemory=1024\nVMState=\"" + state +
           "\"\nVMStateChangeTime=\"2024-01-01T00:00:00.000000000\"\n";
}

class VirtualBoxDriverTest : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/vbox-unit-XXXXXX";
        m_root = mkdtemp(tmpl);
        m_store = m_root / "store";
        m_mdir = m_store / "machines" / "myvm";
        fs::create_directories(m_mdir);
        fs::create_directories(m_root / "share");
        m_base = m_root / "images" / "bundled.qcow2";
        fs::create_directories(m_base.parent_path());
        std::ofstream(m_base) << "qcow2";
        std::ofstream(m_root / "cpuinfo") << "processor : 0\nflags : fpu vme vmx sse\n";
        m_env.os = "linux";
        m_env.cpuinfo = m_root / "cpuinfo";
        m_env.networks_conf = m_root / "no-networks.conf";
        m_env.free_port = [] { return 40022; };
        m_clock.on_sleep = [this](std::chrono::milliseconds d) { m_sleeps.push_back(d.count()); };
        m_env.clock = &m_clock;
        m_env.stop_timeout = std::chrono::seconds(3);
        m_env.poll_interval = std::chrono::milliseconds(1000);
        m_env.new_uuid = [] { return k_uuid; };
        m_runner.on({"--version"}, {ok("7.0.14r161095\n")});
        m_runner.on({"createvm", "--name", "myvm", "--uuid", k_uuid, "--basefolder",
                     m_mdir.string(), "--register"},
                    {ok(created_vm(k_uuid, m_mdir / "myvm" / "myvm.vbox"))});
    }
    void TearDown() override { fs::remove_all(m_root); }

    DriverContext ctx() { return DriverContext{"myvm", m_mdir, m_store, &m_runner}; }
    std::unique_ptr<VirtualBoxDriver> driver() {
        return std::make_unique<VirtualBoxDriver>(ctx(), m_env);
    }
    FlagValues flags(std::map<std::string, std::vector<std::string>> given = {}) {
        if (!given.count("virtualbox-share-folder"))
            given["virtualbox-share-folder"] = {(m_root / "share").string() + ":share"};
        return FlagValues(VirtualBoxDriver::create_flags(), given);
    }
    CreateSpec spec() {
        return CreateSpec{"myvm", m_mdir, m_mdir / "id_ed25519", m_base, m_mdir / "seed.iso"};
    }
    void write_machine(const std::string& name, const std::string& ip) {
        fs::create_directories(m_store / "machines" / name);
        std::ofstream(m_store / "machines" / name / "config.json")
            << nlohmann::json{{"DriverName", "virtualbox"}, {"Driver", {{"IPAddress", ip}}}}.dump();
    }

    fs::path m_root, m_store, m_mdir, m_base;
    HostEnv m_env;
    FakeRunner m_runner;
    ::machine::testing::FakeClock m_clock;
    std::vector<long> m_sleeps;
};

class Lifecycle : public VirtualBoxDriverTest {
protected:
    std::unique_ptr<VirtualBoxDriver> created() {
        auto d = driver();
        d->restore(machine::drivers::decode_record({{"IPAddress", "192.168.56.101"},
                                                    {"SSHPort", 40022},
                                                    {"HostOnlyAdapter", "vboxnet0"},
                                                    {"VMCreated", true},
                                                    {"UUID", k_uuid},
                                                    {"DiskPath", (m_mdir / "disk.vdi").string()}}));
        return d;
    }
    std::vector<Args> show() { return {{"showvminfo", k_uuid, "--machinereadable"}}; }
};

} // namespace machine::drivers::virtualbox::testing
