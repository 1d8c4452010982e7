// machine completion bash|zsh|fish: prints a completion script generated from this program's
// own command tree (the one --help prints). The hidden `machine __machines` lists machine names
// for the scripts: only the store's folder names, no config.json, no drivers, no module.
#include "machine/cli/completion.h"
#include "machine/cli/context.h"

#include <CLI/CLI.hpp>

#include <iostream>

namespace machine::cli {

void add_completion_commands(CLI::App& app, Context& ctx) {
    auto shell = std::make_shared<std::string>();
    auto* cmd = app.add_subcommand("completion", "Print a shell completion script");
    cmd->footer(R"X(Completes commands, flags, flag values with a fixed set of choices (drivers,
shells, roles) and machine names. Load it:
  bash:  source <(machine completion bash)     # or save to /etc/bash_completion.d/machine
  zsh:   source <(machine completion zsh)      # after compinit; or save as _machine in $fpath
  fish:  machine completion fish | source      # or save to ~/.config/fish/completions/machine.fish)X");
    cmd->add_option("shell", *shell, "Shell to print for")
        ->required()
        ->check(CLI::IsMember({"bash", "zsh", "fish"}));
    cmd->callback([&app, shell] {
        auto model = completion_model(app);
        if (*shell == "bash")
            std::cout << bash_completion(model);
        else if (*shell == "zsh")
            std::cout << zsh_completion(model);
        else
            std::cout << fish_completion(model);
    });

    auto* names = app.add_subcommand("__machines", "Machine names, one a line (for completion)");
    names->group("");
    names->callback([&ctx] {
        for (const auto& name : ctx.store().list())
            std::cout << name << "\n";
    });
}

} // namespace machine::cli
