#pragma once
// The VM half of the create pipeline and its reuse by start, provision and regenerate-certs:
// image, SSH key, seed, VM, boot, SSH, server certificate, engine, TLS ping.
#include "drivers/driver.h"
#include "machine/create.h"
#include "machine/progress.h"
#include "machine/remote_access.h"

#include <ostream>

namespace machine {

// Steps after "certificates" of create for drivers with a VM. Saves host as it goes, so a
// failure leaves a record `rm` can clean.
void provision_new_vm(Host& host, drivers::Driver& driver, Progress& progress,
                      CreateServices& services);

// After the driver booted an existing machine: if the IP changed (or the server certificate
// no longer covers it), regenerate and push the server certificate; then wait for the engine.
void after_start(Host& host, drivers::Driver& driver, const Store& store,
                 const RemoteAccess& remote, std::ostream& out);

// `machine provision`: re-runs engine provisioning (install if missing, certs, config, restart).
void reprovision(Host& host, drivers::Driver& driver, const Store& store,
                 const RemoteAccess& remote, std::ostream& out);

// `machine regenerate-certs`: a new server certificate for the current IP, pushed to the engine,
// which is restarted; returns once the engine answers with it.
void regenerate_server_cert(Host& host, drivers::Driver& driver, const Store& store,
                            const RemoteAccess& remote, std::ostream& out);

} // namespace machine
