// The VirtualBox driver against the VBoxManage simulator (tests/vbox/VBoxManage), through the
// real process runner, real qemu-img and a real store folder.
#include "drivers/virtualbox/parse.h"
#include "drivers/virtualbox/virtualbox_driver.h"
#include "machine/support/error.h"
#include "machine/support/process.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace machine::drivers::virtualbox {
namespace {

using ::testing::HasSubstr;

class VirtualBoxSim : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/vbox-sim-XXXXXX";
        m_root = mkdtemp(tmpl);
        m_store = m_root / "store";
        m_old_path = std::getenv("PATH") ? std::getenv("PATH") : "";
        set_path(true);
        setenv("VBOX_SIM_HOME", (m_root / "sim").c_str(), 1);
        setenv("VBOX_SIM_NETWORKS_CONF", (m_root / "no-networks.conf").c_str(), 1);
        unsetenv("VBOX_SIM_FAIL_ONCE");
        unsetenv("VBOX_SIM_ACPI_IGNORED");
        unsetenv("VBOX_SIM_QEMU");
        unsetenv("VBOX_SIM_VERSION");
        fs::create_directories(m_root / "images");
        m_base = m_root / "images" / "bundled.qcow2";
        auto r =
            m_runner.run({"qemu-img", {"create", "-q", "-f", "qcow2", m_base.string(), "64M"}});
        ASSERT_TRUE(r.ok()) << r.err;
        m_env = HostEnv::current();
        m_env.networks_conf = m_root / "no-networks.conf";
        m_env.poll_interval = std::chrono::milliseconds(100);
        m_env.stop_timeout = std::chrono::seconds(1);
    }
    void TearDown() override {
        setenv("PATH", m_old_path.c_str(), 1);
        fs::remove_all(m_root);
    }
    void set_path(bool with_sim) {
        std::string sim = std::string(MACHINE_SOURCE_DIR) + "/tests/vbox";
        setenv("PATH", ((with_sim ? sim + ":" : std::string()) + m_old_path).c_str(), 1);
    }
    fs::path machine_dir(const std::string& name) { return m_store / "machines" / name; }
    std::unique_ptr<VirtualBoxDriver> driver(const std::string& name) {
        fs::create_directories(machine_dir(name));
        return std::make_unique<VirtualBoxDriver>(
            DriverContext{name, machine_dir(name), m_store, &m_runner}, m_env);
    }
    FlagValues flags() {
        return FlagValues(VirtualBoxDriver::create_flags(), {{"virtualbox-no-vtx-check", {"true"}},
                                                             {"virtualbox-no-share", {"true"}}});
    }
    CreateSpec spec(const std::string& name) {
        fs::path seed = machine_dir(name) / "seed.iso";
        std::ofstream(seed) << "cidata";
        return CreateSpec{name, machine_dir(name), machine_dir(name) / "id_ed25519", m_base, seed};
    }
    void save(const std::string& name, const VirtualBoxDriver& d) {
        std::ofstream(machine_dir(name) / "config.json") << nlohmann::json{
            {"DriverName", "virtualbox"},
            {"Driver",
             machine::drivers::encode_record(d.record())}}.dump();
    }
    std::string vbox(std::vector<std::string> args) {
        auto r = m_runner.run({"VBoxManage", args});
        return r.out;
    }
    std::vector<std::string> calls() {
        std::vector<std::string> out;
        std::ifstream in(m_root / "sim" / "calls.log");
        std::string line;
        while (std::getline(in, line))
            out.push_back(line);
        return out;
    }

    fs::path m_root, m_store, m_base;
    std::string m_old_path;
    HostEnv m_env;
    support::SystemProcessRunner m_runner;
};

