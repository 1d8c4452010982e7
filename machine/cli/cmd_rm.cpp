#include "machine/cli/context.h"

#include "machine/support/error.h"
#include "machine/support/log.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <iostream>
#include <unistd.h>

namespace machine::cli {

namespace {

bool confirm(const std::vector<std::string>& names) {
    if (!::isatty(STDIN_FILENO))
        throw UsageError("rm needs confirmation: pass -y to remove without asking");
    for (const auto& n : names)
        std::cout << "About to remove " << n << "\n";
    std::cout << "WARNING: This action will delete both local reference and remote instance.\n"
              << "Are you sure? (y/n): " << std::flush;
    std::string answer;
    std::getline(std::cin, answer);
    return answer == "y" || answer == "Y" || answer == "yes";
}

// Removes one machine, or throws saying why it could not. Refusals (not a folder machine made,
// a symbolic link) come before the lock, so a refused rm leaves the store as it was.
void remove_one(Context& ctx, const Store& store, const MachineName& name, bool force) {
    store.check_ours(name); // NotFound, or UsageError for what machine did not make
    auto lock = store.lock(name);
    if (!store.exists(name)) { // removed by another process while we waited for the lock
        std::cout << fmt::format("\"{}\" was already removed\n", name.str());
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
            for (const auto& line : ctx.driver_for(host)->remove())
                std::cout << "  " << line << "\n";
        } catch (const std::exception& e) {
            if (!force)
                throw Error(fmt::format("cannot remove \"{}\": {} (`machine rm -f {}` forgets "
                                        "it anyway, leaving what the hypervisor still holds)",
                                        name.str(), e.what(), name.str()));
            support::warn("{}: {} (removing the local record anyway: -f)", name.str(), e.what());
        }
    }
    store.remove(name);
    std::cout << fmt::format("Successfully removed {}\n", name.str());
}

} // namespace

void add_rm_command(CLI::App& app, Context& ctx) {
    struct Args {
        std::vector<std::string> names;
        bool force = false;
        bool yes = false;
    };
    auto args = std::make_shared<Args>();
    auto* cmd = app.add_subcommand("rm", "Remove machines: the VM, its disks, and the record");
    cmd->alias("remove");
    cmd->footer("Removes the VM, its disk overlay, seed, DHCP reservation and machine folder.\n"
                "A half-created machine or one whose VM is already gone is removed too.\n"
                "Example: machine rm -y myvm1 myvm2");
    cmd->add_option("names", args->names, "Machines to remove")->required();
    cmd->add_flag("-f,--force", args->force,
                  "Remove the local record even if the hypervisor part cannot be removed");
    cmd->add_flag("-y", args->yes, "Do not ask for confirmation");
    cmd->callback([&ctx, args] {
        Store store = ctx.store();
        // Every name is checked before anything is asked or removed.
        std::vector<MachineName> names(args->names.begin(), args->names.end());
        if (!args->yes && !confirm(args->names)) {
            std::cout << "Nothing removed.\n";
            return;
        }
        if (names.size() == 1)
            return remove_one(ctx, store, names.front(), args->force);
        std::vector<std::string> failures;
        for (const auto& name : names) {
            try {
                remove_one(ctx, store, name, args->force);
            } catch (const std::exception& e) {
                failures.push_back(e.what());
            }
        }
        if (!failures.empty())
            throw Error(fmt::format("{} of {} not removed: {}", failures.size(), args->names.size(),
                                    fmt::join(failures, "; ")));
    });
}

} // namespace machine::cli
