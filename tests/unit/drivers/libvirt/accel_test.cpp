#include "drivers/libvirt/accel.h"

#include "machine/support/error.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace machine::drivers::libvirt {
namespace {

TEST(Accel, CpuinfoFlags) {
    EXPECT_TRUE(cpuinfo_has_virt("processor : 0\nflags\t\t: fpu vme vmx sse\n"));
    EXPECT_TRUE(cpuinfo_has_virt("flags : fpu svm\n"));
    EXPECT_FALSE(cpuinfo_has_virt("flags : fpu hypervisor sse4_2\n"));
    // The word must be a flag, not part of another line or word.
    EXPECT_FALSE(cpuinfo_has_virt("model name : vmx-like CPU\nflags : fpu vmxe\n"));
}

TEST(Accel, AutoNeedsAllThreeFacts) {
    EXPECT_EQ(choose_accel("auto", {true, true, true, ""}).accel, Accel::Kvm);
    EXPECT_TRUE(choose_accel("auto", {true, true, true, ""}).warning.empty());
    auto c = choose_accel("auto", {false, true, true, ""});
    EXPECT_EQ(c.accel, Accel::Tcg);
    EXPECT_NE(c.warning.find("no vmx/svm"), std::string::npos);
    c = choose_accel("auto", {true, false, true, ""});
    EXPECT_EQ(c.accel, Accel::Tcg);
    EXPECT_NE(c.warning.find("/dev/kvm"), std::string::npos);
    c = choose_accel("auto", {true, true, false, "no kvm"});
    EXPECT_EQ(c.accel, Accel::Tcg);
    EXPECT_EQ(c.warning.find('\n'), std::string::npos);  // one line
}

TEST(Accel, ExplicitModes) {
    EXPECT_EQ(choose_accel("tcg", {true, true, true, ""}).accel, Accel::Tcg);
    EXPECT_TRUE(choose_accel("tcg", {}).warning.empty());
    EXPECT_EQ(choose_accel("kvm", {false, false, true, ""}).accel, Accel::Kvm);
    EXPECT_THROW(choose_accel("kvm", {true, true, false, "nope"}), Unavailable);
    EXPECT_THROW(choose_accel("xen", {}), UsageError);
}

TEST(Accel, DeviceUsable) {
    EXPECT_FALSE(device_usable("/nonexistent/kvm"));
    auto p = std::filesystem::temp_directory_path() / "machine-accel-test";
    { std::FILE* f = std::fopen(p.c_str(), "w"); ASSERT_TRUE(f); std::fclose(f); }
    EXPECT_TRUE(device_usable(p));
    std::filesystem::remove(p);
}

} // namespace
} // namespace machine::drivers::libvirt
