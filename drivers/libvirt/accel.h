#pragma once
// Choosing between hardware virtualization (KVM) and software emulation (TCG). A /dev/kvm alone
// is no proof: auto needs the CPU flags, a /dev/kvm that opens read-write, and libvirt saying it
// can run kvm domains.
#include <filesystem>
#include <string>

namespace machine::drivers::libvirt {

enum class Accel { Kvm, Tcg };

std::string to_string(Accel a);  // "kvm" / "tcg"

struct AccelFacts {
    bool cpu_flags = false;      // vmx or svm in /proc/cpuinfo
    bool dev_kvm = false;        // /dev/kvm opens read-write
    bool libvirt_kvm = false;    // virConnectGetDomainCapabilities(virttype=kvm) succeeded
    std::string libvirt_error;   // libvirt's message when it did not
};

struct AccelChoice {
    Accel accel = Accel::Tcg;
    std::string warning;  // one line for the user when auto fell back to TCG; "" otherwise
};

// True when a "flags" line of /proc/cpuinfo contains the word vmx or svm.
bool cpuinfo_has_virt(const std::string& cpuinfo);
// True when `device` opens O_RDWR.
bool device_usable(const std::filesystem::path& device);

// mode is auto|kvm|tcg. Throws UsageError for another mode, Unavailable for kvm when libvirt
// cannot run kvm domains.
AccelChoice choose_accel(const std::string& mode, const AccelFacts& facts);

} // namespace machine::drivers::libvirt
