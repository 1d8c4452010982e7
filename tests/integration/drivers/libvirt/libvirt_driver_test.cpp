// LibvirtDriver against libvirt's test:///default hypervisor (in-process, no daemon). The test
// driver keeps one in-memory state while any connection to it is open, so each test holds its
// own "observer" connection for the whole scenario and inspects what the driver did through it.
#include "drivers/libvirt/connection.h"
#include "drivers/libvirt/libvirt_driver.h"
#include "drivers/libvirt/network_xml.h"
#include "machine/support/error.h"
#include "machine/support/log.h"
#include "tests/fakes/fake_runner.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>

namespace machine::drivers::libvirt {
namespace {

// Records every command; answers `qemu-img info` and makes the overlay file on `qemu-img create`.
struct QemuImg : testing::FakeRunner {
    QemuImg() {
        fallback = testing::fail("unexpected program", 127);
        on({"qemu-img", "info"}, {testing::ok(R"({"format": "qcow2", "virtual-size": 2147483648})")});
        on({"qemu-img", "create"}, [](const support::ProcessSpec& spec) {
            std::ofstream(spec.args.at(7)) << "overlay";
            return testing::ok();
        });
    }
};

bool contains(const std::vector<std::string>& lines, const std::string& line) {
    return std::find(lines.begin(), lines.end(), line) != lines.end();
}

class LibvirtDriverTest : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/machine-libvirt-test-XXXXXX";
        ASSERT_TRUE(mkdtemp(tmpl));
        root = tmpl;
        image = root / "base.qcow2";
        std::ofstream(image) << "base";
        observer = open_connection("test:///default");
    }
    void TearDown() override { fs::remove_all(root); }

    // A machine folder with a seed, and a driver configured for test:///default.
    std::unique_ptr<LibvirtDriver> make_driver(const std::string& name) {
        fs::create_directories(root / name);
        std::ofstream(root / name / "seed.iso") << "seed";
        auto d = std::make_unique<LibvirtDriver>(
            DriverContext{name, root / name, root, &runner},
            LibvirtOptions{std::chrono::milliseconds(2000), std::chrono::milliseconds(10)});
        d->configure(FlagValues(LibvirtDriver::create_flags(),
                                {{"libvirt-uri", {"test:///default"}},
                                 {"libvirt-accel", {"tcg"}}}));
        return d;
    }

    CreateSpec spec_for(const std::string& name) {
        return {name, root / name, root / name / "id_ed25519", image, root / name / "seed.iso"};
    }

    std::optional<NetworkInfo> network(const std::string& name = "machine") {
        NetworkPtr net(virNetworkLookupByName(observer.get(), name.c_str()));
        if (!net)
            return std::nullopt;
        char* x = virNetworkGetXMLDesc(net.get(), 0);
        auto info = parse_network_xml(x);
        std::free(x);
        return info;
    }

    bool domain_exists(const std::string& name) {
        DomainPtr d(virDomainLookupByName(observer.get(), name.c_str()));
        return d != nullptr;
    }

    fs::path root;
    fs::path image;
    QemuImg runner;
    ConnectPtr observer;
};

TEST_F(LibvirtDriverTest, CreateMakesNetworkReservationOverlayAndRunningDomain) {
    auto d = make_driver("myvm1");
    d->create(spec_for("myvm1"));

    EXPECT_EQ(d->state(), State::Running);
    EXPECT_EQ(d->ip(), "192.168.42.2");  // test:///default's own network is 192.168.122.0/24
    EXPECT_EQ(d->mac().rfind("52:54:00:", 0), 0u);

    auto net = network();
    ASSERT_TRUE(net);
    EXPECT_TRUE(net->made_by_machine);
    EXPECT_EQ(net->address, "192.168.42.1");
    ASSERT_EQ(net->hosts.size(), 1u);
    EXPECT_EQ(net->hosts[0].mac, d->mac());
    EXPECT_EQ(net->hosts[0].ip, "192.168.42.2");
    EXPECT_EQ(net->hosts[0].name, "myvm1");

    ASSERT_EQ(runner.ran.size(), 2u);
    EXPECT_EQ(runner.ran[1].args,
              (std::vector<std::string>{"create", "-f", "qcow2", "-F", "qcow2", "-b",
                                        image.string(), (root / "myvm1" / "disk.qcow2").string(),
                                        "20000000000"}));
    EXPECT_TRUE(fs::exists(root / "myvm1" / "disk.qcow2"));

    auto j = machine::drivers::encode_record(d->record());
    EXPECT_EQ(j["IPAddress"], "192.168.42.2");
    EXPECT_EQ(j["MachineName"], "myvm1");
    EXPECT_EQ(j["SSHUser"], "docker");
    EXPECT_EQ(j["SSHPort"], 22);
    EXPECT_EQ(j["MAC"], d->mac());
    EXPECT_EQ(j["NetworkCreated"], true);
    EXPECT_EQ(j["Accel"], "tcg");
    EXPECT_EQ(j["DiskPath"], (root / "myvm1" / "disk.qcow2").string());
    auto ep = d->ssh_endpoint();
    EXPECT_EQ(ep.host, "192.168.42.2");
    EXPECT_EQ(ep.user, "docker");
    EXPECT_EQ(ep.key_path, root / "myvm1" / "id_ed25519");
}

