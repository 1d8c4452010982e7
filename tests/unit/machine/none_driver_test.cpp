// The none driver: URL parsing, what it records in config.json, and refusing lifecycle
// commands. FlagValues: how create flags reach a driver.
#include "drivers/driver.h"
#include "drivers/factory.h"
#include "drivers/none/none_driver.h"
#include "machine/support/error.h"

#include <gtest/gtest.h>

namespace machine::drivers {
namespace {

using none::NoneDriver;
using none::parse_tcp_url;

TEST(NoneUrl, ParsesHostAndPort) {
    auto p = parse_tcp_url("tcp://127.0.0.1:2376");
    EXPECT_EQ(p.host, "127.0.0.1");
    EXPECT_EQ(p.port, 2376);
    p = parse_tcp_url("tcp://docker.example:1");
    EXPECT_EQ(p.host, "docker.example");
    EXPECT_EQ(p.port, 1);
    p = parse_tcp_url("tcp://h:65535/");
    EXPECT_EQ(p.host, "h");
    EXPECT_EQ(p.port, 65535);
}

TEST(NoneUrl, ParsesBracketedIpv6) {
    auto p = parse_tcp_url("tcp://[::1]:2376");
    EXPECT_EQ(p.host, "::1");
    EXPECT_EQ(p.port, 2376);
    p = parse_tcp_url("tcp://[fd00:1:2::5]:12376");
    EXPECT_EQ(p.host, "fd00:1:2::5");
    EXPECT_EQ(p.port, 12376);
}

class BadUrl : public ::testing::TestWithParam<std::string> {};

TEST_P(BadUrl, IsRefused) {
    auto p = parse_tcp_url(GetParam());
    EXPECT_TRUE(p.host.empty()) << GetParam() << " gave host " << p.host;
}

INSTANTIATE_TEST_SUITE_P(Urls, BadUrl,
                         ::testing::Values("", "127.0.0.1:2376", "http://127.0.0.1:2376",
                                           "https://h:2376", "unix:///var/run/docker.sock",
                                           "tcp://", "tcp://h", "tcp://h:", "tcp://:2376",
                                           "tcp://h:0", "tcp://h:65536", "tcp://h:-1",
                                           "tcp://h:12ab", "tcp://h:2376/path", "tcp://h:2376x",
                                           "tcp://[::1]", "tcp://[::1]2376", "tcp://[::1:2376",
                                           "tcp://[]:2376", "TCP://h:2376"));

struct Fixture {
    DriverContext ctx{"ext", "/store/machines/ext", "/store", nullptr};
};

FlagValues url_flag(const std::string& url) {
    return FlagValues(NoneDriver::create_flags(), {{"url", {url}}});
}

TEST(NoneDriver, ConfigureRecordsUrlAndIp) {
    Fixture f;
    NoneDriver d(f.ctx);
    d.configure(url_flag("tcp://127.0.0.1:2376"));
    EXPECT_EQ(d.driver_name(), "none");
    EXPECT_FALSE(d.has_vm());
    EXPECT_FALSE(d.uses_bundled_image());
    EXPECT_EQ(d.ip(), "127.0.0.1");
    EXPECT_EQ(d.state(), State::Running);
    auto j = machine::drivers::encode_record(d.record());
    EXPECT_EQ(j["IPAddress"], "127.0.0.1");
    EXPECT_EQ(j["URL"], "tcp://127.0.0.1:2376");
    EXPECT_EQ(j["MachineName"], "ext");
    EXPECT_EQ(j["StorePath"], "/store");
    EXPECT_TRUE(d.remove().empty()) << "forgets the record only";

    NoneDriver restored(f.ctx);
    restored.restore(machine::drivers::decode_record(j));
    EXPECT_EQ(restored.ip(), "127.0.0.1");
    EXPECT_EQ(restored.url(), "tcp://127.0.0.1:2376");
}

TEST(NoneDriver, ConfigureRefusesMissingOrBadUrl) {
    Fixture f;
    NoneDriver d(f.ctx);
    try {
        d.configure(FlagValues(NoneDriver::create_flags(), {}));
        FAIL() << "configured without --url";
    } catch (const UsageError& e) {
        EXPECT_NE(std::string(e.what()).find("--url"), std::string::npos) << e.what();
    }
    try {
        d.configure(url_flag("http://127.0.0.1:2376"));
        FAIL() << "accepted an http URL";
    } catch (const UsageError& e) {
        EXPECT_NE(std::string(e.what()).find("\"http://127.0.0.1:2376\""), std::string::npos)
            << e.what();
        EXPECT_NE(std::string(e.what()).find("tcp://HOST:PORT"), std::string::npos);
    }
}

TEST(NoneDriver, LifecycleIsRefusedNamingTheMachine) {
    Fixture f;
    NoneDriver d(f.ctx);
    d.configure(url_flag("tcp://127.0.0.1:2376"));
    for (auto call :
         {&NoneDriver::start, &NoneDriver::stop, &NoneDriver::restart, &NoneDriver::kill}) {
        try {
            (d.*call)();
            ADD_FAILURE() << "a lifecycle call succeeded";
        } catch (const UsageError& e) {
            std::string what = e.what();
            EXPECT_NE(what.find("\"ext\""), std::string::npos) << what;
            EXPECT_NE(what.find("none driver"), std::string::npos) << what;
        }
    }
    EXPECT_THROW(d.ssh_endpoint(), UsageError);
}

TEST(DriverFactory, MakesNoneAndRefusesUnknownNames) {
    Fixture f;
    auto d = make_driver("none", f.ctx, {});
    ASSERT_NE(d, nullptr);
    EXPECT_EQ(d->driver_name(), "none");
    try {
        make_driver("hyperv", f.ctx, {});
        FAIL() << "made an unknown driver";
    } catch (const UsageError& e) {
        std::string what = e.what();
        EXPECT_NE(what.find("hyperv"), std::string::npos) << what;
        EXPECT_NE(what.find("none"), std::string::npos) << "lists the known drivers: " << what;
    }
}

TEST(DriverFactory, MakesLibvirtThroughTheGivenMakerOnly) {
    Fixture f;
    // No maker (a program without machine-backends.so): a clear error, not a crash.
    try {
        make_driver("libvirt", f.ctx, {});
        FAIL() << "made a libvirt driver without a maker";
    } catch (const Unavailable& e) {
        EXPECT_NE(std::string(e.what()).find("libvirt driver"), std::string::npos) << e.what();
    }
    // The maker gets the context and its driver is the one returned; other names never call it.
    std::vector<std::string> asked;
    DriverMakers makers{[&](const DriverContext& ctx) -> std::unique_ptr<Driver> {
        asked.push_back(ctx.machine_name);
        return std::make_unique<NoneDriver>(ctx);
    }};
    auto d = make_driver("libvirt", f.ctx, makers);
    ASSERT_NE(d, nullptr);
    EXPECT_EQ(d->driver_name(), "none"); // what the maker made
    make_driver("none", f.ctx, makers);
    EXPECT_EQ(asked, std::vector<std::string>{"ext"});
}

std::vector<FlagSpec> specs() {
    return {{"size", "disk size in MB", "20000", "SIZE"},
            {"cpus", "CPUs", "1", ""},
            {"name-server", "DNS server (repeatable)", "", "", false, true},
            {"no-share", "switch", "", "", true},
            {"mode", "a mode", "", ""}};
}

TEST(FlagValues, UnsetFlagsAnswerWithTheirDefault) {
    FlagValues v(specs(), {});
    EXPECT_FALSE(v.is_set("size"));
    EXPECT_EQ(v.get("size"), "20000");
    EXPECT_EQ(v.get_int("size", 1, 100000), 20000);
    EXPECT_EQ(v.get("mode"), "");
    EXPECT_EQ(v.get("not-a-flag"), "");
    EXPECT_TRUE(v.get_all("name-server").empty());
    EXPECT_FALSE(v.get_bool("no-share"));
}

TEST(FlagValues, GivenValuesWinLastOneForSingles) {
    FlagValues v(specs(), {{"size", {"1000", "4096"}},
                           {"name-server", {"1.1.1.1", "9.9.9.9"}},
                           {"no-share", {"true"}},
                           {"mode", {}}});
    EXPECT_TRUE(v.is_set("size"));
    EXPECT_EQ(v.get("size"), "4096");
    EXPECT_EQ(v.get_all("name-server"), (std::vector<std::string>{"1.1.1.1", "9.9.9.9"}));
    EXPECT_TRUE(v.get_bool("no-share"));
    EXPECT_FALSE(v.is_set("mode")) << "an empty list is not set";
}

TEST(FlagValues, BoolSpellings) {
    for (const char* yes : {"true", "1", "yes"})
        EXPECT_TRUE(FlagValues(specs(), {{"no-share", {yes}}}).get_bool("no-share")) << yes;
    for (const char* no : {"false", "0", "no", ""})
        EXPECT_FALSE(FlagValues(specs(), {{"no-share", {no}}}).get_bool("no-share")) << no;
}

TEST(FlagValues, IntegersAreCheckedAndNamed) {
    auto msg = [](const std::string& value, long min, long max) -> std::string {
        try {
            FlagValues(specs(), {{"cpus", {value}}}).get_int("cpus", min, max);
        } catch (const UsageError& e) {
            return e.what();
        }
        return "<accepted>";
    };
    EXPECT_EQ(msg("abc", 1, 64), "--cpus: \"abc\" is not a whole number");
    EXPECT_EQ(msg("4x", 1, 64), "--cpus: \"4x\" is not a whole number");
    EXPECT_EQ(msg("", 1, 64), "--cpus: \"\" is not a whole number");
    EXPECT_EQ(msg("2.5", 1, 64), "--cpus: \"2.5\" is not a whole number");
    EXPECT_EQ(msg("0", 1, 64), "--cpus: 0 is out of range (1..64)");
    EXPECT_EQ(msg("65", 1, 64), "--cpus: 65 is out of range (1..64)");
    EXPECT_EQ(msg("99999999999999999999", 1, 64),
              "--cpus: \"99999999999999999999\" is not a whole number");
    EXPECT_EQ(FlagValues(specs(), {{"cpus", {"64"}}}).get_int("cpus", 1, 64), 64);
    EXPECT_EQ(FlagValues(specs(), {{"cpus", {"-3"}}}).get_int("cpus", -5, 5), -3);
}

} // namespace
} // namespace machine::drivers
