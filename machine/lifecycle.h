#pragma once
// start/stop/restart/kill of one machine. start also makes sure the engine is reachable with
// valid certificates: if the IP changed, the server certificate is regenerated and pushed.
#include "drivers/driver.h"
#include "machine/certs.h"
#include "machine/host.h"
#include "machine/remote_access.h"
#include "machine/store.h"
#include "machine/support/process.h"

#include <ostream>

namespace machine {

enum class Action { Start, Stop, Restart, Kill };

struct LifecycleServices {
    const Store& store;
    TlsPaths tls;
    support::ProcessRunner& runner;
    std::ostream& out;
    RemoteAccess remote; // start: the engine's API, and SSH when the IP changed
};

void run_action(Action action, Host& host, drivers::Driver& driver, LifecycleServices& services);

} // namespace machine
