#pragma once
// Which shell `machine env` writes for: parsing --shell, and guessing when it is not given.
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace machine::env {

enum class Shell { Bash, Zsh, Sh, Fish, PowerShell, Cmd, Tcsh, Emacs, Nushell };

// "bash", "zsh", "sh" (also dash, ksh, mksh, ash), "fish", "powershell" (also pwsh), "cmd",
// "tcsh" (also csh), "emacs", "nu"/"nushell". A path or a login-shell dash ("-bash",
// "/usr/bin/zsh") is accepted. Case-insensitive. nullopt for anything else.
std::optional<Shell> parse_shell(std::string_view name);

// The canonical name: "bash", "zsh", "sh", "fish", "powershell", "cmd", "tcsh", "emacs", "nushell".
std::string shell_name(Shell shell);

// Guesses the user's shell: the parent process first (what really evaluates our output), then
// the basename of $SHELL (what docker-machine used), then PowerShell if PSModulePath is set;
// bash when nothing is known. Pure: the caller passes the environment and parent's name.
Shell detect_shell(const std::map<std::string, std::string>& environ,
                   const std::string& parent_process_name);

// The name (comm) of this process's parent, read from <proc_root>/self/stat (its ppid) and
// <proc_root>/<ppid>/comm; empty when it cannot be read. The one function here that does I/O.
std::string parent_process_name(const std::filesystem::path& proc_root = "/proc");

} // namespace machine::env
