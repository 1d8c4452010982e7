// Every VBoxManage command line the driver can issue, asserted argument by argument against a
// recording fake runner.
#include "drivers/virtualbox/virtualbox_driver.h"

#include "driver_fixture.h"
#include "machine/support/error.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <set>
#include <unistd.h>

namespace machine::drivers::virtualbox {
namespace {

using testing::Args;
using testing::fail;
using testing::FakeRunner;
using ::testing::HasSubstr;
using testing::ok;
using namespace machine::drivers::virtualbox::testing;

TEST_F(VirtualBoxDriverTest, CreateIssuesTheWholeSequence) {
    m_runner.on({"hostonlyif", "create"}, {ok("Interface 'vboxnet0' was successfully created\n")});
    m_runner.on({"list", "dhcpservers"}, {ok(k_stale_dhcp)});
    auto d = driver();
    d->configure(flags());
    d->create(spec());

    // The MACs are derived from the machine's path: take them from the record, check the form.
    std::string nat_mac = machine::drivers::encode_record(d->record())["NatMACAddress"];
    std::string ho_mac = machine::drivers::encode_record(d->record())["HostOnlyMACAddress"];
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
    // The converted image goes to the store's cache, named after the source and its path.
    auto cmds = m_runner.commands();
    ASSERT_GE(cmds.size(), 3u);
    ASSERT_EQ(cmds[2].size(), 6u);
    fs::path cache_path = cmds[2][5].substr(0, cmds[2][5].rfind(".tmp"));
    EXPECT_EQ(cache_path.parent_path(), m_store / "cache" / "virtualbox");
    EXPECT_THAT(cache_path.filename().string(),
                ::testing::MatchesRegex("bundled-[0-9a-f]{16}\\.vdi"));
    std::string cache = cache_path.string();
    std::vector<Args> want = {
        {"VBoxManage", "--version"},
        {"VBoxManage", "list", "vms"},
        {"qemu-img", "convert", "-O", "vdi", m_base.string(),
         cache + ".tmp" + std::to_string(getpid())},
        {"VBoxManage", "list", "hostonlyifs"},
        {"VBoxManage", "hostonlyif", "create"},
        {"VBoxManage", "hostonlyif", "ipconfig", "vboxnet0", "--ip", "192.168.56.1", "--netmask",
         "255.255.255.0"},
        {"VBoxManage", "list", "dhcpservers"},
        {"VBoxManage", "dhcpserver", "remove", "--netname", "HostInterfaceNetworking-vboxnet0"},
        {"VBoxManage", "list", "vms"},
        {"VBoxManage", "createvm", "--name", "myvm", "--uuid", k_uuid, "--basefolder", m,
         "--register"},
        {"VBoxManage", "modifyvm", k_uuid, "--ostype",    "Linux26_64", "--firmware",
         "bios",       "--memory", "1024", "--cpus",      "1",          "--acpi",
         "on",         "--ioapic", "on",   "--rtcuseutc", "on",         "--pae",
         "on",         "--hpet",   "on",   "--hwvirtex",  "on",         "--nestedpaging",
         "on",         "--boot1",  "disk", "--boot2",     "dvd",        "--boot3",
         "none",       "--boot4",  "none"},
        {"VBoxManage", "modifyvm", k_uuid, "--nic1", "nat", "--nictype1", "82540EM",
         "--cableconnected1", "on", "--macaddress1", vbox_mac(nat_mac), "--natdnshostresolver1",
         "off", "--natdnsproxy1", "on"},
    };
    std::vector<Args> rest = {
        {"VBoxManage", "modifyvm", k_uuid, "--natpf1", "ssh,tcp,127.0.0.1,40022,,22"},
        {"VBoxManage", "modifyvm", k_uuid, "--nic2", "hostonly", "--hostonlyadapter2", "vboxnet0",
         "--nictype2", "82540EM", "--nicpromisc2", "deny", "--cableconnected2", "on",
         "--macaddress2", vbox_mac(ho_mac)},
        {"VBoxManage", "storagectl", k_uuid, "--name", "SATA", "--add", "sata", "--hostiocache",
         "on"},
        {"VBoxManage", "clonemedium", "disk", cache, m + "/disk.vdi", "--format", "VDI"},
        {"VBoxManage", "closemedium", "disk", cache},
        {"VBoxManage", "modifymedium", "disk", m + "/disk.vdi", "--resize", "20000"},
        {"VBoxManage", "storageattach", k_uuid, "--storagectl", "SATA", "--port", "0", "--device",
         "0", "--type", "hdd", "--medium", m + "/disk.vdi"},
        {"VBoxManage", "storageattach", k_uuid, "--storagectl", "SATA", "--port", "1", "--device",
         "0", "--type", "dvddrive", "--medium", m + "/seed.iso"},
        {"VBoxManage", "sharedfolder", "add", k_uuid, "--name", "share", "--hostpath",
         (m_root / "share").string(), "--automount"},
        {"VBoxManage", "setextradata", k_uuid,
         "VBoxInternal2/SharedFoldersEnableSymlinksCreate/share", "1"},
        {"VBoxManage", "startvm", k_uuid, "--type", "headless"},
    };
    want.insert(want.end(), rest.begin(), rest.end());
    EXPECT_EQ(m_runner.commands(), want);
    EXPECT_TRUE(fs::exists(cache)) << "the converted image is cached in the store";
    EXPECT_EQ(std::distance(fs::directory_iterator(m_base.parent_path()), {}), 1)
        << "nothing written beside the source image";
    EXPECT_EQ(machine::drivers::encode_record(d->record())["UUID"], k_uuid);

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
    EXPECT_TRUE(has({"startvm", k_uuid, "--type", "gui"}));
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
        {"VBoxManage", "storageattach", k_uuid, "--storagectl", "SATA", "--port", "0", "--device",
         "0", "--type", "hdd", "--medium", m + "/disk.vdi"},
        {"VBoxManage", "storageattach", k_uuid, "--storagectl", "SATA", "--port", "1", "--device",
         "0", "--type", "dvddrive", "--medium", m + "/seed.iso"},
    };
    EXPECT_EQ(storage, want);
}

TEST_F(VirtualBoxDriverTest, WithoutVBoxManageConfigureFailsAtOnceAndRunsNothing) {
    m_runner.missing.insert("VBoxManage");
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
    std::string nat_mac = machine::drivers::encode_record(d->record())["NatMACAddress"];
    std::string ho_mac = machine::drivers::encode_record(d->record())["HostOnlyMACAddress"];
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

TEST_F(Lifecycle, StateComesFromShowVmInfo) {
    m_runner.on(show()[0], {ok(vminfo("running")), ok(vminfo("poweroff")), fail(k_not_found)});
    auto d = created();
    EXPECT_EQ(d->state(), State::Running);
    EXPECT_EQ(d->state(), State::Stopped);
    try {
        d->state();
        FAIL() << "a vanished VM must not look fine";
    } catch (const DriverError& e) {
        EXPECT_THAT(e.what(),
                    HasSubstr("VirtualBox has no VM {" + k_uuid + "} of machine \"myvm\""));
    }
    EXPECT_EQ(m_runner.vbox(), std::vector<Args>(3, show()[0]));
}

TEST_F(Lifecycle, StopPressesThePowerButtonAndWaits) {
    m_runner.on(show()[0], {ok(vminfo("running")), ok(vminfo("running")), ok(vminfo("poweroff"))});
    created()->stop();
    std::vector<Args> want = {
        show()[0], {"controlvm", k_uuid, "acpipowerbutton"}, show()[0], show()[0]};
    EXPECT_EQ(m_runner.vbox(), want);
    EXPECT_EQ(m_sleeps, (std::vector<long>{1000})) << "polled at once, then every second";
}

TEST_F(Lifecycle, StopPowersOffAfterTheBoundedWait) {
    m_runner.on(show()[0], {ok(vminfo("running"))});
    created()->stop();
    auto cmds = m_runner.vbox();
    ASSERT_EQ(cmds.size(), 6u); // state, acpi, 3 polls, poweroff
    EXPECT_EQ(cmds[1], (Args{"controlvm", k_uuid, "acpipowerbutton"}));
    EXPECT_EQ(cmds.back(), (Args{"controlvm", k_uuid, "poweroff"}));
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
    EXPECT_EQ(m_runner.vbox(), (std::vector<Args>{show()[0], {"controlvm", k_uuid, "poweroff"}}));
}

TEST_F(Lifecycle, StartFindsTheNetworkAgainAndBoots) {
    m_runner.on(show()[0], {ok(vminfo("poweroff"))});
    m_runner.on({"list", "hostonlyifs"}, {ok(hostonlyif("vboxnet0", "192.168.56.1"))});
    auto d = created();
    d->start();
    std::vector<Args> want = {show()[0],
                              {"list", "hostonlyifs"},
                              {"list", "dhcpservers"},
                              {"startvm", k_uuid, "--type", "headless"}};
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
                              {"modifyvm", k_uuid, "--hostonlyadapter2", "vboxnet1"},
                              {"startvm", k_uuid, "--type", "headless"}};
    EXPECT_EQ(m_runner.vbox(), want);
}

TEST_F(Lifecycle, StartResumesAPausedVm) {
    m_runner.on(show()[0], {ok(vminfo("paused"))});
    created()->start();
    EXPECT_EQ(m_runner.vbox(), (std::vector<Args>{show()[0], {"controlvm", k_uuid, "resume"}}));
}

TEST_F(Lifecycle, RemovePowersOffAndUnregistersWithDelete) {
    m_runner.on(show()[0], {ok(vminfo("running"))});
    auto lines = created()->remove();
    std::vector<Args> want = {
        show()[0], {"controlvm", k_uuid, "poweroff"}, {"unregistervm", k_uuid, "--delete"}};
    EXPECT_EQ(m_runner.vbox(), want);
    EXPECT_EQ(lines,
              (std::vector<std::string>{"VirtualBox VM myvm {" + k_uuid + "} and its disk"}));
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
    EXPECT_EQ(lines, (std::vector<std::string>{
                         "VirtualBox VM {" + k_uuid +
                             "} was already gone: removed only machine's record of it",
                         "disk " + (m_mdir / "disk.vdi").string()}));
    EXPECT_FALSE(fs::exists(m_mdir / "disk.vdi")) << "removed even when VirtualBox can't";
}

TEST_F(Lifecycle, RemoveOfAVmAlreadyGoneSaysSoAndTouchesNothingElse) {
    m_runner.on(show()[0], {fail(k_not_found)});
    EXPECT_EQ(created()->remove(), (std::vector<std::string>{
                                       "VirtualBox VM {" + k_uuid +
                                       "} was already gone: removed only machine's record of it"}));
    EXPECT_EQ(m_runner.vbox(), show()) << "no lookup by name, no unregistervm";
}

TEST_F(Lifecycle, LockErrorsAreRetriedWithBackoff) {
    m_runner.on(show()[0], {ok(vminfo("poweroff"))});
    m_runner.on({"list", "hostonlyifs"}, {ok(hostonlyif("vboxnet0", "192.168.56.1"))});
    m_runner.on({"startvm", k_uuid, "--type", "headless"}, {fail(k_locked), fail(k_locked), ok()});
    created()->start();
    auto cmds = m_runner.vbox();
    EXPECT_EQ(std::count(cmds.begin(), cmds.end(), Args{"startvm", k_uuid, "--type", "headless"}),
              3);
    EXPECT_EQ(m_sleeps, (std::vector<long>{500, 1000}));
}

TEST_F(Lifecycle, LockErrorsGiveUpAfterBoundedAttempts) {
    m_runner.on(show()[0], {ok(vminfo("running"))});
    m_runner.on({"controlvm", k_uuid, "poweroff"}, {fail(k_locked)});
    try {
        created()->kill();
        FAIL() << "endless lock accepted";
    } catch (const VBoxManageError& e) {
        EXPECT_EQ(e.code(), "VBOX_E_INVALID_OBJECT_STATE");
        EXPECT_THAT(e.what(), HasSubstr("VBoxManage controlvm " + k_uuid +
                                        " poweroff failed: The machine "
                                        "'myvm' is already locked by a session"));
    }
    EXPECT_EQ(m_sleeps, (std::vector<long>{500, 1000, 2000, 4000}));
}

TEST_F(Lifecycle, ErrorOnStderrAtExitZeroIsAFailure) {
    m_runner.on(show()[0], {ok(vminfo("poweroff"))});
    m_runner.on({"list", "hostonlyifs"}, {ok(hostonlyif("vboxnet0", "192.168.56.1"))});
    auto vtx = ok();
    vtx.err = "VBoxManage: error: VT-x is not available (VERR_VMX_NO_VMX)\n";
    m_runner.on({"startvm", k_uuid, "--type", "headless"}, {vtx});
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
    auto j = machine::drivers::encode_record(d->record());
    EXPECT_EQ(j["IPAddress"], "192.168.56.101");
    EXPECT_EQ(j["SSHUser"], "docker");
    EXPECT_EQ(j["Memory"], 2048);
    EXPECT_EQ(j["MachineName"], "myvm");
    auto e = driver();
    e->restore(machine::drivers::decode_record(j));
    EXPECT_EQ(machine::drivers::encode_record(e->record()), j);
    EXPECT_EQ(e->seed_network_config(), d->seed_network_config());
}

TEST(VBoxManageSerial, CallsFromManyThreadsNeverOverlap) {
    FakeRunner runner;
    runner.delay_ms = 5;
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
    EXPECT_EQ(runner.max_in_flight.load(), 1);
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

TEST_F(VirtualBoxDriverTest, ConfigureOnAFreshStoreMakesOnlyTheAddressLockAndClaim) {
    fs::remove_all(m_store); // the first create of a new user: no store folder yet
    auto d = driver();
    d->configure(flags());
    EXPECT_EQ(m_runner.commands(),
              (std::vector<Args>{{"VBoxManage", "--version"}, {"VBoxManage", "list", "vms"}}));
    std::set<fs::path> made;
    for (const auto& e : fs::recursive_directory_iterator(m_store))
        made.insert(e.path());
    fs::path locks = m_store / "locks";
    EXPECT_EQ(made,
              (std::set<fs::path>{locks, locks / "virtualbox-ip.lock", locks / "virtualbox-ips",
                                  locks / "virtualbox-ips" / "192.168.56.101"}));
    EXPECT_FALSE(fs::exists(m_store / "vbox.lock")) << "no VBoxManage lock before the store";
    EXPECT_EQ(d->ip(), "192.168.56.101");
}

} // namespace
} // namespace machine::drivers::virtualbox
