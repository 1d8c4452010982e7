// The libvirt driver's create flags, apart from the driver so that `machine create --help` lists
// them without loading machine-backends.so (which holds the driver and libvirt itself).
#include "drivers/libvirt/libvirt_driver.h"

namespace machine::drivers::libvirt {

std::vector<FlagSpec> LibvirtDriver::create_flags() {
    return {
        {"libvirt-uri", "libvirt connection URI (default qemu:///system)", "qemu:///system",
         "MACHINE_LIBVIRT_URI"},
        {"libvirt-memory", "memory of the VM in MiB (default 2048, at least 512)", "2048",
         "MACHINE_LIBVIRT_MEMORY"},
        {"libvirt-cpu-count", "number of virtual CPUs (default 2)", "2",
         "MACHINE_LIBVIRT_CPU_COUNT"},
        {"libvirt-disk-size", "disk size in MB (default 20000; never smaller than the image)",
         "20000", "MACHINE_LIBVIRT_DISK_SIZE"},
        {"libvirt-network",
         "libvirt network to attach to; created (NAT, own /24, DHCP) when absent (default machine)",
         "machine", "MACHINE_LIBVIRT_NETWORK"},
        {"libvirt-image", "base qcow2 image (default: the bundled image)", "",
         "MACHINE_LIBVIRT_IMAGE"},
        {"libvirt-accel", "auto|kvm|tcg: hardware virtualization or software emulation "
                          "(default auto: kvm only when it really works)",
         "auto", "MACHINE_LIBVIRT_ACCEL"},
    };
}

} // namespace machine::drivers::libvirt