TEST_F(VirtualBoxSim, CreateStopStartKeepsTheAddressThenRemoveLeavesNothing) {
    auto d = driver("myvm1");
    d->configure(flags());
    EXPECT_THAT(d->seed_network_config(), HasSubstr("192.168.56.101/24"));
    d->create(spec("myvm1"));
    save("myvm1", *d);
    EXPECT_EQ(d->state(), State::Running);
    EXPECT_EQ(d->ip(), "192.168.56.101");
    auto ep = d->ssh_endpoint();
    EXPECT_EQ(ep.host, "127.0.0.1");
    EXPECT_GT(ep.port, 0);

    // What VirtualBox now holds: the VM, its forward, its nics, the interface; no stale DHCP.
    auto info = parse_machine_readable(vbox({"showvminfo", "myvm1", "--machinereadable"}));
    EXPECT_EQ(info["Forwarding(0)"], fmt::format("ssh,tcp,127.0.0.1,{},,22", ep.port));
    EXPECT_EQ(info["hostonlyadapter2"], "vboxnet0");
    EXPECT_EQ(info["SATA-0-0"], (machine_dir("myvm1") / "disk.vdi").string());
    EXPECT_EQ(info["SATA-1-0"], (machine_dir("myvm1") / "seed.iso").string());
    auto ifs = parse_hostonlyifs(vbox({"list", "hostonlyifs"}));
    ASSERT_EQ(ifs.size(), 1u);
    EXPECT_EQ(ifs[0].ip, "192.168.56.1");
    EXPECT_TRUE(parse_dhcpservers(vbox({"list", "dhcpservers"})).empty());
    EXPECT_FALSE(fs::exists(m_base.string() + ".vdi")) << "nothing beside the source image";
    int cached = 0;
    for (const auto& e : fs::directory_iterator(m_store / "cache" / "virtualbox"))
        cached += e.path().extension() == ".vdi";
    EXPECT_EQ(cached, 1) << "converted image cached in the store";

    d->stop();
    EXPECT_EQ(d->state(), State::Stopped);

    // A fresh driver from the saved record, as a later `machine start` would build it.
    auto again = driver("myvm1");
    again->restore(machine::drivers::decode_record(
        nlohmann::json::parse(std::ifstream(machine_dir("myvm1") / "config.json"))["Driver"]));
    again->start();
    EXPECT_EQ(again->state(), State::Running);
    EXPECT_EQ(again->ip(), "192.168.56.101");
    EXPECT_EQ(again->ssh_endpoint().port, ep.port);

    auto lines = again->remove();
    std::string uuid = machine::drivers::encode_record(again->record())["UUID"];
    EXPECT_EQ(lines, (std::vector<std::string>{"VirtualBox VM myvm1 {" + uuid + "} and its disk"}));
    for (const auto& vm : parse_vms(vbox({"list", "vms"})))
        EXPECT_NE(vm.name, "myvm1");
    EXPECT_FALSE(fs::exists(machine_dir("myvm1") / "disk.vdi"));
    EXPECT_FALSE(fs::exists(machine_dir("myvm1") / "myvm1" / "myvm1.vbox"));
}

TEST_F(VirtualBoxSim, SecondMachineGetsTheNextAddressAndSharesTheInterface) {
    auto a = driver("a");
    a->configure(flags());
    a->create(spec("a"));
    save("a", *a);
    auto b = driver("b");
    b->configure(flags());
    b->create(spec("b"));
    EXPECT_EQ(b->ip(), "192.168.56.102");
    EXPECT_NE(a->ssh_endpoint().port, b->ssh_endpoint().port);
    EXPECT_EQ(parse_hostonlyifs(vbox({"list", "hostonlyifs"})).size(), 1u);
    EXPECT_EQ(parse_vms(vbox({"list", "runningvms"})).size(), 2u);
    a->remove();
    b->remove();
    EXPECT_TRUE(parse_vms(vbox({"list", "vms"})).empty());
}

TEST_F(VirtualBoxSim, LockedSessionOnStartIsRetried) {
    setenv("VBOX_SIM_FAIL_ONCE", "startvm:VBOX_E_INVALID_OBJECT_STATE:2", 1);
    m_env.vbox_backoff = std::chrono::milliseconds(10);
    auto d = driver("locked");
    d->configure(flags());
    d->create(spec("locked"));
    EXPECT_EQ(d->state(), State::Running);
    int starts = 0;
    for (const auto& c : calls())
        starts += c.rfind("[\"startvm\"", 0) == 0;
    EXPECT_EQ(starts, 3);
    d->remove();
}

