// machine upgrade NAME: upgrades Debian's docker.io in the guest from its package sources, or
// says why it cannot (machine/upgrade.h).
#include "machine/cli/context.h"

#include "drivers/docker_machine.h"
#include "machine/engine_status.h"
#include "machine/ssh_access.h"
#include "machine/support/error.h"
#include "machine/upgrade.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <iostream>

namespace machine::cli {

void add_upgrade_command(CLI::App& app, Context& ctx) {
    auto names = std::make_shared<std::vector<std::string>>();
    auto* cmd = app.add_subcommand("upgrade", "Upgrade the Docker engine of machines");
    cmd->add_option("names", *names, "Machine names")->required();
    cmd->footer(
        "A machine's engine is Debian's docker.io package from the bundled image. upgrade runs\n"
        "apt-get update in the guest and installs a newer docker.io when the guest's package\n"
        "sources (Debian's mirror, or --engine-apt-source) have one. Offline, there is nothing\n"
        "newer: it says so and changes nothing. The machine must be running.\n"
        "Not for none-driver machines (machine does not run their engine) or boot2docker guests\n"
        "imported from docker-machine.");
    cmd->callback([&ctx, names] {
        Store store = ctx.store();
        for (const auto& name : *names) {
            auto lock = store.lock(name);
            Host host = store.load(name);
            auto driver = ctx.driver_for(host);
            if (!driver->has_vm())
                throw UsageError(fmt::format(
                    "cannot upgrade \"{}\": it uses the none driver, so machine does not run its "
                    "engine; upgrade it where it runs",
                    name));
            if (host.imported && drivers::docker_machine_runs_boot2docker(host.imported->driver_name))
                throw UsageError(fmt::format(
                    "cannot upgrade \"{}\": it was imported from docker-machine and runs "
                    "boot2docker, whose engine comes with its ISO, not from packages machine "
                    "manages",
                    name));
            const auto state = driver->state();
            if (state != drivers::State::Running)
                throw Error(fmt::format("machine \"{}\" is not running ({}): run `machine start "
                                        "{}` first",
                                        name, to_string(state), name));
            auto ssh = ctx.ssh().connect(ssh_target(host, *driver), std::chrono::seconds(30));
            auto https = ctx.https();
            UpgradeServices services{
                *ssh, [&] { return engine_api(host, https, std::chrono::seconds(30)).version(); },
                [&] {
                    engine_api(host, https, std::chrono::seconds(10))
                        .wait_for_ping(std::chrono::steady_clock::now() + std::chrono::minutes(2));
                }};
            std::cout << fmt::format("Upgrading the engine of \"{}\"...\n", name) << std::flush;
            auto out = upgrade_engine(name, services);
            if (out.changed)
                std::cout << fmt::format("Upgraded \"{}\": docker.io {} -> {} (engine {} -> {})\n",
                                         name, out.package_before, out.package_after,
                                         out.engine_before, out.engine_after);
            else
                std::cout << fmt::format("\"{}\" already has the newest docker.io its package "
                                         "sources offer: {} (engine {})\n",
                                         name, out.package_before, out.engine_before);
        }
    });
}

} // namespace machine::cli
