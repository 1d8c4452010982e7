#include "machine/cli/context.h"

#include "machine/engine_status.h"
#include "machine/support/error.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <iostream>

namespace machine::cli {

void add_version_command(CLI::App& app, Context& ctx) {
    auto name = std::make_shared<std::string>();
    auto* cmd = app.add_subcommand("version", "Print machine's version, or a machine's engine's");
    cmd->add_option("name", *name,
                    "Machine whose Docker engine version to print (asks the "
                    "engine over TLS, GET /version)");
    cmd->footer("Examples:\n  machine version          # machine itself\n"
                "  machine version myvm1    # the engine of myvm1, e.g. 20.10.24+dfsg1");
    cmd->callback([&ctx, name] {
        if (name->empty()) {
            std::cout << "machine version " << MACHINE_VERSION << "\n";
            return;
        }
        Host host = ctx.store().load(*name);
        auto driver = ctx.driver_for(host);
        if (const auto state = driver->state(); state != drivers::State::Running)
            throw Error(fmt::format("machine \"{}\" is not running ({}): run `machine start {}`",
                                    host.name, to_string(state), host.name));
        try {
            std::cout << engine_api(host, ctx.https(), std::chrono::seconds(20)).version() << "\n";
        } catch (const Error& e) {
            throw Error(
                fmt::format("cannot get the engine version of \"{}\": {}", host.name, e.what()));
        }
    });
}

} // namespace machine::cli
