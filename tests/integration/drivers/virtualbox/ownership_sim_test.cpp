// A user's own VirtualBox VM that carries a machine's name survives every command of machine,
// against the VBoxManage simulator (tests/vbox/VBoxManage: VirtualBox's rules, where names need
// not be unique and the first registered VM of a name answers to that name).
#include "drivers/virtualbox/parse.h"
#include "drivers/virtualbox/virtualbox_driver.h"
#include "machine/support/error.h"
#include "machine/support/process.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

namespace machine::drivers::virtualbox {
namespace {

using ::testing::HasSubstr;

class OwnershipSim : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/vbox-own-XXXXXX";
        m_root = mkdtemp(tmpl);
        m_store = m_root / "store";
        m_old_path = std::getenv("PATH") ? std::getenv("PATH") : "";
        setenv("PATH", (std::string(MACHINE_SOURCE_DIR) + "/tests/vbox:" + m_old_path).c_str(), 1);
        setenv("VBOX_SIM_HOME", (m_root / "sim").c_str(), 1);
        setenv("VBOX_SIM_NETWORKS_CONF", (m_root / "no-networks.conf").c_str(), 1);
        for (const char* v :
             {"VBOX_SIM_FAIL_ONCE", "VBOX_SIM_ACPI_IGNORED", "VBOX_SIM_QEMU", "VBOX_SIM_VERSION"})
            unsetenv(v);
        fs::create_directories(m_root / "images");
        m_image = m_root / "images" / "mine.vdi";
        std::ofstream(m_image) << "vdi";
        m_env = HostEnv::current();
        m_env.networks_conf = m_root / "no-networks.conf";
    }
    void TearDown() override {
        setenv("PATH", m_old_path.c_str(), 1);
        fs::remove_all(m_root);
    }
    fs::path machine_dir(const std::string& name) { return m_store / "machines" / name; }
    std::unique_ptr<VirtualBoxDriver> driver(const std::string& name) {
        fs::create_directories(machine_dir(name));
        return std::make_unique<VirtualBoxDriver>(
            DriverContext{name, machine_dir(name), m_store, &m_runner}, m_env);
    }
    FlagValues flags() {
        return FlagValues(VirtualBoxDriver::create_flags(),
                          {{"virtualbox-no-vtx-check", {"true"}},
                           {"virtualbox-no-share", {"true"}},
                           {"virtualbox-image", {m_image.string()}}});
    }
    CreateSpec spec(const std::string& name) {
        fs::path seed = machine_dir(name) / "seed.iso";
        std::ofstream(seed) << "cidata";
        return CreateSpec{name, machine_dir(name), machine_dir(name) / "id_ed25519", {}, seed};
    }
    support::ProcessResult vbox(std::vector<std::string> args) {
        return m_runner.run({"VBoxManage", std::move(args)});
    }
    // The user's own VM, made with VBoxManage as a user would: settings in the simulator's
    // default machine folder, 512 MB, a NAT nic, running.
    std::string make_users_vm(const std::string& name) {
        auto r = vbox({"createvm", "--name", name, "--register"});
        EXPECT_EQ(r.exit_code, 0) << r.err;
        auto uuid = parse_created_vm_uuid(r.out);
        EXPECT_TRUE(uuid) << r.out;
        EXPECT_EQ(vbox({"modifyvm", *uuid, "--memory", "512", "--nic1", "nat"}).exit_code, 0);
        EXPECT_EQ(vbox({"startvm", *uuid, "--type", "headless"}).exit_code, 0);
        return *uuid;
    }
    // Everything VirtualBox holds about one VM, as `showvminfo --machinereadable` prints it.
    std::string snapshot(const std::string& uuid) {
        auto r = vbox({"showvminfo", uuid, "--machinereadable"});
        EXPECT_EQ(r.exit_code, 0) << r.err;
        return r.out;
    }
    std::vector<VmEntry> vms() { return parse_vms(vbox({"list", "vms"}).out); }

    fs::path m_root, m_store, m_image;
    std::string m_old_path;
    HostEnv m_env;
    support::SystemProcessRunner m_runner;
};

TEST_F(OwnershipSim, CreateOfANameVirtualBoxHasFailsAndLeavesThatVmAsItWas) {
    std::string user = make_users_vm("myvm");
    std::string before = snapshot(user);
    ASSERT_THAT(before, HasSubstr("VMState=\"running\""));

    auto d = driver("myvm");
    try {
        d->configure(flags());
        FAIL() << "create went ahead over the user's VM";
    } catch (const UsageError& e) {
        EXPECT_EQ(e.exit_code(), k_exit_usage);
        EXPECT_THAT(e.what(), HasSubstr("VirtualBox already has a VM named \"myvm\" ({" + user));
    }
    EXPECT_EQ(snapshot(user), before);
    ASSERT_EQ(vms().size(), 1u);
    EXPECT_FALSE(fs::exists(m_store / "locks")) << "refused before anything was made";
}

