#include "drivers/libvirt/accel.h"

#include "machine/support/error.h"

#include <fmt/format.h>

#include <fcntl.h>
#include <unistd.h>

#include <sstream>

namespace machine::drivers::libvirt {

std::string to_string(Accel a) { return a == Accel::Kvm ? "kvm" : "tcg"; }

bool cpuinfo_has_virt(const std::string& cpuinfo) {
    std::istringstream in(cpuinfo);
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("flags", 0) != 0)
            continue;
        std::istringstream words(line.substr(line.find(':') == std::string::npos
                                                 ? line.size()
                                                 : line.find(':') + 1));
        std::string w;
        while (words >> w)
            if (w == "vmx" || w == "svm")
                return true;
    }
    return false;
}

bool device_usable(const std::filesystem::path& device) {
    int fd = ::open(device.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return false;
    ::close(fd);
    return true;
}

AccelChoice choose_accel(const std::string& mode, const AccelFacts& f) {
    if (mode == "tcg")
        return {Accel::Tcg, ""};
    if (mode == "kvm") {
        if (!f.libvirt_kvm)
            throw Unavailable(fmt::format("--libvirt-accel kvm: libvirt cannot run kvm domains: {}",
                                          f.libvirt_error));
        return {Accel::Kvm, ""};
    }
    if (mode != "auto")
        throw UsageError(
            fmt::format("--libvirt-accel: \"{}\" is not one of auto, kvm, tcg", mode));
    if (f.cpu_flags && f.dev_kvm && f.libvirt_kvm)
        return {Accel::Kvm, ""};
    std::string why = !f.cpu_flags ? "no vmx/svm in /proc/cpuinfo"
                      : !f.dev_kvm ? "/dev/kvm is not usable"
                                   : "libvirt cannot run kvm domains";
    return {Accel::Tcg,
            fmt::format("hardware virtualization unavailable ({}); using software emulation "
                        "(TCG), which is slower",
                        why)};
}

} // namespace machine::drivers::libvirt
