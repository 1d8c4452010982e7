#pragma once
// The VM half of the create pipeline and its reuse by start/provision/regenerate-certs:
// image, SSH key, seed, VM, boot, SSH, engine, server certificate, TLS ping.
#include "drivers/driver.h"
#include "machine/create.h"
#include "machine/progress.h"

namespace machine {

inline constexpr int k_vm_create_steps = 9;

// Steps 2..9 of create for drivers with a VM. Updates host (driver section) as it goes.
void provision_new_vm(Host& host, drivers::Driver& driver, Progress& progress,
                      CreateServices& services);

} // namespace machine