TEST_F(OwnershipSim, RmOfOurMachineRemovesOurVmAndNotTheUsersNamesake) {
    auto d = driver("myvm");
    d->configure(flags());
    d->create(spec("myvm"));
    std::string ours = machine::drivers::encode_record(d->record())["UUID"];
    // VirtualBox lets the user make a second "myvm" elsewhere (their own machine folder).
    std::string user = make_users_vm("myvm");
    ASSERT_NE(user, ours);
    std::string before = snapshot(user);

    EXPECT_EQ(d->state(), State::Running);
    d->stop();
    EXPECT_EQ(d->state(), State::Stopped);
    auto lines = d->remove();
    EXPECT_EQ(lines[0], "VirtualBox VM myvm {" + ours + "} and its disk");
    auto left = vms();
    ASSERT_EQ(left.size(), 1u);
    EXPECT_EQ(left[0].uuid, user);
    EXPECT_EQ(snapshot(user), before) << "the user's VM was changed";
}

TEST_F(OwnershipSim, RmOfAMachineWhoseVmIsGoneSaysSoAndLeavesTheUsersNamesake) {
    auto d = driver("myvm");
    d->configure(flags());
    d->create(spec("myvm"));
    std::string ours = machine::drivers::encode_record(d->record())["UUID"];
    auto saved = machine::drivers::encode_record(d->record());
    // Someone removes our VM in VirtualBox's GUI and makes their own "myvm" (first now).
    ASSERT_EQ(vbox({"controlvm", ours, "poweroff"}).exit_code, 0);
    ASSERT_EQ(vbox({"unregistervm", ours, "--delete"}).exit_code, 0);
    std::string user = make_users_vm("myvm");
    std::string before = snapshot(user);

    auto again = driver("myvm"); // as `machine rm` builds it from the record
    again->restore(machine::drivers::decode_record(saved));
    EXPECT_THROW(again->state(), DriverError);
    auto lines = again->remove();
    ASSERT_FALSE(lines.empty());
    EXPECT_EQ(lines[0],
              "VirtualBox VM {" + ours + "} was already gone: removed only machine's record of it");
    ASSERT_EQ(vms().size(), 1u);
    EXPECT_EQ(snapshot(user), before);
}

TEST_F(OwnershipSim, RecordFromBeforeUuidsAdoptsItsOwnVmAndNeverTheUsers) {
    // The user's VM comes first, so the name "myvm" means theirs to VirtualBox.
    std::string user = make_users_vm("myvm");
    std::string before = snapshot(user);
    // Our VM as a create before this change made it: same name, settings in the machine folder.
    fs::create_directories(machine_dir("myvm"));
    auto r = vbox(
        {"createvm", "--name", "myvm", "--basefolder", machine_dir("myvm").string(), "--register"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::string ours = *parse_created_vm_uuid(r.out);
    ASSERT_EQ(vbox({"startvm", ours, "--type", "headless"}).exit_code, 0);

    auto d = driver("myvm");
    d->restore(machine::drivers::decode_record(
        {{"IPAddress", "192.168.56.101"}, {"VMCreated", true}})); // no "UUID"
    EXPECT_EQ(d->state(), State::Running);
    EXPECT_EQ(machine::drivers::encode_record(d->record())["UUID"], ours);
    d->kill();
    EXPECT_THAT(snapshot(ours), HasSubstr("VMState=\"poweroff\""));
    d->remove();
    auto left = vms();
    ASSERT_EQ(left.size(), 1u);
    EXPECT_EQ(left[0].uuid, user);
    EXPECT_EQ(snapshot(user), before);

    // And a record from before UUIDs whose VM is gone never takes the user's in its place.
    auto stale = driver("myvm");
    stale->restore(
        machine::drivers::decode_record({{"IPAddress", "192.168.56.101"}, {"VMCreated", true}}));
    EXPECT_THROW(stale->kill(), DriverError);
    auto lines = stale->remove();
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_THAT(lines[0], HasSubstr("{" + user + "} left as it is: not made by machine"));
    EXPECT_EQ(snapshot(user), before);
}

} // namespace
} // namespace machine::drivers::virtualbox