TEST_F(VirtualBoxSim, GuestIgnoringAcpiIsPoweredOff) {
    auto d = driver("stubborn");
    d->configure(flags());
    d->create(spec("stubborn"));
    setenv("VBOX_SIM_ACPI_IGNORED", "1", 1);
    d->stop();
    EXPECT_EQ(d->state(), State::Stopped);
    std::string uuid = machine::drivers::encode_record(d->record())["UUID"];
    EXPECT_EQ(calls().back(), "[\"showvminfo\", \"" + uuid + "\", \"--machinereadable\"]");
    bool powered_off = false;
    for (const auto& c : calls())
        powered_off |= c == "[\"controlvm\", \"" + uuid + "\", \"poweroff\"]";
    EXPECT_TRUE(powered_off);
    d->remove();
}

TEST_F(VirtualBoxSim, WithoutVBoxManageConfigureFailsAtOnceAndChangesNothing) {
    set_path(false);
    ASSERT_FALSE(m_runner.available("VBoxManage")) << "a real VBoxManage is installed here";
    auto d = driver("novbox");
    try {
        d->configure(flags());
        FAIL() << "configured without VBoxManage";
    } catch (const Unavailable& e) {
        EXPECT_STREQ(e.what(), "VirtualBox is not installed: VBoxManage was not found on PATH");
    }
    EXPECT_FALSE(fs::exists(m_root / "sim")) << "no VBoxManage ran";
    EXPECT_TRUE(fs::is_empty(machine_dir("novbox")));
}

TEST_F(VirtualBoxSim, FirstCreateOnAStoreNotMadeYetPassesTheChecksAndMakesOnlyTheAddressClaim) {
    // `machine create` on a new MACHINE_STORAGE_PATH configures before the store exists.
    ASSERT_FALSE(fs::exists(m_store));
    VirtualBoxDriver d(DriverContext{"first", machine_dir("first"), m_store, &m_runner}, m_env);
    d.configure(flags());
    EXPECT_EQ(d.ip(), "192.168.56.101");
    std::vector<std::string> made;
    for (const auto& e : fs::recursive_directory_iterator(m_store))
        made.push_back(e.path().lexically_relative(m_store).string());
    std::sort(made.begin(), made.end());
    EXPECT_EQ(made,
              (std::vector<std::string>{"locks", "locks/virtualbox-ip.lock", "locks/virtualbox-ips",
                                        "locks/virtualbox-ips/192.168.56.101"}));
    EXPECT_EQ(calls(), (std::vector<std::string>{R"(["--version"])", R"(["list", "vms"])"}));
}

TEST_F(VirtualBoxSim, CidrOutsideTheAllowedRangeIsRefusedBeforeVirtualBoxIsTouched) {
    auto d = driver("badnet");
    auto f = FlagValues(
        VirtualBoxDriver::create_flags(),
        {{"virtualbox-no-vtx-check", {"true"}}, {"virtualbox-hostonly-cidr", {"192.168.99.1/24"}}});
    EXPECT_THROW(d->configure(f), UsageError);
    EXPECT_FALSE(fs::exists(m_root / "sim"));
    // And the simulator refuses the same address the way VirtualBox 6.1.28+ does.
    vbox({"hostonlyif", "create"});
    auto r = m_runner.run({"VBoxManage",
                           {"hostonlyif", "ipconfig", "vboxnet0", "--ip", "192.168.99.1",
                            "--netmask", "255.255.255.0"}});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(parse_error(r.err)->code, "E_ACCESSDENIED");
}

TEST_F(VirtualBoxSim, OldVirtualBoxIsRefused) {
    setenv("VBOX_SIM_VERSION", "5.2.44r139111", 1);
    auto d = driver("old");
    EXPECT_THROW(d->configure(flags()), Unavailable);
}

} // namespace
} // namespace machine::drivers::virtualbox
