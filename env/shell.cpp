#include "env/shell.h"
#include "machine/support/text.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

namespace machine::env {

namespace {

using support::lower;

// "/usr/bin/zsh" -> "zsh", "-bash" -> "bash", "pwsh.exe" -> "pwsh", "zsh-5.9" stays (no match).
std::string program_basename(std::string_view name) {
    auto slash = name.find_last_of("/\\");
    if (slash != std::string_view::npos) {
        name.remove_prefix(slash + 1);
    }
    if (!name.empty() && name.front() == '-') {
        name.remove_prefix(1);
    }
    std::string base = lower(name);
    if (base.size() > 4 && base.ends_with(".exe")) {
        base.resize(base.size() - 4);
    }
    return base;
}

std::string read_all(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return {};
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

} // namespace

std::optional<Shell> parse_shell(std::string_view name) {
    const std::string base = program_basename(name);
    if (base == "bash") {
        return Shell::Bash;
    }
    if (base == "zsh") {
        return Shell::Zsh;
    }
    if (base == "sh" || base == "dash" || base == "ksh" || base == "mksh" || base == "ash" ||
        base == "posix") {
        return Shell::Sh;
    }
    if (base == "fish") {
        return Shell::Fish;
    }
    if (base == "powershell" || base == "pwsh") {
        return Shell::PowerShell;
    }
    if (base == "cmd") {
        return Shell::Cmd;
    }
    if (base == "tcsh" || base == "csh") {
        return Shell::Tcsh;
    }
    if (base == "emacs") {
        return Shell::Emacs;
    }
    if (base == "nu" || base == "nushell") {
        return Shell::Nushell;
    }
    return std::nullopt;
}

std::string shell_name(Shell shell) {
    switch (shell) {
    case Shell::Bash:
        return "bash";
    case Shell::Zsh:
        return "zsh";
    case Shell::Sh:
        return "sh";
    case Shell::Fish:
        return "fish";
    case Shell::PowerShell:
        return "powershell";
    case Shell::Cmd:
        return "cmd";
    case Shell::Tcsh:
        return "tcsh";
    case Shell::Emacs:
        return "emacs";
    case Shell::Nushell:
        return "nushell";
    }
    return "bash";
}

Shell detect_shell(const std::map<std::string, std::string>& environ,
                   const std::string& parent_process_name) {
    // The parent is what evaluates `$(machine env)`: a subshell of the user's shell. It is a
    // better witness than $SHELL, which names the login shell even inside `fish` started from
    // bash. A parent that is no shell (sudo, make, a script's interpreter) tells nothing.
    if (auto shell = parse_shell(parent_process_name)) {
        return *shell;
    }
    if (auto it = environ.find("SHELL"); it != environ.end()) {
        if (auto shell = parse_shell(it->second)) {
            return *shell;
        }
    }
    // PowerShell sets PSModulePath for its children on every platform.
    if (environ.contains("PSModulePath")) {
        return Shell::PowerShell;
    }
    return Shell::Bash;
}

std::string parent_process_name(const std::filesystem::path& proc_root) {
    // /proc/self/stat is "pid (comm) state ppid ...": comm may hold spaces and parentheses, so
    // the fields after it are found from the last ')'.
    const std::string stat = read_all(proc_root / "self" / "stat");
    const auto close = stat.rfind(')');
    if (close == std::string::npos) {
        return {};
    }
    std::istringstream fields(stat.substr(close + 1));
    std::string state;
    long ppid = -1;
    if (!(fields >> state >> ppid) || ppid <= 0) {
        return {};
    }
    std::string comm = read_all(proc_root / std::to_string(ppid) / "comm");
    while (!comm.empty() && (comm.back() == '\n' || comm.back() == '\r')) {
        comm.pop_back();
    }
    return comm;
}

} // namespace machine::env
