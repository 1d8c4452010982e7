#pragma once
// RAII handles for libvirt objects and the one helper that turns a failed libvirt call into a
// DriverError carrying libvirt's own message.
#include "machine/support/handle.h"

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include <string>

namespace machine::drivers::libvirt {

// virConnectClose returns a reference count; the deleter only needs to call it.
void close_connect(virConnectPtr conn);
void free_domain(virDomainPtr dom);
void free_network(virNetworkPtr net);

using ConnectPtr = support::Handle<virConnect, close_connect>;
using DomainPtr = support::Handle<virDomain, free_domain>;
using NetworkPtr = support::Handle<virNetwork, free_network>;

// Opens `uri` read-write. Silences libvirt's default error printing (once per process).
// Throws Unavailable("cannot connect to libvirt at <uri>: <message>. Is libvirtd running?").
ConnectPtr open_connection(const std::string& uri);

// libvirt's message for the last failed call in this thread ("unknown libvirt error" if none).
std::string last_error_message();
// The virErrorNumber of the last failed call in this thread (VIR_ERR_OK if none).
int last_error_code();

// Throws DriverError("<context>: <libvirt message>").
[[noreturn]] void throw_last_error(const std::string& context);

// Throws through throw_last_error when rc < 0; returns rc otherwise.
int check(int rc, const std::string& context);

} // namespace machine::drivers::libvirt
