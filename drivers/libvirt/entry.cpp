// machine-backends.so's entry point for the libvirt driver (see machine/support/backends.h).
#include "drivers/libvirt/libvirt_driver.h"

extern "C" machine::drivers::Driver*
machine_libvirt_driver_v1(const machine::drivers::DriverContext& ctx) {
    return new machine::drivers::libvirt::LibvirtDriver(ctx);
}
