// machine-backends.so's one entry point: the table of what the module provides
// (machine/support/backends.h). Built into the module only (machine/CMakeLists.txt), never into
// the binary, whose build id the table's is compared with.
#include "drivers/libvirt/libvirt_driver.h"
#include "machine/support/backends.h"
#include "provision/https_transport.h"
#include "provision/ssh_client.h"
#include "swarm/lab.h"

#ifndef MACHINE_BUILD_ID
#error "MACHINE_BUILD_ID must be defined (machine/CMakeLists.txt)"
#endif

namespace {

std::unique_ptr<machine::drivers::Driver>
make_libvirt_driver(const machine::drivers::DriverContext& ctx) {
    return std::make_unique<machine::drivers::libvirt::LibvirtDriver>(ctx);
}

} // namespace

extern "C" const machine::support::Backends* machine_backends_v1() {
    static const machine::support::Backends table{
        MACHINE_BUILD_ID,
        make_libvirt_driver,
        machine::provision::curl_request,
        machine::provision::make_curl_multi,
        &machine::provision::libssh_backend(),
        machine::swarm::parse_lab,
    };
    return &table;
}
