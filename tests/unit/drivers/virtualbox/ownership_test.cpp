// The VirtualBox driver touches only what it made (issue 10): VMs by the UUID it recorded, a
// user's VM with the machine's name left alone, records from before UUIDs adopted only when the
// VM's settings are in the machine's folder, host-only addresses chosen under the store's lock,
// converted images cached in the store.
#include "drivers/virtualbox/virtualbox_driver.h"

#include "driver_fixture.h"
#include "machine/support/error.h"
#include "machine/support/fs.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace machine::drivers::virtualbox {
namespace {

using ::testing::HasSubstr;
using namespace machine::drivers::virtualbox::testing;

const std::string k_legacy_uuid = "a1b2c3d4-0000-4000-8000-00000000beef";

std::string vm_list(const std::vector<std::pair<std::string, std::string>>& vms) {
    std::string out;
    for (const auto& [name, uuid] : vms)
        out += "\"" + name + "\" {" + uuid + "}\n";
    return out;
}

std::string info(const std::string& uuid, const fs::path& cfg, const std::string& state) {
    return "name=\"myvm\"\nEncryption:     disabled\nUUID=\"" + uuid + "\"\nCfgFile=\"" +
           cfg.string() + "\"\nVMState=\"" + state + "\"\n";
}

class Ownership : public VirtualBoxDriverTest {
protected:
    void SetUp() override {
        VirtualBoxDriverTest::SetUp();
        m_runner.on({"list", "hostonlyifs"}, {ok(hostonlyif("vboxnet0", "192.168.56.1"))});
    }
    fs::path user_cfg() const { return m_root / "home" / "VirtualBox VMs" / "myvm" / "myvm.vbox"; }
    // A record written before UUIDs: no "UUID" key.
    std::unique_ptr<VirtualBoxDriver> legacy() {
        auto d = driver();
        d->restore(machine::drivers::decode_record({{"IPAddress", "192.168.56.101"},
                                                    {"SSHPort", 40022},
                                                    {"HostOnlyAdapter", "vboxnet0"},
                                                    {"VMCreated", true}}));
        return d;
    }
    bool ran(const std::string& sub) const {
        for (const auto& c : m_runner.vbox())
            if (!c.empty() && c[0] == sub)
                return true;
        return false;
    }
};

TEST_F(Ownership, ConfigureRefusesANameVirtualBoxAlreadyHasAndChangesNothing) {
    m_runner.on({"list", "vms"}, {ok(vm_list({{"other", k_legacy_uuid}, {"myvm", k_user_uuid}}))});
    try {
        driver()->configure(flags());
        FAIL() << "configured over a user's VM of the same name";
    } catch (const UsageError& e) {
        EXPECT_EQ(e.exit_code(), k_exit_usage);
        EXPECT_EQ(std::string(e.what()),
                  "VirtualBox already has a VM named \"myvm\" ({" + k_user_uuid +
                      "}), not made by machine; it is left as it is: pick another machine name");
    }
    EXPECT_EQ(m_runner.vbox(), (std::vector<Args>{{"--version"}, {"list", "vms"}}));
    EXPECT_FALSE(fs::exists(m_store / "locks")) << "refused before the address lock";
}

TEST_F(Ownership, CreateRefusesANameThatAppearedSinceConfigureBeforeCreatingAVm) {
    m_runner.on({"list", "vms"}, {ok(""), ok(vm_list({{"myvm", k_user_uuid}}))});
    auto d = driver();
    d->configure(flags());
    EXPECT_THROW(d->create(spec()), DriverError);
    EXPECT_FALSE(ran("createvm"));
    for (const auto& c : m_runner.vbox())
        for (const auto& a : c)
            EXPECT_NE(a, k_user_uuid) << "the user's VM was named in a command";
    EXPECT_FALSE(machine::drivers::encode_record(d->record())["VMCreated"].get<bool>());
}

TEST_F(Ownership, CreateKeepsTheUuidCreatevmReturns) {
    // VirtualBox honours --uuid; if it ever answered with another UUID, that one is the VM's.
    m_runner.on({"createvm", "--name", "myvm", "--uuid", k_uuid, "--basefolder", m_mdir.string(),
                 "--register"},
                {ok(created_vm(k_legacy_uuid, m_mdir / "myvm" / "myvm.vbox"))});
    auto d = driver();
    d->configure(flags({{"virtualbox-no-share", {"true"}}}));
    EXPECT_EQ(machine::drivers::encode_record(d->record())["UUID"], k_uuid)
        << "chosen before the first save";
    d->create(spec());
    EXPECT_EQ(machine::drivers::encode_record(d->record())["UUID"], k_legacy_uuid);
    EXPECT_EQ(m_runner.vbox().back(), (Args{"startvm", k_legacy_uuid, "--type", "headless"}));
}

TEST_F(Ownership, LegacyRecordAdoptsTheVmWhoseSettingsAreInTheMachineFolder) {
    m_runner.on({"list", "vms"}, {ok(vm_list({{"myvm", k_user_uuid}, {"myvm", k_legacy_uuid}}))});
    m_runner.on({"showvminfo", k_user_uuid, "--machinereadable"},
                {ok(info(k_user_uuid, user_cfg(), "running"))});
    m_runner.on({"showvminfo", k_legacy_uuid, "--machinereadable"},
                {ok(info(k_legacy_uuid, m_mdir / "myvm" / "myvm.vbox", "running"))});
    auto d = legacy();
    d->kill();
    std::vector<Args> want = {{"list", "vms"},
                              {"showvminfo", k_user_uuid, "--machinereadable"},
                              {"showvminfo", k_legacy_uuid, "--machinereadable"},
                              {"showvminfo", k_legacy_uuid, "--machinereadable"},
                              {"controlvm", k_legacy_uuid, "poweroff"}};
    EXPECT_EQ(m_runner.vbox(), want);
    EXPECT_EQ(machine::drivers::encode_record(d->record())["UUID"], k_legacy_uuid)
        << "recorded by the command's save";
    m_runner.clear();
    d->state();
    EXPECT_EQ(m_runner.vbox(),
              (std::vector<Args>{{"showvminfo", k_legacy_uuid, "--machinereadable"}}))
        << "looked up by name only once";
}

TEST_F(Ownership, LegacyRemoveLeavesAUsersNamesakeAloneAndSaysSo) {
    m_runner.on({"list", "vms"}, {ok(vm_list({{"myvm", k_user_uuid}}))});
    m_runner.on({"showvminfo", k_user_uuid, "--machinereadable"},
                {ok(info(k_user_uuid, user_cfg(), "running"))});
    auto d = legacy();
    EXPECT_THROW(
        {
            try {
                d->state();
            } catch (const DriverError& e) {
                EXPECT_THAT(e.what(), HasSubstr("is not the one machine created"));
                throw;
            }
        },
        DriverError);
    auto lines = d->remove();
    EXPECT_EQ(lines, (std::vector<std::string>{"VirtualBox VM \"myvm\" {" + k_user_uuid +
                                               "} left as it is: not made by machine (its "
                                               "settings are in " +
                                               user_cfg().string() + ")"}));
    EXPECT_EQ(
        m_runner.vbox(),
        (std::vector<Args>{{"list", "vms"}, {"showvminfo", k_user_uuid, "--machinereadable"}}));
    EXPECT_EQ(machine::drivers::encode_record(d->record())["UUID"], "");
}

TEST_F(Ownership, ImportedRecordAdoptsTheVmWhoseSettingsAreInItsVmFolder) {
    // `machine import --from-docker-machine`: docker-machine's createvm put the VM's settings in
    // its own machine folder, which the record names as VMFolder.
    fs::path dm = m_root / "docker-machine" / "machines" / "myvm";
    m_runner.on({"list", "vms"}, {ok(vm_list({{"myvm", k_user_uuid}, {"myvm", k_legacy_uuid}}))});
    m_runner.on({"showvminfo", k_user_uuid, "--machinereadable"},
                {ok(info(k_user_uuid, user_cfg(), "running"))});
    m_runner.on({"showvminfo", k_legacy_uuid, "--machinereadable"},
                {ok(info(k_legacy_uuid, dm / "myvm" / "myvm.vbox", "poweroff"))});
    auto d = driver();
    d->restore(machine::drivers::decode_record(
        {{"IPAddress", "192.168.99.100"}, {"VMFolder", dm.string()}}));
    EXPECT_EQ(d->state(), State::Stopped);
    d->remove();
    EXPECT_EQ(m_runner.vbox().back(), (Args{"unregistervm", k_legacy_uuid, "--delete"}));
    for (const auto& c : m_runner.vbox()) {
        if (c[0] != "showvminfo") {
            for (const auto& arg : c)
                EXPECT_NE(arg, k_user_uuid);
        }
    }
}

TEST_F(Ownership, LegacyRecordWhoseVmIsGoneRemovesOnlyTheRecord) {
    m_runner.on({"list", "vms"}, {ok("")});
    EXPECT_EQ(legacy()->remove(),
              (std::vector<std::string>{
                  "VirtualBox VM \"myvm\" was already gone: removed only machine's record of it"}));
    EXPECT_EQ(m_runner.vbox(), (std::vector<Args>{{"list", "vms"}}));
}

TEST_F(Ownership, ARecordedUuidThatIsNotAUuidIsRefused) {
    // A name there would let a hand-edited record point machine at any VM.
    EXPECT_THROW(driver()->restore(machine::drivers::decode_record({{"UUID", "someones-vm"}})),
                 StoreError);
}

TEST_F(Ownership, AddressesClaimedBeforeTheFirstSaveAreNotChosenTwice) {
    fs::path claims = m_store / "locks" / "virtualbox-ips";
    auto other = [&](const std::string& name) {
        fs::create_directories(m_store / "machines" / name);
        return std::make_unique<VirtualBoxDriver>(
            DriverContext{name, m_store / "machines" / name, m_store, &m_runner}, m_env);
    };
    auto a = driver();
    a->configure(flags({{"virtualbox-no-share", {"true"}}}));
    EXPECT_EQ(a->ip(), "192.168.56.101");
    EXPECT_EQ(support::read_file(claims / "192.168.56.101"),
              std::to_string(::getpid()) + " myvm\n");
    // A second create before the first saved its record: the claim keeps .101 taken.
    auto b = other("b");
    b->configure(flags({{"virtualbox-no-share", {"true"}}}));
    EXPECT_EQ(b->ip(), "192.168.56.102");

    write_machine("myvm", a->ip()); // the pipeline's first save
    a->create(spec());
    EXPECT_FALSE(fs::exists(claims / "192.168.56.101")) << "the record holds it now";
    auto c = other("c");
    c->configure(flags({{"virtualbox-no-share", {"true"}}}));
    EXPECT_EQ(c->ip(), "192.168.56.103") << ".101 in a's record, .102 claimed by b";

    b.reset(); // a create that failed before its first save gives its address back
    EXPECT_FALSE(fs::exists(claims / "192.168.56.102"));
    // A claim of a process that is gone (killed before its save) is dropped.
    std::ofstream(claims / "192.168.56.104") << "2147483646 ghost\n";
    auto d = other("d");
    d->configure(flags({{"virtualbox-no-share", {"true"}}}));
    EXPECT_EQ(d->ip(), "192.168.56.102");
    auto e = other("e");
    e->configure(flags({{"virtualbox-no-share", {"true"}}}));
    EXPECT_EQ(e->ip(), "192.168.56.104");
    EXPECT_EQ(support::read_file(claims / "192.168.56.104"), std::to_string(::getpid()) + " e\n");
}

TEST_F(Ownership, UserQcow2IsConvertedIntoTheStoreNeverBesideIt) {
    fs::path user_dir = m_root / "user-images";
    fs::create_directories(user_dir);
    std::ofstream(user_dir / "mine.qcow2") << "qcow2";
    auto d = driver();
    d->configure(flags({{"virtualbox-no-share", {"true"}},
                        {"virtualbox-image", {(user_dir / "mine.qcow2").string()}}}));
    d->create(spec());
    std::vector<fs::path> beside;
    for (const auto& e : fs::directory_iterator(user_dir))
        beside.push_back(e.path());
    EXPECT_EQ(beside, (std::vector<fs::path>{user_dir / "mine.qcow2"}));
    std::vector<fs::path> cached;
    for (const auto& e : fs::directory_iterator(m_store / "cache" / "virtualbox"))
        cached.push_back(e.path());
    ASSERT_EQ(cached.size(), 1u);
    EXPECT_THAT(cached[0].filename().string(), ::testing::MatchesRegex("mine-[0-9a-f]{16}\\.vdi"));
    auto cmds = m_runner.vbox();
    auto has = [&](const Args& a) { return std::find(cmds.begin(), cmds.end(), a) != cmds.end(); };
    EXPECT_TRUE(has({"clonemedium", "disk", cached[0].string(), (m_mdir / "disk.vdi").string(),
                     "--format", "VDI"}));
    EXPECT_TRUE(has({"closemedium", "disk", cached[0].string()}))
        << "the converted copy is ours: not left registered";
}

} // namespace
} // namespace machine::drivers::virtualbox
