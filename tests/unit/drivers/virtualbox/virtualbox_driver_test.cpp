// Every VBoxManage command line the driver can issue, asserted argument by argument against a
// recording fake runner.
#include "drivers/virtualbox/virtualbox_driver.h"

#include "fake_runner.h"
#include "machine/support/error.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <unistd.h>

namespace machine::drivers::virtualbox {
namespace {

using testing::Args;
using testing::fail;
using testing::FakeRunner;
using ::testing::HasSubstr;
using testing::ok;

const char* k_not_found =
    "VBoxManage: error: Could not find a registered machine named 'myvm'\n"
    "VBoxManage: error: Details: code VBOX_E_OBJECT_NOT_FOUND (0x80bb0001), component "
    "VirtualBoxWrap, interface IVirtualBox, callee nsISupports\n"
    "VBoxManage: error: Context: \"FindMachine(Bstr(VMNameOrUuid).raw(), "
    "machine.asOutParam())\" at line 2877 of file VBoxManageInfo.cpp\n";

const char* k_locked =
    "VBoxManage: error: The machine 'myvm' is already locked by a session (or being locked or "
    "unlocked)\n"
    "VBoxManage: error: Details: code VBOX_E_INVALID_OBJECT_STATE (0x80bb0007), component "
    "MachineWrap, interface IMachine, callee nsISupports\n"
    "VBoxManage: error: Context: \"LaunchVMProcess(a->session, sessionType.raw(), "
    "ComSafeArrayAsInParam(aBstrEnv), progress.asOutParam())\" at line 727 of file "
    "VBoxManageMisc.cpp\n";

// The stale server VirtualBox's installer leaves on vboxnet0 (6.1+ layout).
const char* k_stale_dhcp = "NetworkName:    HostInterfaceNetworking-vboxnet0\n"
                           "Dhcpd IP:       192.168.56.100\n"
                           "LowerIPAddress: 192.168.56.101\n"
                           "UpperIPAddress: 192.168.56.254\n"
                           "NetworkMask:    255.255.255.0\n"
                           "Enabled:        Yes\n"
                           "Global Configuration:\n"
                           "    minLeaseTime:     default\n"
                           "Groups:               None\n"
                           "Individual Configs:   None\n";

std::string hostonlyif(const std::string& name, const std::string& ip) {
    return "Name:            " + name +
           "\nGUID:            786f6276-656e-4074-8000-0a0027000000\n"
           "DHCP:            Disabled\nIPAddress:       " +
           ip +
           "\nNetworkMask:     255.255.255.0\nIPV6Address:\nIPV6NetworkMaskPrefixLength: 0\n"
           "HardwareAddress: 0a:00:27:00:00:00\nMediumType:      Ethernet\nWireless:        No\n"
           "Status:          Up\nVBoxNetworkName: HostInterfaceNetworking-" +
           name + "\n\n";
}

std::string vminfo(const std::string& state) {
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
        m_env.sleep = [this](std::chrono::milliseconds d) { m_sleeps.push_back(d.count()); };
        m_env.stop_timeout = std::chrono::seconds(3);
        m_env.poll_interval = std::chrono::milliseconds(1000);
        m_runner.on({"--version"}, {ok("7.0.14r161095\n")});
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
    std::vector<long> m_sleeps;
};

TEST_F(VirtualBoxDriverTest, CreateIssuesTheWholeSequence) {
    m_runner.on({"hostonlyif", "create"}, {ok("Interface 'vboxnet0' was successfully created\n")});
    m_runner.on({"list", "dhcpservers"}, {ok(k_stale_dhcp)});
    auto d = driver();
    d->configure(flags());
    d->create(spec());

    // The MACs are derived from the machine's path: take them from the record, check the form.
    std::string nat_mac = d->to_json()["NatMACAddress"];
    std::string ho_mac = d->to_json()["HostOnlyMACAddress"];
    EXPECT_THAT(nat_mac, ::testing::MatchesRegex("08:00:27:[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}"));
    EXPECT_NE(nat_mac, ho_mac);
    auto vbox_mac = [](std::string mac) {
        std::string out;
        for (char c : mac)
            if (c != ':')
                out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        return out;
    };
    std::string m = m_mdir.string();
    std::string cache = m_base.string() + ".vdi";
    std::vector<Args> want = {
        {"VBoxManage", "--version"},
        {"qemu-img", "convert", "-O", "vdi", m_base.string(),
         cache + ".tmp" + std::to_string(getpid())},
        {"VBoxManage", "list", "hostonlyifs"},
        {"VBoxManage", "hostonlyif", "create"},
        {"VBoxManage", "hostonlyif", "ipconfig", "vboxnet0", "--ip", "192.168.56.1", "--netmask",
         "255.255.255.0"},
        {"VBoxManage", "list", "dhcpservers"},
        {"VBoxManage", "dhcpserver", "remove", "--netname", "HostInterfaceNetworking-vboxnet0"},
        {"VBoxManage", "createvm", "--name", "myvm", "--basefolder", m, "--register"},
        {"VBoxManage", "modifyvm", "myvm", "--ostype",    "Linux26_64", "--firmware",
         "bios",       "--memory", "1024", "--cpus",      "1",          "--acpi",
         "on",         "--ioapic", "on",   "--rtcuseutc", "on",         "--pae",
         "on",         "--hpet",   "on",   "--hwvirtex",  "on",         "--nestedpaging",
         "on",         "--boot1",  "disk", "--boot2",     "dvd",        "--boot3",
         "none",       "--boot4",  "none"},
        {"VBoxManage", "modifyvm", "myvm", "--nic1", "nat", "--nictype1", "82540EM",
         "--cableconnected1", "on", "--macaddress1", vbox_mac(nat_mac), "--natdnshostresolver1",
         "off", "--natdnsproxy1", "on"},
    };
    std::vector<Args> rest = {
        {"VBoxManage", "modifyvm", "myvm", "--natpf1", "ssh,tcp,127.0.0.1,40022,,22"},
        {"VBoxManage", "modifyvm", "myvm", "--nic2", "hostonly", "--hostonlyadapter2", "vboxnet0",
         "--nictype2", "82540EM", "--nicpromisc2", "deny", "--cableconnected2", "on",
         "--macaddress2", vbox_mac(ho_mac)},
        {"VBoxManage", "storagectl", "myvm", "--name", "SATA", "--add", "sata", "--hostiocache",
         "on"},
        {"VBoxManage", "clonemedium", "disk", cache, m + "/disk.vdi", "--format", "VDI"},
        {"VBoxManage", "closemedium", "disk", cache},
        {"VBoxManage", "modifymedium", "disk", m + "/disk.vdi", "--resize", "20000"},
        {"VBoxManage", "storageattach", "myvm", "--storagectl", "SATA", "--port", "0", "--device",
         "0", "--type", "hdd", "--medium", m + "/disk.vdi"},
        {"VBoxManage", "storageattach", "myvm", "--storagectl", "SATA", "--port", "1", "--device",
         "0", "--type", "dvddrive", "--medium", m + "/seed.iso"},
        {"VBoxManage", "sharedfolder", "add", "myvm", "--name", "share", "--hostpath",
         (m_root / "share").string(), "--automount"},
        {"VBoxManage", "setextradata", "myvm",
         "VBoxInternal2/SharedFoldersEnableSymlinksCreate/share", "1"},
        {"VBoxManage", "startvm", "myvm", "--type", "headless"},
    };
    want.insert(want.end(), rest.begin(), rest.end());
    EXPECT_EQ(m_runner.commands(), want);
    EXPECT_TRUE(fs::exists(cache)) << "the converted image is cached beside the base image";

    auto ep = d->ssh_endpoint();
    EXPECT_EQ(ep.host, "127.0.0.1");
    EXPECT_EQ(ep.port, 40022);
    EXPECT_EQ(ep.user, "docker");
    EXPECT_EQ(ep.key_path, m_mdir / "id_ed25519");
    EXPECT_EQ(d->ip(), "192.168.56.101");
}

TEST_F(VirtualBoxDriverTest, FlagsReachTheCommandLines) {
    m_runner.on({"list", "hostonlyifs"}, {ok(hostonlyif("vboxnet3", "192.168.57.1"))});
    fs::path vdi = m_root / "mine.vdi";
    std::ofstream(vdi) << "vdi";
    auto d = driver();
    d->configure(flags({{"virtualbox-memory", {"2048"}},
                        {"virtualbox-cpu-count", {"2"}},
                        {"virtualbox-disk-size", {"30000"}},
                        {"virtualbox-hostonly-cidr", {"192.168.57.1/24"}},
                        {"virtualbox-hostonly-nictype", {"virtio"}},
                        {"virtualbox-hostonly-nicpromisc", {"allow-all"}},
                        {"virtualbox-nat-nictype", {"Am79C973"}},
                        {"virtualbox-ui-type", {"gui"}},
                        {"virtualbox-no-share", {"true"}},
                        {"virtualbox-image", {vdi.string()}}}));
    d->create(spec());
    auto cmds = m_runner.vbox();
    auto has = [&](const Args& a) { return std::find(cmds.begin(), cmds.end(), a) != cmds.end(); };
    // An existing interface with the CIDR's address is reused: nothing created.
    EXPECT_FALSE(has({"hostonlyif", "create"}));
    EXPECT_TRUE(has(
        {"clonemedium", "disk", vdi.string(), m_mdir.string() + "/disk.vdi", "--format", "VDI"}));
    EXPECT_TRUE(has({"modifymedium", "disk", m_mdir.string() + "/disk.vdi", "--resize", "30000"}));
    EXPECT_TRUE(has({"startvm", "myvm", "--type", "gui"}));
    for (const auto& c : cmds) {
        EXPECT_NE(c[0], "sharedfolder") << "--virtualbox-no-share";
        EXPECT_FALSE(c[0] == "closemedium") << "a user's image is left registered";
        if (c[0] == "modifyvm" && c.size() > 4 && c[2] == "--ostype") {
            EXPECT_EQ(c[6], "--memory");
            EXPECT_EQ(c[7], "2048");
            EXPECT_EQ(c[9], "2");
        }
        if (c[0] == "modifyvm" && c.size() > 4 && c[2] == "--nic1") {
            EXPECT_EQ(c[5], "Am79C973");
        }
        if (c[0] == "modifyvm" && c.size() > 4 && c[2] == "--nic2") {
            EXPECT_EQ(c[5], "vboxnet3");
            EXPECT_EQ(c[7], "virtio");
            EXPECT_EQ(c[9], "allow-all");
        }
    }
    for (const auto& c : m_runner.commands())
        EXPECT_NE(c[0], "qemu-img") << "a VDI is used as is";
    EXPECT_EQ(d->ip(), "192.168.57.101");
}

TEST_F(VirtualBoxDriverTest, UserImageNeedsNoBundledImage) {
    m_runner.on({"list", "hostonlyifs"}, {ok(hostonlyif("vboxnet0", "192.168.56.1"))});
    fs::path vdi = m_root / "mine.vdi";
    std::ofstream(vdi) << "vdi";
    auto bundled = driver();
    bundled->configure(flags());
    EXPECT_TRUE(bundled->uses_bundled_image());

    const size_t before = m_runner.commands().size();
    auto d = driver();
    d->configure(flags({{"virtualbox-no-share", {"true"}}, {"virtualbox-image", {vdi.string()}}}));
    EXPECT_FALSE(d->uses_bundled_image()) << "the pipeline must not build an image it won't use";
    auto s = spec();
    s.base_image.clear(); // what the pipeline passes when uses_bundled_image() is false
    d->create(s);
    std::string m = m_mdir.string();
    std::vector<Args> storage;
    auto cmds = m_runner.commands();
    for (size_t i = before; i < cmds.size(); ++i) {
        const auto& c = cmds[i];
        if (c[0] == "qemu-img" ||
            (c.size() > 1 && (c[1] == "clonemedium" || c[1] == "closemedium" ||
                              c[1] == "modifymedium" || c[1] == "storageattach")))
            storage.push_back(c);
    }
    std::vector<Args> want = {
        {"VBoxManage", "clonemedium", "disk", vdi.string(), m + "/disk.vdi", "--format", "VDI"},
        {"VBoxManage", "modifymedium", "disk", m + "/disk.vdi", "--resize", "20000"},
        {"VBoxManage", "storageattach", "myvm", "--storagectl", "SATA", "--port", "0", "--device",
         "0", "--type", "hdd", "--medium", m + "/disk.vdi"},
        {"VBoxManage", "storageattach", "myvm", "--storagectl", "SATA", "--port", "1", "--device",
         "0", "--type", "dvddrive", "--medium", m + "/seed.iso"},
    };
    EXPECT_EQ(storage, want);
}

TEST_F(VirtualBoxDriverTest, WithoutVBoxManageConfigureFailsAtOnceAndRunsNothing) {
    m_runner.m_no_vboxmanage = true;
    auto d = driver();
    try {
        d->configure(flags());
        FAIL() << "configure() accepted a host without VBoxManage";
    } catch (const Unavailable& e) {
        EXPECT_STREQ(e.what(), "VirtualBox is not installed: VBoxManage was not found on PATH");
    }
    EXPECT_TRUE(m_runner.commands().empty());
}

TEST_F(VirtualBoxDriverTest, TooOldVirtualBoxIsRefused) {
    m_runner.on({"--version"}, {ok("5.2.44r139111\n")});
    auto d = driver();
    EXPECT_THROW(
        {
            try {
                d->configure(flags());
            } catch (const Unavailable& e) {
                EXPECT_THAT(e.what(), HasSubstr("5.2.44r139111 is too old"));
                throw;
            }
        },
        Unavailable);
}

TEST_F(VirtualBoxDriverTest, UnloadedKernelModuleIsSaidPlainly) {
    m_runner.on({"--version"},
                {ok("WARNING: The vboxdrv kernel module is not loaded. Either there is no module\n"
                    "         available for the current kernel (6.1.0) or it failed to\n"
                    "         load.\n7.0.14r161095\n")});
    EXPECT_THROW(driver()->configure(flags()), Unavailable);
}

TEST_F(VirtualBoxDriverTest, NoVtxIsRefusedUnlessTheCheckIsOff) {
    std::ofstream(m_root / "cpuinfo") << "processor : 0\nflags : fpu vme sse hypervisor\n";
    try {
        driver()->configure(flags());
        FAIL() << "no vmx/svm accepted";
    } catch (const Unavailable& e) {
        EXPECT_THAT(e.what(), HasSubstr("--virtualbox-no-vtx-check"));
    }
    EXPECT_NO_THROW(driver()->configure(flags({{"virtualbox-no-vtx-check", {"true"}}})));
}

TEST_F(VirtualBoxDriverTest, CidrInsideDefaultRangeIsAccepted) {
    EXPECT_NO_THROW(
        driver()->configure(flags({{"virtualbox-hostonly-cidr", {"192.168.63.1/24"}}})));
}

TEST_F(VirtualBoxDriverTest, CidrOutsideDefaultRangeNamesNetworksConf) {
    try {
        driver()->configure(flags({{"virtualbox-hostonly-cidr", {"192.168.99.1/24"}}}));
        FAIL() << "192.168.99.1/24 accepted without networks.conf";
    } catch (const UsageError& e) {
        EXPECT_THAT(e.what(), HasSubstr("192.168.56.0/21"));
        EXPECT_THAT(e.what(), HasSubstr(m_env.networks_conf.string()));
        EXPECT_THAT(e.what(), HasSubstr("* 192.168.99.0/24"));
    }
    EXPECT_TRUE(m_runner.commands().empty()) << "flag errors come before any VBoxManage call";
}

TEST_F(VirtualBoxDriverTest, CidrAllowedByNetworksConf) {
    m_env.networks_conf = m_root / "networks.conf";
    std::ofstream(m_env.networks_conf) << "* 10.0.0.0/8 192.168.0.0/16\n";
    EXPECT_NO_THROW(driver()->configure(flags({{"virtualbox-hostonly-cidr", {"10.9.0.1/24"}}})));
    // When the file exists, it replaces the default range.
    std::ofstream(m_env.networks_conf) << "* 10.0.0.0/8\n";
    EXPECT_THROW(driver()->configure(flags({{"virtualbox-hostonly-cidr", {"192.168.56.1/24"}}})),
                 UsageError);
}

TEST_F(VirtualBoxDriverTest, CidrMustNameTheHostAddress) {
    EXPECT_THROW(driver()->configure(flags({{"virtualbox-hostonly-cidr", {"192.168.56.0/24"}}})),
                 UsageError);
    EXPECT_THROW(driver()->configure(flags({{"virtualbox-hostonly-cidr", {"192.168.56.1"}}})),
                 UsageError);
}

TEST_F(VirtualBoxDriverTest, BadFlagValuesAreUsageErrors) {
    EXPECT_THROW(driver()->configure(flags({{"virtualbox-hostonly-nictype", {"e1000"}}})),
                 UsageError);
    EXPECT_THROW(driver()->configure(flags({{"virtualbox-hostonly-nicpromisc", {"yes"}}})),
                 UsageError);
    EXPECT_THROW(driver()->configure(flags({{"virtualbox-ui-type", {"vnc"}}})), UsageError);
    EXPECT_THROW(driver()->configure(flags({{"virtualbox-memory", {"lots"}}})), UsageError);
    EXPECT_THROW(driver()->configure(flags({{"virtualbox-share-folder", {"/nocolon"}}})),
                 UsageError);
    EXPECT_THROW(driver()->configure(flags({{"virtualbox-image", {"/no/such.vdi"}}})), UsageError);
}

TEST_F(VirtualBoxDriverTest, IpSkipsAddressesOfOtherMachinesAndGoesIntoTheSeed) {
    write_machine("a", "192.168.56.101");
    write_machine("b", "192.168.56.102");
    write_machine("elsewhere", "192.168.57.103"); // another network: not a conflict
    auto d = driver();
    d->configure(flags());
    EXPECT_EQ(d->ip(), "192.168.56.103");
    std::string yaml = d->seed_network_config();
    std::string nat_mac = d->to_json()["NatMACAddress"];
    std::string ho_mac = d->to_json()["HostOnlyMACAddress"];
    EXPECT_EQ(yaml, "version: 2\n"
                    "ethernets:\n"
                    "  nat:\n"
                    "    match:\n"
                    "      macaddress: \"" +
                        nat_mac +
                        "\"\n"
                        "    dhcp4: true\n"
                        "  hostonly:\n"
                        "    match:\n"
                        "      macaddress: \"" +
                        ho_mac +
                        "\"\n"
                        "    dhcp4: false\n"
                        "    addresses:\n"
                        "      - 192.168.56.103/24\n");
}

TEST_F(VirtualBoxDriverTest, ExistingInterfaceOnTheSameNetworkWithAnotherAddressIsAnError) {
    m_runner.on({"list", "hostonlyifs"}, {ok(hostonlyif("vboxnet0", "192.168.56.2"))});
    auto d = driver();
    d->configure(flags());
    try {
        d->create(spec());
        FAIL() << "created a second interface on 192.168.56.0/24";
    } catch (const DriverError& e) {
        EXPECT_THAT(e.what(), HasSubstr("vboxnet0"));
        EXPECT_THAT(e.what(), HasSubstr("--virtualbox-hostonly-cidr 192.168.56.2/24"));
    }
    for (const auto& c : m_runner.vbox())
        EXPECT_NE(c[0], "createvm");
}

TEST_F(VirtualBoxDriverTest, VirtualBox7OnMacOSUsesHostOnlyNetworks) {
    m_env.os = "darwin";
    auto d = driver();
    d->configure(flags());
    d->create(spec());
    auto cmds = m_runner.vbox();
    auto has = [&](const Args& a) { return std::find(cmds.begin(), cmds.end(), a) != cmds.end(); };
    EXPECT_TRUE(has({"list", "hostonlynets"}));
    EXPECT_TRUE(
        has({"hostonlynet", "add", "--name=machine-192.168.56.0-24", "--netmask=255.255.255.0",
             "--lower-ip=192.168.56.1", "--upper-ip=192.168.56.1", "--enable"}));
    bool nic2 = false;
    for (const auto& c : cmds) {
        EXPECT_NE(c[0], "hostonlyif");
        if (c[0] == "modifyvm" && c.size() > 5 && c[2] == "--nic2") {
            nic2 = true;
            EXPECT_EQ(c[3], "hostonlynet");
            EXPECT_EQ(c[4], "--host-only-net2=machine-192.168.56.0-24");
        }
    }
    EXPECT_TRUE(nic2);
}

TEST_F(VirtualBoxDriverTest, ExistingHostOnlyNetworkIsReused) {
    m_env.os = "darwin";
    m_runner.on({"list", "hostonlynets"},
                {ok("Name:            HostNetwork\nGUID:            1\n\nState:           Enabled\n"
                    "NetworkMask:     255.255.255.0\nLowerIP:         192.168.56.1\n"
                    "UpperIP:         192.168.56.199\nVBoxNetworkName: hostonly-HostNetwork\n")});
    auto d = driver();
    d->configure(flags());
    d->create(spec());
    for (const auto& c : m_runner.vbox()) {
        EXPECT_NE(c[0], "hostonlynet");
        if (c[0] == "modifyvm" && c.size() > 5 && c[2] == "--nic2") {
            EXPECT_EQ(c[4], "--host-only-net2=HostNetwork");
        }
    }
}

class Lifecycle : public VirtualBoxDriverTest {
protected:
    std::unique_ptr<VirtualBoxDriver> created() {
        auto d = driver();
        d->from_json({{"IPAddress", "192.168.56.101"},
                      {"SSHPort", 40022},
                      {"HostOnlyAdapter", "vboxnet0"},
                      {"VMCreated", true},
                      {"DiskPath", (m_mdir / "disk.vdi").string()}});
        return d;
    }
    std::vector<Args> show() { return {{"showvminfo", "myvm", "--machinereadable"}}; }
};

TEST_F(Lifecycle, StateComesFromShowVmInfo) {
    m_runner.on(show()[0], {ok(vminfo("running")), ok(vminfo("poweroff")), fail(k_not_found)});
    auto d = created();
    EXPECT_EQ(d->state(), State::Running);
    EXPECT_EQ(d->state(), State::Stopped);
    try {
        d->state();
        FAIL() << "a vanished VM must not look fine";
    } catch (const DriverError& e) {
        EXPECT_THAT(e.what(), HasSubstr("VirtualBox has no VM named \"myvm\""));
    }
    EXPECT_EQ(m_runner.vbox(), std::vector<Args>(3, show()[0]));
}

TEST_F(Lifecycle, StopPressesThePowerButtonAndWaits) {
    m_runner.on(show()[0], {ok(vminfo("running")), ok(vminfo("running")), ok(vminfo("poweroff"))});
    created()->stop();
    std::vector<Args> want = {
        show()[0], {"controlvm", "myvm", "acpipowerbutton"}, show()[0], show()[0]};
    EXPECT_EQ(m_runner.vbox(), want);
    EXPECT_EQ(m_sleeps, (std::vector<long>{1000, 1000}));
}

TEST_F(Lifecycle, StopPowersOffAfterTheBoundedWait) {
    m_runner.on(show()[0], {ok(vminfo("running"))});
    created()->stop();
    auto cmds = m_runner.vbox();
    ASSERT_EQ(cmds.size(), 6u); // state, acpi, 3 polls, poweroff
    EXPECT_EQ(cmds[1], (Args{"controlvm", "myvm", "acpipowerbutton"}));
    EXPECT_EQ(cmds.back(), (Args{"controlvm", "myvm", "poweroff"}));
    EXPECT_EQ(m_sleeps, (std::vector<long>{1000, 1000, 1000}));
}

TEST_F(Lifecycle, StopOfAStoppedVmDoesNothing) {
    m_runner.on(show()[0], {ok(vminfo("poweroff"))});
    created()->stop();
    EXPECT_EQ(m_runner.vbox(), show());
}

TEST_F(Lifecycle, KillPowersOff) {
    m_runner.on(show()[0], {ok(vminfo("running"))});
    created()->kill();
    EXPECT_EQ(m_runner.vbox(), (std::vector<Args>{show()[0], {"controlvm", "myvm", "poweroff"}}));
}

TEST_F(Lifecycle, StartFindsTheNetworkAgainAndBoots) {
    m_runner.on(show()[0], {ok(vminfo("poweroff"))});
    m_runner.on({"list", "hostonlyifs"}, {ok(hostonlyif("vboxnet0", "192.168.56.1"))});
    auto d = created();
    d->start();
    std::vector<Args> want = {show()[0],
                              {"list", "hostonlyifs"},
                              {"list", "dhcpservers"},
                              {"startvm", "myvm", "--type", "headless"}};
    EXPECT_EQ(m_runner.vbox(), want);
    EXPECT_EQ(d->ip(), "192.168.56.101");
}

TEST_F(Lifecycle, StartRepointsNic2WhenTheInterfaceWasRecreated) {
    m_runner.on(show()[0], {ok(vminfo("poweroff"))});
    m_runner.on({"hostonlyif", "create"}, {ok("Interface 'vboxnet1' was successfully created\n")});
    created()->start();
    std::vector<Args> want = {show()[0],
                              {"list", "hostonlyifs"},
                              {"hostonlyif", "create"},
                              {"hostonlyif", "ipconfig", "vboxnet1", "--ip", "192.168.56.1",
                               "--netmask", "255.255.255.0"},
                              {"list", "dhcpservers"},
                              {"modifyvm", "myvm", "--hostonlyadapter2", "vboxnet1"},
                              {"startvm", "myvm", "--type", "headless"}};
    EXPECT_EQ(m_runner.vbox(), want);
}

TEST_F(Lifecycle, StartResumesAPausedVm) {
    m_runner.on(show()[0], {ok(vminfo("paused"))});
    created()->start();
    EXPECT_EQ(m_runner.vbox(), (std::vector<Args>{show()[0], {"controlvm", "myvm", "resume"}}));
}

TEST_F(Lifecycle, RemovePowersOffAndUnregistersWithDelete) {
    m_runner.on(show()[0], {ok(vminfo("running"))});
    auto lines = created()->remove();
    std::vector<Args> want = {
        show()[0], {"controlvm", "myvm", "poweroff"}, {"unregistervm", "myvm", "--delete"}};
    EXPECT_EQ(m_runner.vbox(), want);
    EXPECT_EQ(lines, (std::vector<std::string>{"VirtualBox VM myvm and its disk"}));
}

TEST_F(Lifecycle, RemoveClosesAClonedDiskLeftByAHalfCreate) {
    m_runner.on(show()[0], {fail(k_not_found)});
    std::ofstream(m_mdir / "disk.vdi") << "vdi";
    // VirtualBox no longer knows the medium (e.g. its registry was reset): the file goes anyway.
    m_runner.on({"closemedium", "disk", (m_mdir / "disk.vdi").string(), "--delete"},
                {fail("VBoxManage: error: Could not find file for the medium '" +
                      (m_mdir / "disk.vdi").string() + "' (VERR_FILE_NOT_FOUND)\n")});
    auto lines = created()->remove();
    std::vector<Args> want = {show()[0],
                              {"closemedium", "disk", (m_mdir / "disk.vdi").string(), "--delete"}};
    EXPECT_EQ(m_runner.vbox(), want);
    EXPECT_EQ(lines.size(), 1u);
    EXPECT_FALSE(fs::exists(m_mdir / "disk.vdi")) << "removed even when VirtualBox can't";
}

TEST_F(Lifecycle, RemoveOfSomethingAlreadyGoneSucceeds) {
    m_runner.on(show()[0], {fail(k_not_found)});
    EXPECT_TRUE(created()->remove().empty());
}

TEST_F(Lifecycle, LockErrorsAreRetriedWithBackoff) {
    m_runner.on(show()[0], {ok(vminfo("poweroff"))});
    m_runner.on({"list", "hostonlyifs"}, {ok(hostonlyif("vboxnet0", "192.168.56.1"))});
    m_runner.on({"startvm", "myvm", "--type", "headless"}, {fail(k_locked), fail(k_locked), ok()});
    created()->start();
    auto cmds = m_runner.vbox();
    EXPECT_EQ(std::count(cmds.begin(), cmds.end(), Args{"startvm", "myvm", "--type", "headless"}),
              3);
    EXPECT_EQ(m_sleeps, (std::vector<long>{500, 1000}));
}

TEST_F(Lifecycle, LockErrorsGiveUpAfterBoundedAttempts) {
    m_runner.on(show()[0], {ok(vminfo("running"))});
    m_runner.on({"controlvm", "myvm", "poweroff"}, {fail(k_locked)});
    try {
        created()->kill();
        FAIL() << "endless lock accepted";
    } catch (const VBoxManageError& e) {
        EXPECT_EQ(e.code(), "VBOX_E_INVALID_OBJECT_STATE");
        EXPECT_THAT(e.what(), HasSubstr("VBoxManage controlvm myvm poweroff failed: The machine "
                                        "'myvm' is already locked by a session"));
    }
    EXPECT_EQ(m_sleeps, (std::vector<long>{500, 1000, 2000, 4000}));
}

TEST_F(Lifecycle, ErrorOnStderrAtExitZeroIsAFailure) {
    m_runner.on(show()[0], {ok(vminfo("poweroff"))});
    m_runner.on({"list", "hostonlyifs"}, {ok(hostonlyif("vboxnet0", "192.168.56.1"))});
    auto vtx = ok();
    vtx.err = "VBoxManage: error: VT-x is not available (VERR_VMX_NO_VMX)\n";
    m_runner.on({"startvm", "myvm", "--type", "headless"}, {vtx});
    try {
        created()->start();
        FAIL() << "error: at exit 0 taken as success";
    } catch (const DriverError& e) {
        EXPECT_THAT(e.what(), HasSubstr("VT-x is not available (VERR_VMX_NO_VMX)"));
    }
    EXPECT_TRUE(m_sleeps.empty()) << "not a lock error: no retry";
}

TEST_F(Lifecycle, JsonRoundTrip) {
    auto d = driver();
    d->configure(flags({{"virtualbox-memory", {"2048"}}}));
    auto j = d->to_json();
    EXPECT_EQ(j["IPAddress"], "192.168.56.101");
    EXPECT_EQ(j["SSHUser"], "docker");
    EXPECT_EQ(j["Memory"], 2048);
    EXPECT_EQ(j["MachineName"], "myvm");
    auto e = driver();
    e->from_json(j);
    EXPECT_EQ(e->to_json(), j);
    EXPECT_EQ(e->seed_network_config(), d->seed_network_config());
}

TEST(VBoxManageSerial, CallsFromManyThreadsNeverOverlap) {
    FakeRunner runner;
    runner.m_delay_ms = 5;
    char tmpl[] = "/tmp/vbox-lock-XXXXXX";
    fs::path dir = mkdtemp(tmpl);
    VBoxManage vbox(runner, dir / "vbox.lock");
    std::vector<std::thread> threads;
    for (int i = 0; i < 4; ++i)
        threads.emplace_back([&] {
            for (int k = 0; k < 5; ++k)
                vbox.run({"list", "vms"});
        });
    for (auto& t : threads)
        t.join();
    EXPECT_EQ(runner.vbox().size(), 20u);
    EXPECT_EQ(runner.m_max_in_flight.load(), 1);
    EXPECT_TRUE(fs::exists(dir / "vbox.lock"));
    fs::remove_all(dir);
}

TEST(VBoxManageSerial, LockInAStoreNotMadeYetIsSkippedAndCreatesNothing) {
    FakeRunner runner;
    runner.on({"--version"}, {ok("7.0.14r161095\n")});
    char tmpl[] = "/tmp/vbox-lock-XXXXXX";
    fs::path dir = mkdtemp(tmpl);
    VBoxManage vbox(runner, dir / "store" / "vbox.lock");
    EXPECT_EQ(vbox.run({"--version"}), "7.0.14r161095\n");
    EXPECT_EQ(runner.commands(), (std::vector<Args>{{"VBoxManage", "--version"}}));
    EXPECT_FALSE(fs::exists(dir / "store"));
    fs::remove_all(dir);
}

TEST_F(VirtualBoxDriverTest, ConfigureOnAFreshStoreRunsOnlyTheVersionCheckAndCreatesNothing) {
    fs::remove_all(m_store); // the first create of a new user: no store folder yet
    auto d = driver();
    d->configure(flags());
    EXPECT_EQ(m_runner.commands(), (std::vector<Args>{{"VBoxManage", "--version"}}));
    EXPECT_FALSE(fs::exists(m_store));
    EXPECT_EQ(d->ip(), "192.168.56.101");
}

} // namespace
} // namespace machine::drivers::virtualbox
