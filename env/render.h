#pragma once
// The text `machine env` prints: one line per variable in the user's shell's syntax, with each
// value quoted so that evaluating the block gives back exactly that value, then a usage hint.
#include "env/shell.h"

#include <optional>
#include <string>
#include <vector>

namespace machine::env {

struct EnvVar {
    std::string name;                 // [A-Za-z_][A-Za-z0-9_]*
    std::optional<std::string> value; // nullopt: unset the variable
};

// Renders `vars` in order, in docker-machine's line forms:
//   bash/zsh/sh  export NAME="v"              unset NAME
//   fish         set -gx NAME "v";            set -e NAME;
//   powershell   $Env:NAME = "v"              Remove-Item Env:\\NAME
//   cmd          SET NAME=v                   SET NAME=
//   tcsh         setenv NAME "v";             unsetenv NAME;  ('v' if v has $ ` ! " \)
//   emacs        (setenv "NAME" "v")          (setenv "NAME" nil)
//   nushell      $env.NAME = "v"              hide-env NAME
// then, when `usage_hint` (the command line that printed this, e.g. "machine env myvm1") is not
// empty, two comment lines telling how to evaluate it in that shell.
// Throws UsageError for a bad name, or a value the shell cannot receive through evaluation
// (a NUL anywhere; a newline for tcsh and cmd; cmd's ^ & | < > % !).
std::string render(Shell shell, const std::vector<EnvVar>& vars, const std::string& usage_hint);

// The quoted form of one value as it appears in a line of `render` (for tests and callers that
// build their own lines). Same errors as render.
std::string quote_value(Shell shell, const std::string& name, const std::string& value);

// The two comment lines of the hint, each ending in '\n'.
std::string usage_hint_lines(Shell shell, const std::string& command_line);

} // namespace machine::env
