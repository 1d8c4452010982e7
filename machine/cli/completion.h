#pragma once
// Shell completion scripts generated from the CLI11 command tree that --help prints, so they
// cannot drift from the commands: commands, flags, enum values (from IsMember-style validators)
// and machine names (arguments typed k_machine_type, listed at completion time by the hidden
// fast `machine __machines`, which reads only the store's folder names).
#include "machine/cli/arg_types.h"

#include <string>
#include <utility>
#include <vector>

namespace CLI {
class App;
}

namespace machine::cli {

struct CompletionOption {
    std::vector<std::string> flags; // "--driver", "-d"
    bool takes_value = false;
    std::vector<std::string> choices; // enum values, if any
    bool machine_value = false;       // the value is a machine name
    std::string help;
};

enum class PositionalKind { None, Machine, MachinePath, Other };

struct CompletionCommand {
    std::string path; // "" for the program itself, "swarm init" for a nested command
    std::vector<std::pair<std::string, std::string>> subcommands; // name (and aliases), help
    std::vector<CompletionOption> options;
    PositionalKind positional = PositionalKind::None;
    std::vector<std::string> positional_choices;
};

// Every visible command of `app` (hidden ones, in the group "", are left out), root first.
std::vector<CompletionCommand> completion_model(const CLI::App& app);

std::string bash_completion(const std::vector<CompletionCommand>& model);
std::string zsh_completion(const std::vector<CompletionCommand>& model);
std::string fish_completion(const std::vector<CompletionCommand>& model);

} // namespace machine::cli
