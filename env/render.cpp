#include "env/render.h"

#include "machine/support/error.h"

#include <fmt/format.h>

namespace machine::env {

namespace {

void check_name(const std::string& name) {
    bool ok = !name.empty() && !(name[0] >= '0' && name[0] <= '9');
    for (char c : name) {
        ok = ok && ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '_');
    }
    if (!ok) {
        throw UsageError(fmt::format("invalid environment variable name '{}'", name));
    }
}

[[noreturn]] void refuse(Shell shell, const std::string& name, const std::string& what) {
    throw UsageError(fmt::format("the value of {} contains {}, which {} cannot receive through "
                                 "`machine env`; choose another --shell",
                                 name, what, shell_name(shell)));
}

// sh, bash, zsh: double quotes, where only \ " $ ` stay special, so each gets a backslash.
// `!` is left alone by eval, but an interactive bash or zsh would expand it if the line were
// pasted, so it is spliced in from single quotes: "a"'!'"b". Newlines are kept literally: the
// hint says eval "$(...)", with quotes, so they survive.
std::string quote_posix(const std::string& v) {
    std::string out = "\"";
    for (char c : v) {
        if (c == '\\' || c == '"' || c == '$' || c == '`') {
            out += '\\';
            out += c;
        } else if (c == '!') {
            out += "\"'!'\"";
        } else {
            out += c;
        }
    }
    return out + "\"";
}

// fish: double quotes, where \ " $ are special and take a backslash. `eval (cmd)` splits the
// output into lines, so a newline is written outside the quotes as fish's \n escape: "a"\n"b".
std::string quote_fish(const std::string& v) {
    std::string out = "\"";
    for (char c : v) {
        if (c == '\\' || c == '"' || c == '$') {
            out += '\\';
            out += c;
        } else if (c == '\n') {
            out += "\"\\n\"";
        } else {
            out += c;
        }
    }
    return out + "\"";
}

// PowerShell: double quotes, whose escape character is the backtick: ` " $ each take one.
// `| Invoke-Expression` evaluates line by line, so newline and CR become `n and `r. PowerShell
// also closes a string at typographic double quotes (U+201C, U+201D, U+201E): escaped too.
std::string quote_powershell(const std::string& v) {
    std::string out = "\"";
    for (std::size_t i = 0; i < v.size(); ++i) {
        const char c = v[i];
        if (c == '`' || c == '"' || c == '$') {
            out += '`';
            out += c;
        } else if (c == '\n') {
            out += "`n";
        } else if (c == '\r') {
            out += "`r";
        } else if (c == '\xE2' && i + 2 < v.size() && v[i + 1] == '\x80' &&
                   (v[i + 2] == '\x9C' || v[i + 2] == '\x9D' || v[i + 2] == '\x9E')) {
            out += '`';
            out += v.substr(i, 3);
            i += 2;
        } else {
            out += c;
        }
    }
    return out + "\"";
}

// tcsh/csh: docker-machine's double quotes when the value holds nothing csh expands there
// ($ ` ! and " or \). Otherwise single quotes, where nothing is special but `!` (history
// substitution, which eval does apply: it becomes \!) and the quote itself (closed, escaped,
// reopened: '\''); backslashes are literal. A newline cannot be carried: eval "`cmd`" splits
// lines into words and csh has no escape for it, so such a value is refused.
std::string quote_tcsh(const std::string& name, const std::string& v) {
    if (v.find_first_of("$`!\"\\\n\r") == std::string::npos) {
        return "\"" + v + "\"";
    }
    std::string out = "'";
    for (char c : v) {
        if (c == '\'') {
            out += "'\\''";
        } else if (c == '!') {
            out += "\\!";
        } else if (c == '\n' || c == '\r') {
            refuse(Shell::Tcsh, name, "a line break");
        } else {
            out += c;
        }
    }
    return out + "'";
}

// Emacs Lisp string: \ and " take a backslash; everything else, newlines too, is literal.
std::string quote_elisp(const std::string& v) {
    std::string out = "\"";
    for (char c : v) {
        if (c == '\\' || c == '"') {
            out += '\\';
        }
        out += c;
    }
    return out + "\"";
}

// cmd: SET takes the rest of the line raw. Whether ^ escapes are honoured depends on how the
// line is run (typed: yes; through FOR /f ... DO %i: no), so no escaping works both ways: the
// characters cmd acts on (^ & | < > and % ! expansions) and line breaks are refused instead.
std::string quote_cmd(const std::string& name, const std::string& v) {
    for (char c : v) {
        if (c == '^' || c == '&' || c == '|' || c == '<' || c == '>' || c == '%' || c == '!') {
            refuse(Shell::Cmd, name, fmt::format("'{}'", c));
        }
        if (c == '\n' || c == '\r') {
            refuse(Shell::Cmd, name, "a line break");
        }
    }
    return v;
}

// Nushell: double quotes with C-like escapes: \\ \" and \n \r \t for control characters; other
// bytes are literal.
std::string quote_nushell(const std::string& v) {
    std::string out = "\"";
    for (char c : v) {
        switch (c) {
        case '\\':
            out += "\\\\";
            break;
        case '"':
            out += "\\\"";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            out += c;
        }
    }
    return out + "\"";
}

std::string set_line(Shell shell, const std::string& name, const std::string& value) {
    const std::string q = quote_value(shell, name, value);
    switch (shell) {
    case Shell::Bash:
    case Shell::Zsh:
    case Shell::Sh:
        return fmt::format("export {}={}\n", name, q);
    case Shell::Fish:
        return fmt::format("set -gx {} {};\n", name, q);
    case Shell::PowerShell:
        return fmt::format("$Env:{} = {}\n", name, q);
    case Shell::Cmd:
        return fmt::format("SET {}={}\n", name, q);
    case Shell::Tcsh:
        return fmt::format("setenv {} {};\n", name, q);
    case Shell::Emacs:
        return fmt::format("(setenv \"{}\" {})\n", name, q);
    case Shell::Nushell:
        return fmt::format("$env.{} = {}\n", name, q);
    }
    return {};
}

std::string unset_line(Shell shell, const std::string& name) {
    switch (shell) {
    case Shell::Bash:
    case Shell::Zsh:
    case Shell::Sh:
        return fmt::format("unset {}\n", name);
    case Shell::Fish:
        return fmt::format("set -e {};\n", name);
    case Shell::PowerShell:
        return fmt::format("Remove-Item Env:\\\\{}\n", name);
    case Shell::Cmd:
        return fmt::format("SET {}=\n", name);
    case Shell::Tcsh:
        return fmt::format("unsetenv {};\n", name);
    case Shell::Emacs:
        return fmt::format("(setenv \"{}\" nil)\n", name);
    case Shell::Nushell:
        return fmt::format("hide-env {}\n", name);
    }
    return {};
}

} // namespace

