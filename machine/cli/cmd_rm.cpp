#include "machine/cli/arg_types.h"
#include "machine/cli/context.h"

#include "machine/remove.h"
#include "machine/support/error.h"
#include "machine/support/log.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <iostream>
#include <unistd.h>

namespace machine::cli {

namespace {

// Asks before removing. On a terminal the user types the answer; otherwise the first line of
// stdin answers (`echo y | machine rm NAME`, as docker-machine's scripts do). y or yes removes;
// anything else, and end of input, keeps.
bool confirm(const std::vector<std::string>& names) {
    for (const auto& n : names)
        std::cout << "About to remove " << n << "\n";
    std::cout << "WARNING: This action will delete both local reference and remote instance.\n"
              << "Are you sure? (y/n): " << std::flush;
    std::string answer;
    if (!std::getline(std::cin, answer)) {
        std::cout << "\n";
        return false;
    }
    while (!answer.empty() && std::isspace(static_cast<unsigned char>(answer.back())))
        answer.pop_back();
    std::transform(answer.begin(), answer.end(), answer.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (!::isatty(STDIN_FILENO))
        std::cout << answer << "\n"; // what was answered, for the log of a script
    return answer == "y" || answer == "yes";
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
                "Without -y or -f it asks; when stdin is not a terminal, its first line answers\n"
                "(y or yes removes; anything else or no input keeps, exit 0).\n"
                "Example: machine rm -y myvm1 myvm2     echo y | machine rm myvm1");
    cmd->add_option("names", args->names, "Machines to remove")
        ->type_name(k_machine_type)
        ->required();
    cmd->add_flag("-f,--force", args->force,
                  "Do not ask, and remove the local record even if the hypervisor part cannot "
                  "be removed");
    cmd->add_flag("-y", args->yes, "Do not ask for confirmation");
    cmd->callback([&ctx, args] {
        Store store = ctx.store();
        // -f implies yes, as in docker-machine. Every name is checked before anything is asked or removed.
        std::vector<MachineName> names(args->names.begin(), args->names.end());
        if (!args->yes && !args->force && !confirm(args->names)) {
            std::cout << "Nothing removed.\n";
            return;
        }
        auto driver_for = [&ctx](const Host& host) { return ctx.driver_for(host); };
        if (names.size() == 1)
            return remove_machine(store, names.front(), args->force, driver_for, std::cout);
        std::vector<std::string> failures;
        for (const auto& name : names) {
            try {
                remove_machine(store, name, args->force, driver_for, std::cout);
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
