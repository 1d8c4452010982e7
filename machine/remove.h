#pragma once
// Removing one machine (`machine rm`): what its driver made, the docker contexts machine wrote
// for it, then its folder. Half-created machines included: their config.json records what the
// driver had made when create failed.
#include "drivers/driver.h"
#include "machine/host.h"
#include "machine/names.h"
#include "machine/store.h"

#include <functional>
#include <memory>
#include <ostream>

namespace machine {

// Removes `name`, or throws saying why it could not. Refusals (not a folder machine made, a
// symbolic link) come before the lock, so a refused rm leaves the store as it was. `force`
// removes the record even when the driver cannot clean up. Prints what it removed on `out`.
void remove_machine(const Store& store, const MachineName& name, bool force,
                    const std::function<std::unique_ptr<drivers::Driver>(const Host&)>& driver_for,
                    std::ostream& out);

} // namespace machine