std::string quote_value(Shell shell, const std::string& name, const std::string& value) {
    if (value.find('\0') != std::string::npos) {
        refuse(shell, name, "a NUL byte");
    }
    switch (shell) {
    case Shell::Bash:
    case Shell::Zsh:
    case Shell::Sh:
        return quote_posix(value);
    case Shell::Fish:
        return quote_fish(value);
    case Shell::PowerShell:
        return quote_powershell(value);
    case Shell::Cmd:
        return quote_cmd(name, value);
    case Shell::Tcsh:
        return quote_tcsh(name, value);
    case Shell::Emacs:
        return quote_elisp(value);
    case Shell::Nushell:
        return quote_nushell(value);
    }
    return value;
}

std::string usage_hint_lines(Shell shell, const std::string& cmd) {
    // docker-machine's wording, trailing space included. Two deliberate differences: bash and
    // tcsh quote the substitution (eval "$(...)") so values with runs of spaces or newlines
    // survive, and nushell, which cannot eval a string, saves and sources a file.
    constexpr const char* k_intro = "Run this command to configure your shell: ";
    switch (shell) {
    case Shell::Bash:
    case Shell::Zsh:
    case Shell::Sh:
        return fmt::format("# {}\n# eval \"$({})\"\n", k_intro, cmd);
    case Shell::Fish:
        return fmt::format("# {}\n# eval ({})\n", k_intro, cmd);
    case Shell::PowerShell:
        return fmt::format("# {}\n# & {} | Invoke-Expression\n", k_intro, cmd);
    case Shell::Cmd:
        return fmt::format("REM {}\nREM @FOR /f \"tokens=*\" %i IN ('{}') DO @%i\n", k_intro, cmd);
    case Shell::Tcsh:
        return fmt::format("# {}\n# eval \"`{}`\"\n", k_intro, cmd);
    case Shell::Emacs:
        return fmt::format(
            ";; {}\n;; (with-temp-buffer (shell-command {} (current-buffer)) (eval-buffer))\n",
            k_intro, quote_elisp(cmd));
    case Shell::Nushell:
        return fmt::format("# {}\n# {} | save -f machine-env.nu; source machine-env.nu\n", k_intro,
                           cmd);
    }
    return {};
}

std::string render(Shell shell, const std::vector<EnvVar>& vars, const std::string& usage_hint) {
    std::string out;
    for (const auto& var : vars) {
        check_name(var.name);
        out += var.value ? set_line(shell, var.name, *var.value) : unset_line(shell, var.name);
    }
    if (!usage_hint.empty()) {
        out += usage_hint_lines(shell, usage_hint);
    }
    return out;
}

} // namespace machine::env
