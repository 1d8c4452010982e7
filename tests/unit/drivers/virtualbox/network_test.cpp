#include "drivers/virtualbox/network.h"

#include "machine/support/error.h"

#include <gtest/gtest.h>

namespace machine::drivers::virtualbox {
namespace {

uint32_t ip(const char* s) {
    return *parse_ipv4(s);
}

TEST(Ipv4, ParsesAndFormats) {
    EXPECT_EQ(format_ipv4(ip("192.168.56.1")), "192.168.56.1");
    for (const char* bad : {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.x", "1..2.3", " 1.2.3.4"})
        EXPECT_FALSE(parse_ipv4(bad)) << bad;
}

TEST(Cidr, Arithmetic) {
    auto c = *parse_cidr("192.168.56.1/24");
    EXPECT_EQ(format_ipv4(c.network()), "192.168.56.0");
    EXPECT_EQ(format_ipv4(c.mask()), "255.255.255.0");
    EXPECT_EQ(format_ipv4(c.broadcast()), "192.168.56.255");
    auto range = *parse_cidr(k_default_allowed_range);
    EXPECT_TRUE(range.contains(c));
    EXPECT_TRUE(range.contains(*parse_cidr("192.168.63.1/24")));
    EXPECT_FALSE(range.contains(*parse_cidr("192.168.64.1/24")));
    EXPECT_FALSE(range.contains(*parse_cidr("192.168.56.1/16"))) << "wider than the range";
    EXPECT_FALSE(parse_cidr("192.168.56.1/33"));
    EXPECT_FALSE(parse_cidr("192.168.56.1/"));
}

TEST(NetworksConf, ReadsStarLinesOnly) {
    // Forms users write (VirtualBox manual; radiasoft/devops issue 241; ansible-buch issue 3).
    auto r = parse_networks_conf("# comment\n* 10.0.0.0/8 192.168.0.0/16\n"
                                 "* * 0.0.0.0/0 ::/0\n10.1.0.0/16\n");
    ASSERT_EQ(r.size(), 3u);
    EXPECT_EQ(r[0].text(), "10.0.0.0/8");
    EXPECT_EQ(r[1].text(), "192.168.0.0/16");
    EXPECT_EQ(r[2].text(), "0.0.0.0/0");
    EXPECT_TRUE(r[2].contains(*parse_cidr("172.16.5.1/24")));
}

TEST(CheckHostOnlyCidr, RulesOfVirtualBox6128) {
    const std::string path = "/etc/vbox/networks.conf";
    EXPECT_NO_THROW(check_hostonly_cidr("192.168.56.1/24", std::nullopt, path, true));
    EXPECT_NO_THROW(check_hostonly_cidr("192.168.60.1/22", std::nullopt, path, true));
    EXPECT_THROW(check_hostonly_cidr("192.168.99.1/24", std::nullopt, path, true), UsageError);
    EXPECT_NO_THROW(check_hostonly_cidr("192.168.99.1/24", std::nullopt, path, false))
        << "Windows hosts have no such rule";
    EXPECT_NO_THROW(
        check_hostonly_cidr("192.168.99.1/24", std::string("* 192.168.99.0/24\n"), path, true));
    EXPECT_THROW(check_hostonly_cidr("192.168.56.255/24", std::nullopt, path, true), UsageError);
    EXPECT_THROW(check_hostonly_cidr("192.168.56.1/31", std::nullopt, path, true), UsageError);
    try {
        check_hostonly_cidr("10.0.0.1/24", std::string("* 192.168.0.0/16\n"), path, true);
        FAIL();
    } catch (const UsageError& e) {
        EXPECT_NE(std::string(e.what()).find("/etc/vbox/networks.conf allows"), std::string::npos)
            << e.what();
    }
}

TEST(ChooseIp, FirstFreeAbove100ThenBelow) {
    auto c = *parse_cidr("192.168.56.1/24");
    EXPECT_EQ(format_ipv4(*choose_ip(c, {})), "192.168.56.101");
    EXPECT_EQ(format_ipv4(*choose_ip(c, {ip("192.168.56.101"), ip("192.168.56.103")})),
              "192.168.56.102");
    std::set<uint32_t> upper;
    for (uint32_t a = ip("192.168.56.101"); a <= ip("192.168.56.254"); ++a)
        upper.insert(a);
    EXPECT_EQ(format_ipv4(*choose_ip(c, upper)), "192.168.56.2") << "skips the host's .1";
    // A small network: .101 lies outside, so the low part is used; host address skipped.
    auto small = *parse_cidr("192.168.56.2/29");
    EXPECT_EQ(format_ipv4(*choose_ip(small, {})), "192.168.56.3");
    std::set<uint32_t> full;
    for (uint32_t a = ip("192.168.56.1"); a <= ip("192.168.56.6"); ++a)
        full.insert(a);
    EXPECT_FALSE(choose_ip(small, full));
    // The host's own address is never chosen, even when it is .101.
    auto host101 = *parse_cidr("192.168.56.101/24");
    EXPECT_EQ(format_ipv4(*choose_ip(host101, {})), "192.168.56.102");
}

TEST(Mac, StableVirtualBoxPrefixAndVBoxManageForm) {
    auto a = derive_mac("/store/machines/a#nic1");
    EXPECT_EQ(a, derive_mac("/store/machines/a#nic1"));
    EXPECT_NE(a, derive_mac("/store/machines/a#nic2"));
    EXPECT_EQ(a.substr(0, 9), "08:00:27:");
    EXPECT_EQ(mac_for_vboxmanage("08:00:27:aa:0b:cc"), "080027AA0BCC");
}

} // namespace
} // namespace machine::drivers::virtualbox