TEST_F(LibvirtDriverTest, DebugShowsTheNetworkAndDomainXml) {
    auto d = make_driver("myvm1");
    support::set_debug(true);
    ::testing::internal::CaptureStderr();
    d->create(spec_for("myvm1"));
    const std::string err = ::testing::internal::GetCapturedStderr();
    support::set_debug(false);
    EXPECT_NE(err.find("debug: libvirt network XML:\n<network>"), std::string::npos) << err;
    EXPECT_NE(err.find("debug: libvirt domain XML:\n<domain type='qemu'>"), std::string::npos)
        << err;
    EXPECT_NE(err.find("<mac address='" + d->mac() + "'/>"), std::string::npos);
}

TEST_F(LibvirtDriverTest, LifecycleKeepsTheAddress) {
    auto d = make_driver("myvm1");
    d->create(spec_for("myvm1"));
    d->stop();
    EXPECT_EQ(d->state(), State::Stopped);
    d->stop();  // already stopped: nothing to do
    d->start();
    EXPECT_EQ(d->state(), State::Running);
    EXPECT_EQ(d->ip(), "192.168.42.2");
    d->kill();
    EXPECT_EQ(d->state(), State::Stopped);
    d->restart();
    EXPECT_EQ(d->state(), State::Running);
    d->start();  // already running: nothing to do
    EXPECT_EQ(d->state(), State::Running);
    DomainPtr dom(virDomainLookupByName(observer.get(), "myvm1"));
    ASSERT_EQ(virDomainSuspend(dom.get()), 0);
    EXPECT_EQ(d->state(), State::Paused);
    d->start();  // paused: resumes
    EXPECT_EQ(d->state(), State::Running);
}

TEST_F(LibvirtDriverTest, RestoredDriverSeesTheSameMachine) {
    auto d = make_driver("myvm1");
    d->create(spec_for("myvm1"));
    LibvirtDriver restored(DriverContext{"myvm1", root / "myvm1", root, &runner});
    restored.restore(machine::drivers::decode_record(machine::drivers::encode_record(d->record())));
    EXPECT_EQ(machine::drivers::encode_record(restored.record()),
              machine::drivers::encode_record(d->record()));
    EXPECT_EQ(restored.state(), State::Running);
    EXPECT_EQ(restored.ip(), "192.168.42.2");
    restored.kill();
    EXPECT_EQ(d->state(), State::Stopped);
}

TEST_F(LibvirtDriverTest, StartRestoresAMissingReservation) {
    auto d = make_driver("myvm1");
    d->create(spec_for("myvm1"));
    d->kill();
    NetworkPtr net(virNetworkLookupByName(observer.get(), "machine"));
    const std::string host = dhcp_host_xml({d->mac(), "192.168.42.2", "myvm1"});
    ASSERT_EQ(virNetworkUpdate(net.get(), VIR_NETWORK_UPDATE_COMMAND_DELETE,
                               VIR_NETWORK_SECTION_IP_DHCP_HOST, -1, host.c_str(),
                               VIR_NETWORK_UPDATE_AFFECT_LIVE | VIR_NETWORK_UPDATE_AFFECT_CONFIG),
              0);
    ASSERT_TRUE(network()->hosts.empty());
    d->start();
    ASSERT_EQ(network()->hosts.size(), 1u);
    EXPECT_EQ(network()->hosts[0].ip, "192.168.42.2");
}

TEST_F(LibvirtDriverTest, WithoutItsReservationIpFallsBackToTheLease) {
    auto d = make_driver("myvm1");
    d->create(spec_for("myvm1"));
    NetworkPtr net(virNetworkLookupByName(observer.get(), "machine"));
    const std::string host = dhcp_host_xml({d->mac(), "192.168.42.2", "myvm1"});
    ASSERT_EQ(virNetworkUpdate(net.get(), VIR_NETWORK_UPDATE_COMMAND_DELETE,
                               VIR_NETWORK_SECTION_IP_DHCP_HOST, -1, host.c_str(),
                               VIR_NETWORK_UPDATE_AFFECT_LIVE | VIR_NETWORK_UPDATE_AFFECT_CONFIG),
              0);
    // The test driver makes up a lease on the network's subnet for a running domain.
    const std::string ip = d->ip();
    EXPECT_TRUE(in_subnet(ip, "192.168.42.1", "255.255.255.0")) << ip;
    EXPECT_NE(ip, "192.168.42.2");
    d->kill();
    EXPECT_EQ(d->ip(), "192.168.42.2");  // no guest, no lease: the record
}

