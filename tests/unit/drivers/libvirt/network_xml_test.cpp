#include "drivers/libvirt/network_xml.h"

#include <gtest/gtest.h>

namespace machine::drivers::libvirt {
namespace {

TEST(NetworkXml, BuildsNatNetworkWithMarkerAndDhcpRange) {
    NetworkSpec spec{"machine", "nat", "192.168.42.1", "255.255.255.0", "192.168.42.2",
                     "192.168.42.254"};
    const std::string xml = network_xml(spec);
    EXPECT_NE(xml.find("<name>machine</name>"), std::string::npos);
    EXPECT_NE(xml.find("<forward mode='nat'/>"), std::string::npos);
    EXPECT_NE(xml.find("<ip address='192.168.42.1' netmask='255.255.255.0'>"), std::string::npos);
    EXPECT_NE(xml.find("<range start='192.168.42.2' end='192.168.42.254'/>"), std::string::npos);
    // What we build, we parse back, including our marker.
    auto info = parse_network_xml(xml);
    ASSERT_TRUE(info);
    EXPECT_EQ(info->name, "machine");
    EXPECT_TRUE(info->made_by_machine);
    EXPECT_EQ(info->address, "192.168.42.1");
    EXPECT_EQ(info->dhcp_start, "192.168.42.2");
    EXPECT_EQ(info->dhcp_end, "192.168.42.254");
    EXPECT_TRUE(info->hosts.empty());
}

TEST(NetworkXml, IsolatedNetworkHasNoForward) {
    NetworkSpec spec{"iso", "", "10.0.0.1", "255.255.255.0", "10.0.0.2", "10.0.0.9"};
    EXPECT_EQ(network_xml(spec).find("<forward"), std::string::npos);
}

TEST(NetworkXml, EscapesNames) {
    NetworkSpec spec{"a<b&'c", "nat", "1.2.3.1", "255.255.255.0", "1.2.3.2", "1.2.3.3"};
    auto info = parse_network_xml(network_xml(spec));
    ASSERT_TRUE(info);
    EXPECT_EQ(info->name, "a<b&'c");
}

TEST(NetworkXml, ParsesLibvirtOutputWithHostsAndPrefix) {
    const std::string xml = R"(<network>
  <name>default</name>
  <uuid>dd8fe884-6c02-601e-7551-cca97df1c5df</uuid>
  <forward mode='nat'/>
  <bridge name='virbr0' stp='on' delay='0'/>
  <ip family='ipv6' address='fd00::1' prefix='64'/>
  <ip address='192.168.122.1' prefix='24'>
    <dhcp>
      <range start='192.168.122.2' end='192.168.122.254'/>
      <host mac='52:54:00:12:34:56' name='myvm1' ip='192.168.122.10'/>
      <host mac='52:54:00:ab:cd:ef' ip='192.168.122.11'/>
    </dhcp>
  </ip>
</network>)";
    auto info = parse_network_xml(xml);
    ASSERT_TRUE(info);
    EXPECT_FALSE(info->made_by_machine);
    EXPECT_EQ(info->address, "192.168.122.1");
    EXPECT_EQ(info->netmask, "255.255.255.0");
    ASSERT_EQ(info->hosts.size(), 2u);
    EXPECT_EQ(info->hosts[0].mac, "52:54:00:12:34:56");
    EXPECT_EQ(info->hosts[0].name, "myvm1");
    EXPECT_EQ(info->hosts[0].ip, "192.168.122.10");
    EXPECT_EQ(info->hosts[1].name, "");
}

TEST(NetworkXml, MalformedIsNullopt) {
    EXPECT_FALSE(parse_network_xml("<network><name>x</name>"));
}

TEST(NetworkXml, DhcpHostXml) {
    EXPECT_EQ(dhcp_host_xml({"52:54:00:00:00:01", "192.168.42.5", "myvm1"}),
              "<host mac='52:54:00:00:00:01' name='myvm1' ip='192.168.42.5'/>");
    EXPECT_EQ(dhcp_host_xml({"52:54:00:00:00:01", "192.168.42.5", ""}),
              "<host mac='52:54:00:00:00:01' ip='192.168.42.5'/>");
}

TEST(Ipv4, ParseAndFormat) {
    EXPECT_EQ(format_ipv4(*parse_ipv4("192.168.42.7")), "192.168.42.7");
    EXPECT_FALSE(parse_ipv4("192.168.42"));
    EXPECT_FALSE(parse_ipv4("192.168.42.256"));
    EXPECT_FALSE(parse_ipv4("192.168.42.1x"));
    EXPECT_FALSE(parse_ipv4(""));
    EXPECT_TRUE(in_subnet("192.168.42.200", "192.168.42.1", "255.255.255.0"));
    EXPECT_FALSE(in_subnet("192.168.43.2", "192.168.42.1", "255.255.255.0"));
}

TEST(PickFreeIp, LowestFreeInRange) {
    EXPECT_EQ(pick_free_ip("192.168.42.2", "192.168.42.254", {}), "192.168.42.2");
    EXPECT_EQ(pick_free_ip("192.168.42.2", "192.168.42.254",
                           {"192.168.42.1", "192.168.42.2", "192.168.42.3", "192.168.42.5"}),
              "192.168.42.4");
}

TEST(PickFreeIp, FullRangeOrBadRangeIsNullopt) {
    EXPECT_FALSE(pick_free_ip("10.0.0.2", "10.0.0.3", {"10.0.0.2", "10.0.0.3"}));
    EXPECT_FALSE(pick_free_ip("10.0.0.9", "10.0.0.3", {}));
    EXPECT_FALSE(pick_free_ip("nonsense", "10.0.0.3", {}));
    EXPECT_EQ(pick_free_ip("10.0.0.255", "10.0.1.0", {"10.0.0.255"}), "10.0.1.0");
}

TEST(PlanNetwork, FirstFreeSlash24SkippingOverlaps) {
    auto plan = plan_network("machine", {});
    ASSERT_TRUE(plan);
    EXPECT_EQ(plan->gateway, "192.168.42.1");
    EXPECT_EQ(plan->dhcp_start, "192.168.42.2");
    EXPECT_EQ(plan->dhcp_end, "192.168.42.254");

    NetworkInfo a;
    a.address = "192.168.42.1";
    a.netmask = "255.255.255.0";
    NetworkInfo wide;  // a /23 covering .44 and .45
    wide.address = "192.168.44.1";
    wide.netmask = "255.255.254.0";
    NetworkInfo b;
    b.address = "192.168.43.1";
    b.netmask = "255.255.255.0";
    plan = plan_network("machine", {a, wide, b});
    ASSERT_TRUE(plan);
    EXPECT_EQ(plan->gateway, "192.168.46.1");
}

TEST(PlanNetwork, NoneLeftWhenASlash16CoversAll) {
    NetworkInfo all;
    all.address = "192.168.0.1";
    all.netmask = "255.255.0.0";
    EXPECT_FALSE(plan_network("machine", {all}));
}

} // namespace
} // namespace machine::drivers::libvirt
