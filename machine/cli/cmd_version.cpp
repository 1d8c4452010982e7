#include "machine/cli/context.h"

#include <CLI/CLI.hpp>

#include <iostream>

namespace machine::cli {

void add_version_command(CLI::App& app, Context&) {
    auto* cmd = app.add_subcommand("version", "Print machine's version");
    cmd->callback([] { std::cout << "machine version " << MACHINE_VERSION << "\n"; });
}

} // namespace machine::cli