TEST_F(LibvirtDriverTest, RemoveCleansEverythingAndIsRepeatable) {
    auto d = make_driver("myvm1");
    d->create(spec_for("myvm1"));
    auto lines = d->remove();
    EXPECT_TRUE(contains(lines, "removed domain myvm1"));
    EXPECT_TRUE(contains(lines, "removed DHCP reservation 192.168.42.2"));
    EXPECT_TRUE(contains(lines, "removed network machine"));
    EXPECT_TRUE(contains(lines, "removed " + (root / "myvm1" / "disk.qcow2").string()));
    EXPECT_FALSE(domain_exists("myvm1"));
    EXPECT_FALSE(network());
    EXPECT_FALSE(fs::exists(root / "myvm1" / "disk.qcow2"));
    EXPECT_FALSE(fs::exists(root / "myvm1" / "seed.iso"));
    EXPECT_THROW(d->state(), NotFound);

    lines = d->remove();
    EXPECT_TRUE(contains(lines, "domain myvm1 was already gone"));
    EXPECT_TRUE(contains(lines, "network machine was already gone"));
}

TEST_F(LibvirtDriverTest, NetworkStaysWhileAnotherMachineUsesIt) {
    auto a = make_driver("myvm1");
    a->create(spec_for("myvm1"));
    auto b = make_driver("myvm2");
    b->create(spec_for("myvm2"));
    EXPECT_EQ(b->ip(), "192.168.42.3");
    EXPECT_NE(a->mac(), b->mac());
    EXPECT_EQ(machine::drivers::encode_record(b->record())["NetworkCreated"], false);

    auto lines = a->remove();
    EXPECT_FALSE(contains(lines, "removed network machine"));
    ASSERT_TRUE(network());
    ASSERT_EQ(network()->hosts.size(), 1u);
    EXPECT_EQ(network()->hosts[0].name, "myvm2");
    EXPECT_EQ(b->state(), State::Running);

    // The network goes with the last machine, whichever one made it.
    lines = b->remove();
    EXPECT_TRUE(contains(lines, "removed network machine"));
    EXPECT_FALSE(network());
}

TEST_F(LibvirtDriverTest, RemoveOfHalfCreatedMachineFindsItsPartsByName) {
    // A create killed after the domain was defined but before config.json got the MAC.
    auto d = make_driver("myvm1");
    d->create(spec_for("myvm1"));
    LibvirtDriver fresh(DriverContext{"myvm1", root / "myvm1", root, &runner});
    fresh.restore(
        machine::drivers::decode_record({{"URI", "test:///default"}, {"MachineName", "myvm1"}}));
    auto lines = fresh.remove();
    EXPECT_TRUE(contains(lines, "removed domain myvm1"));
    EXPECT_TRUE(contains(lines, "removed DHCP reservation 192.168.42.2"));
    EXPECT_TRUE(contains(lines, "removed network machine"));
    EXPECT_FALSE(domain_exists("myvm1"));
}

TEST_F(LibvirtDriverTest, RemoveOfAlreadyGoneMachineSucceeds) {
    LibvirtDriver d(DriverContext{"ghost", root / "ghost", root, &runner});
    d.restore(machine::drivers::decode_record({{"URI", "test:///default"},
                                               {"MachineName", "ghost"},
                                               {"MAC", "52:54:00:01:02:03"},
                                               {"IPAddress", "192.168.42.9"},
                                               {"Network", "default"}}));
    auto lines = d.remove();
    EXPECT_TRUE(contains(lines, "domain ghost was already gone"));
    EXPECT_TRUE(contains(lines, "DHCP reservation 192.168.42.9 was already gone"));
    // libvirt's own network (no marker) is never removed.
    EXPECT_FALSE(contains(lines, "removed network default"));
    EXPECT_TRUE(network("default"));
}

TEST_F(LibvirtDriverTest, ForeignDomainWithTheSameNameIsRefusedAndLeftAlone) {
    // test:///default ships a domain named "test".
    ASSERT_TRUE(domain_exists("test"));
    auto d = make_driver("test");
    try {
        d->create(spec_for("test"));
        FAIL() << "create over an existing domain succeeded";
    } catch (const DriverError& e) {
        EXPECT_EQ(std::string(e.what()), "a libvirt domain named test already exists at "
                                          "test:///default");
    }
    EXPECT_FALSE(network());  // nothing was made
    auto lines = d->remove();
    EXPECT_TRUE(domain_exists("test"));
    EXPECT_NE(lines.front().find("left libvirt domain test alone"), std::string::npos);
}

TEST_F(LibvirtDriverTest, MissingBaseImageIsAUsageErrorAndChangesNothing) {
    auto d = make_driver("myvm1");
    auto spec = spec_for("myvm1");
    spec.base_image = root / "nope.qcow2";
    EXPECT_THROW(d->create(spec), UsageError);
    EXPECT_FALSE(network());
    EXPECT_TRUE(runner.ran.empty());
}

TEST_F(LibvirtDriverTest, StateOfMissingDomainIsNotFound) {
    auto d = make_driver("nosuch");
    try {
        d->state();
        FAIL();
    } catch (const NotFound& e) {
        EXPECT_EQ(std::string(e.what()), "libvirt domain nosuch does not exist at test:///default");
    }
}

} // namespace
} // namespace machine::drivers::libvirt
