#include "machine/provisioning.h"

#include "machine/support/error.h"

namespace machine {

void provision_new_vm(Host&, drivers::Driver& driver, Progress&, CreateServices&) {
    throw Unavailable("the " + driver.driver_name() + " driver is not wired into create yet");
}

} // namespace machine
