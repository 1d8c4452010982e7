// machine import --from-docker-machine [PATH]: adopts the machines of a docker-machine store.
#include "machine/cli/context.h"

#include "machine/import.h"
#include "machine/support/error.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <iostream>

namespace machine::cli {

void add_import_command(CLI::App& app, Context& ctx) {
    struct Args {
        std::string from;
    };
    auto args = std::make_shared<Args>();
    auto* cmd = app.add_subcommand("import", "Adopt the machines of a docker-machine store");
    auto* from = cmd->add_option("--from-docker-machine", args->from,
                                 "docker-machine's store (default ~/.docker/machine)")
                     ->expected(0, 1)
                     ->option_text("[PATH]");
    cmd->footer(
        "Each machine's config.json is translated (paths relative to machine's store), its keys\n"
        "and certificates are copied with their modes, and docker-machine's store is only read.\n"
        "VMs keep running. Drivers: none, generic (kept as none), virtualbox, kvm (as libvirt).\n"
        "What an imported machine cannot do here is listed now and in `machine inspect` "
        "(Imported.Limits).\n"
        "docker-machine's MACHINE_STORAGE_PATH is not read: machine uses that variable for its "
        "own\n"
        "store; give the path instead.\n"
        "Example: machine import --from-docker-machine ~/.docker/machine");
    cmd->callback([&ctx, args, from] {
        if (from->count() == 0)
            throw UsageError("import needs --from-docker-machine [PATH] (what to import from)");
        const fs::path root =
            args->from.empty() ? default_docker_machine_store() : fs::path(args->from);
        const auto outcomes = import_docker_machine_store(root, ctx.store());
        if (outcomes.empty())
            throw NotFound(fmt::format("{} has no machines to import", root.string()));
        size_t imported = 0;
        std::vector<std::string> skipped;
        for (const auto& o : outcomes) {
            if (!o.imported) {
                skipped.push_back(o.name);
                std::cout << fmt::format("Skipped {}: {}\n", o.name, o.reason);
                continue;
            }
            ++imported;
            std::cout << fmt::format("Imported {}\n", o.name);
            for (const auto& limit : o.limits)
                std::cout << fmt::format("  does not work here: {}\n", limit);
        }
        if (imported == 0)
            throw UsageError(fmt::format("nothing imported from {} ({} skipped)", root.string(),
                                         skipped.size()));
        if (!skipped.empty())
            throw Error(fmt::format("imported {} of {} machines; not imported: {}", imported,
                                    outcomes.size(), fmt::format("{}", fmt::join(skipped, ", "))));
        std::cout << fmt::format("Imported {} machine{} from {}; docker-machine's store is "
                                 "unchanged.\n",
                                 imported, imported == 1 ? "" : "s", root.string());
    });
}

} // namespace machine::cli
