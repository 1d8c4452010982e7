// LibvirtDriver::configure rejects bad input before it touches libvirt.
#include "drivers/libvirt/libvirt_driver.h"

#include "machine/support/error.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace machine::drivers::libvirt {
namespace {
namespace fs = std::filesystem;

FlagValues flags(std::map<std::string, std::vector<std::string>> given) {
    // An unreachable URI: if validation let bad input through, we would see Unavailable instead.
    given.emplace("libvirt-uri", std::vector<std::string>{"qemu+unix:///system?socket=/nonexistent"});
    return FlagValues(LibvirtDriver::create_flags(), std::move(given));
}

std::string usage_error(const FlagValues& f) {
    LibvirtDriver d(DriverContext{"myvm1", "/tmp/none", "/tmp", nullptr});
    try {
        d.configure(f);
    } catch (const UsageError& e) {
        return e.what();
    }
    return "(no UsageError)";
}

TEST(LibvirtFlags, DefaultsAreDocumented) {
    auto specs = LibvirtDriver::create_flags();
    auto find = [&](const std::string& n) {
        for (auto& s : specs)
            if (s.name == n)
                return s;
        return FlagSpec{};
    };
    EXPECT_EQ(find("libvirt-uri").default_value, "qemu:///system");
    EXPECT_EQ(find("libvirt-memory").default_value, "2048");
    EXPECT_EQ(find("libvirt-cpu-count").default_value, "2");
    EXPECT_EQ(find("libvirt-disk-size").default_value, "20000");
    EXPECT_EQ(find("libvirt-network").default_value, "machine");
    EXPECT_EQ(find("libvirt-accel").default_value, "auto");
    EXPECT_EQ(find("libvirt-uri").env_var, "MACHINE_LIBVIRT_URI");
    EXPECT_EQ(specs.size(), 7u);
}

TEST(LibvirtFlags, TooLittleMemory) {
    EXPECT_EQ(usage_error(flags({{"libvirt-memory", {"256"}}})),
              "--libvirt-memory: 256 MiB is too little memory (at least 512)");
}

TEST(LibvirtFlags, NonNumericCpuCount) {
    EXPECT_NE(usage_error(flags({{"libvirt-cpu-count", {"two"}}})).find("--libvirt-cpu-count"),
              std::string::npos);
}

TEST(LibvirtFlags, MissingImage) {
    EXPECT_EQ(usage_error(flags({{"libvirt-image", {"/nonexistent/base.qcow2"}}})),
              "--libvirt-image: /nonexistent/base.qcow2 does not exist or is not a file");
}

TEST(LibvirtFlags, BadAccelAndNetwork) {
    EXPECT_NE(usage_error(flags({{"libvirt-accel", {"xen"}}})).find("auto, kvm, tcg"),
              std::string::npos);
    EXPECT_NE(usage_error(flags({{"libvirt-network", {"a b"}}})).find("not a valid network"),
              std::string::npos);
}

TEST(LibvirtFlags, OwnImageNeedsNoBundledImage) {
    // test:///default is libvirt's in-process test driver: configure completes without a daemon.
    const fs::path img = fs::temp_directory_path() / "libvirt-flags-test-image.qcow2";
    std::ofstream(img) << "qcow2";
    LibvirtDriver bundled(DriverContext{"myvm1", "/tmp/none", "/tmp", nullptr});
    bundled.configure(flags({{"libvirt-uri", {"test:///default"}}}));
    EXPECT_TRUE(bundled.uses_bundled_image());
    LibvirtDriver own(DriverContext{"myvm1", "/tmp/none", "/tmp", nullptr});
    own.configure(flags({{"libvirt-uri", {"test:///default"}}, {"libvirt-image", {img.string()}}}));
    EXPECT_FALSE(own.uses_bundled_image()) << "create must not build an image it won't boot";
    fs::remove(img);
}

TEST(LibvirtFlags, UnreachableLibvirtIsUnavailableWithHint) {
    LibvirtDriver d(DriverContext{"myvm1", "/tmp/none", "/tmp", nullptr});
    try {
        d.configure(flags({}));
        FAIL() << "configure succeeded against a missing socket";
    } catch (const Unavailable& e) {
        std::string what = e.what();
        EXPECT_EQ(what.rfind("cannot connect to libvirt at qemu+unix:///system?socket=/nonexistent: ",
                             0),
                  0u)
            << what;
        EXPECT_NE(what.find("Is libvirtd running?"), std::string::npos);
    }
}

} // namespace
} // namespace machine::drivers::libvirt
