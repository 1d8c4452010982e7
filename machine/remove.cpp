#include "machine/remove.h"

#include "machine/docker_contexts.h"
#include "machine/support/error.h"
#include "machine/support/log.h"

#include <fmt/format.h>
#include <fmt/ostream.h>

namespace machine {

void remove_machine(const Store& store, const MachineName& name, bool force,
                    const std::function<std::unique_ptr<drivers::Driver>(const Host&)>& driver_for,
                    std::ostream& out) {
    store.check_ours(name); // NotFound, or UsageError for what machine did not make
    auto lock = store.lock(name);
    if (!store.exists(name)) { // removed by another process while we waited for the lock
        fmt::print(out, "\"{}\" was already removed\n", name.str());
        return;
    }
    store.check_ours(name);
    // A folder without config.json is a create interrupted before its first save, which comes
    // before the driver makes anything: there is nothing but the folder to remove.
    std::error_code ec;
    if (fs::symlink_status(store.machine_dir(name) / "config.json", ec).type() !=
        fs::file_type::not_found) {
        try {
            Host host = store.load(name);
            for (const auto& line : driver_for(host)->remove())
                fmt::print(out, "  {}\n", line);
        } catch (const std::exception& e) {
            if (!force)
                throw Error(fmt::format("cannot remove \"{}\": {} (`machine rm -f {}` forgets "
                                        "it anyway, leaving what the hypervisor still holds)",
                                        name.str(), e.what(), name.str()));
            support::warn("{}: {} (removing the local record anyway: -f)", name.str(), e.what());
        }
    }
    // Contexts machine wrote for it (its own, a lab's pointing at it); others are left alone.
    try {
        for (const auto& line : DockerContexts(store, fs::path()).remove_for_machine(name.str()))
            fmt::print(out, "  {}\n", line);
    } catch (const std::exception& e) {
        support::warn("{}: docker context not removed: {}", name.str(), e.what());
    }
    store.remove(name);
    fmt::print(out, "Successfully removed {}\n", name.str());
}

} // namespace machine
