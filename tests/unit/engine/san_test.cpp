#include "engine/san.h"

#include "machine/support/error.h"

#include <gtest/gtest.h>

using namespace machine::engine;

namespace {

struct SanCase {
    std::vector<std::string> in;
    std::vector<std::string> ips;
    std::vector<std::string> dns;
};

class ClassifySans : public ::testing::TestWithParam<SanCase> {};

TEST_P(ClassifySans, SplitsAndDeduplicates) {
    const auto& c = GetParam();
    auto out = classify_sans(c.in);
    EXPECT_EQ(out.ips, c.ips);
    EXPECT_EQ(out.dns, c.dns);
}

INSTANTIATE_TEST_SUITE_P(
    Table, ClassifySans,
    ::testing::Values(
        SanCase{{}, {}, {}},
        SanCase{{"192.168.122.5"}, {"192.168.122.5"}, {}},
        SanCase{{"::1"}, {"::1"}, {}},
        SanCase{{"[fe80::1]"}, {"fe80::1"}, {}},
        SanCase{{"2001:DB8:0:0::7"}, {"2001:db8::7"}, {}},
        SanCase{{"localhost"}, {}, {"localhost"}},
        SanCase{{"myvm1", "192.168.122.5", "localhost", "127.0.0.1"},
                {"192.168.122.5", "127.0.0.1"},
                {"myvm1", "localhost"}},
        // duplicates, including different spellings of the same address and name
        SanCase{{"::1", "0:0::1", "[::1]", "VM1.Example.com", "vm1.example.com", "10.0.0.1",
                 "10.0.0.1"},
                {"::1", "10.0.0.1"},
                {"vm1.example.com"}},
        SanCase{{"*.example.com", "host_with_underscore"},
                {},
                {"*.example.com", "host_with_underscore"}},
        SanCase{{"a-b.c-d.e"}, {}, {"a-b.c-d.e"}}));

class RejectsSan : public ::testing::TestWithParam<std::string> {};

TEST_P(RejectsSan, WithMessageNamingTheEntry) {
    try {
        classify_sans({"localhost", GetParam()});
        FAIL() << "accepted " << GetParam();
    } catch (const machine::UsageError& e) {
        EXPECT_NE(std::string(e.what()).find("'" + GetParam() + "'"), std::string::npos)
            << e.what();
    }
}

INSTANTIATE_TEST_SUITE_P(Table, RejectsSan,
                         ::testing::Values("", "has space", "300.1.1.1", "1.2.3", "-leading.dash",
                                           "trailing-.dash", "a..b", "fe80::1%eth0", "x/y",
                                           "*", "a.*.b", "10.0.0.1:2376", "[::1",
                                           std::string(64, 'a') + ".com",
                                           std::string(254, 'a')));

TEST(CanonicalIp, ReturnsEmptyForNames) {
    EXPECT_EQ(canonical_ip("localhost"), "");
    EXPECT_EQ(canonical_ip("1.2.3"), "");
    EXPECT_EQ(canonical_ip("127.0.0.1"), "127.0.0.1");
    EXPECT_EQ(canonical_ip("::ffff:10.0.0.1"), "::ffff:10.0.0.1");
}

TEST(IsDnsName, AcceptsLongestLegalLabelOnly) {
    EXPECT_TRUE(is_dns_name(std::string(63, 'a') + ".com"));
    EXPECT_FALSE(is_dns_name(std::string(64, 'a') + ".com"));
}

} // namespace
