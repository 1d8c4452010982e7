#include "drivers/libvirt/connection.h"

#include "machine/support/error.h"

#include <fmt/format.h>

#include <mutex>

namespace machine::drivers::libvirt {

namespace {

// libvirt prints every error to stderr unless an error function is set; ours prints nothing
// because each failure is reported once, as an exception, by the caller.
void ignore_error(void*, virErrorPtr) {}

void install_error_handler() {
    static std::once_flag once;
    std::call_once(once, [] {
        virInitialize();
        virSetErrorFunc(nullptr, ignore_error);
    });
}

} // namespace

void close_connect(virConnectPtr conn) { virConnectClose(conn); }
void free_domain(virDomainPtr dom) { virDomainFree(dom); }
void free_network(virNetworkPtr net) { virNetworkFree(net); }

std::string last_error_message() {
    virErrorPtr err = virGetLastError();
    if (!err || !err->message)
        return "unknown libvirt error";
    return err->message;
}

int last_error_code() {
    virErrorPtr err = virGetLastError();
    return err ? err->code : VIR_ERR_OK;
}

void throw_last_error(const std::string& context) {
    throw DriverError(fmt::format("{}: {}", context, last_error_message()));
}

int check(int rc, const std::string& context) {
    if (rc < 0)
        throw_last_error(context);
    return rc;
}

ConnectPtr open_connection(const std::string& uri) {
    install_error_handler();
    ConnectPtr conn(virConnectOpen(uri.c_str()));
    if (!conn)
        throw Unavailable(fmt::format("cannot connect to libvirt at {}: {}. Is libvirtd running?",
                                      uri, last_error_message()));
    // Connection-level errors would otherwise go to libvirt's default handler too.
    virConnSetErrorFunc(conn.get(), nullptr, ignore_error);
    return conn;
}

} // namespace machine::drivers::libvirt
