#include "drivers/libvirt/domain_xml.h"

#include <gtest/gtest.h>

namespace machine::drivers::libvirt {
namespace {

DomainSpec sample() {
    DomainSpec s;
    s.name = "myvm1";
    s.memory_mib = 1024;
    s.cpus = 3;
    s.disk_path = "/store/machines/myvm1/disk.qcow2";
    s.seed_path = "/store/machines/myvm1/seed.iso";
    s.network = "machine";
    s.mac = "52:54:00:aa:bb:cc";
    s.console_log = "/store/machines/myvm1/console.log";
    return s;
}

bool has(const std::string& xml, const std::string& part) {
    return xml.find(part) != std::string::npos;
}

TEST(DomainXml, TcgDomainHasQemuTypeAndNoHostCpu) {
    const std::string xml = domain_xml(sample());
    EXPECT_TRUE(has(xml, "<domain type='qemu'>"));
    EXPECT_FALSE(has(xml, "host-passthrough"));
    EXPECT_TRUE(has(xml, "<name>myvm1</name>"));
    EXPECT_TRUE(has(xml, "<memory unit='MiB'>1024</memory>"));
    EXPECT_TRUE(has(xml, "<vcpu>3</vcpu>"));
    EXPECT_TRUE(has(xml, "<boot dev='hd'/>"));
}

TEST(DomainXml, KvmDomainUsesHostPassthrough) {
    auto s = sample();
    s.kvm = true;
    const std::string xml = domain_xml(s);
    EXPECT_TRUE(has(xml, "<domain type='kvm'>"));
    EXPECT_TRUE(has(xml, "<cpu mode='host-passthrough'/>"));
}

TEST(DomainXml, DevicesDiskSeedNicSerialRng) {
    const std::string xml = domain_xml(sample());
    EXPECT_TRUE(has(xml, "<driver name='qemu' type='qcow2'/>\n"
                         "      <source file='/store/machines/myvm1/disk.qcow2'/>\n"
                         "      <target dev='vda' bus='virtio'/>"));
    EXPECT_FALSE(has(xml, "cdrom")) << "the seed is a virtio disk, not a SATA cdrom";
    EXPECT_TRUE(has(xml, "<driver name='qemu' type='raw'/>\n"
                         "      <source file='/store/machines/myvm1/seed.iso'/>\n"
                         "      <target dev='vdb' bus='virtio'/>\n      <readonly/>"));
    EXPECT_TRUE(has(xml, "<source path='/store/machines/myvm1/console.log'/>"));
    EXPECT_TRUE(has(xml, "<rng model='virtio'>"));
    auto ifaces = parse_domain_interfaces(xml);
    ASSERT_EQ(ifaces.size(), 1u);
    EXPECT_EQ(ifaces[0].network, "machine");
    EXPECT_EQ(ifaces[0].mac, "52:54:00:aa:bb:cc");
    EXPECT_EQ(parse_domain_disk_files(xml),
              (std::vector<std::string>{"/store/machines/myvm1/disk.qcow2",
                                        "/store/machines/myvm1/seed.iso"}));
}

TEST(DomainXml, NoSeedMeansNoSeedDisk) {
    auto s = sample();
    s.seed_path.clear();
    EXPECT_FALSE(has(domain_xml(s), "vdb"));
    EXPECT_FALSE(has(domain_xml(s), "type='raw'"));
}

TEST(DomainXml, PathsAreEscaped) {
    auto s = sample();
    s.disk_path = "/tmp/it's & <odd>/disk.qcow2";
    const std::string xml = domain_xml(s);
    EXPECT_FALSE(has(xml, "it's"));
    EXPECT_EQ(parse_domain_disk_files(xml).front(), "/tmp/it's & <odd>/disk.qcow2");
}

TEST(DomainXml, MakeMacUsesQemuPrefixAndLow24Bits) {
    EXPECT_EQ(make_mac(0x12abcdef), "52:54:00:ab:cd:ef");
    EXPECT_EQ(make_mac(0), "52:54:00:00:00:00");
}

TEST(DomainXml, ParseInterfacesKeepsPairsAndSkipsOtherTypes) {
    const std::string xml = R"(<domain type='qemu'><name>x</name><devices>
      <interface type='bridge'><source bridge='br0'/><mac address='52:54:00:00:00:09'/></interface>
      <interface type='network'><mac address='52:54:00:00:00:01'/><source network='a'/></interface>
      <interface type='network'><source network='b'/><mac address='52:54:00:00:00:02'/></interface>
    </devices></domain>)";
    auto ifaces = parse_domain_interfaces(xml);
    ASSERT_EQ(ifaces.size(), 2u);
    EXPECT_EQ(ifaces[0].network, "a");
    EXPECT_EQ(ifaces[0].mac, "52:54:00:00:00:01");
    EXPECT_EQ(ifaces[1].network, "b");
    EXPECT_EQ(ifaces[1].mac, "52:54:00:00:00:02");
    EXPECT_TRUE(parse_domain_interfaces("<domain>").empty());
}

} // namespace
} // namespace machine::drivers::libvirt
