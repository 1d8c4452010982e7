#include "machine/cli/completion.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <sstream>

namespace machine::cli {

namespace {

std::string path_of(const std::string& parent, const std::string& name) {
    return parent.empty() ? name : parent + " " + name;
}

// "{a,b,c}", what CLI11's IsMember/CheckedTransformer put in their description.
std::vector<std::string> choices_of(CLI::Option* opt) {
    for (int i = 0;; ++i) {
        CLI::Validator* v = nullptr;
        try {
            v = opt->get_validator(i);
        } catch (const CLI::OptionNotFound&) {
            return {};
        }
        std::string d = v->get_description();
        while (!d.empty() && d.front() == ' ')
            d.erase(0, 1);
        if (d.size() > 2 && d.front() == '{' && d.back() == '}' &&
            d.find_first_of(" \t") == std::string::npos) {
            std::vector<std::string> out;
            std::stringstream in(d.substr(1, d.size() - 2));
            for (std::string item; std::getline(in, item, ',');)
                if (!item.empty())
                    out.push_back(item);
            return out;
        }
    }
}

std::string one_line(std::string s) {
    for (char& c : s)
        if (c == '\n' || c == '\t')
            c = ' ';
    return s;
}

std::string type_of(CLI::Option* opt) {
    std::string t = opt->get_type_name();
    return t.substr(0, t.find(':'));
}

void walk(CLI::App& app, const std::string& path, std::vector<CompletionCommand>& out) {
    CompletionCommand cmd;
    cmd.path = path;
    auto subs = app.get_subcommands(
        [](CLI::App* s) { return !s->get_name().empty() && !s->get_group().empty(); });
    for (CLI::App* s : subs) {
        cmd.subcommands.emplace_back(s->get_name(), one_line(s->get_description()));
        for (const auto& alias : s->get_aliases())
            cmd.subcommands.emplace_back(alias, one_line(s->get_description()));
    }
    for (CLI::Option* opt : app.get_options()) {
        if (opt->get_group().empty())
            continue; // hidden
        if (opt->get_positional() && !opt->nonpositional()) {
            std::string t = type_of(opt);
            auto choices = choices_of(opt);
            if (t == k_machine_type)
                cmd.positional = PositionalKind::Machine;
            else if (t == k_machine_path_type)
                cmd.positional = PositionalKind::MachinePath;
            else if (!choices.empty() && cmd.positional == PositionalKind::None)
                cmd.positional_choices = choices;
            else if (cmd.positional == PositionalKind::None)
                cmd.positional = PositionalKind::Other;
            continue;
        }
        CompletionOption o;
        for (const auto& l : opt->get_lnames())
            o.flags.push_back("--" + l);
        for (const auto& s : opt->get_snames())
            o.flags.push_back("-" + s);
        if (o.flags.empty())
            continue;
        o.takes_value = opt->get_type_size() > 0;
        o.choices = choices_of(opt);
        o.machine_value = type_of(opt) == k_machine_type;
        o.help = one_line(opt->get_description());
        cmd.options.push_back(std::move(o));
    }
    out.push_back(std::move(cmd));
    for (CLI::App* s : subs) {
        const size_t at = out.size(); // the entry walk() adds first, for s itself
        walk(*s, path_of(path, s->get_name()), out);
        for (const auto& alias : s->get_aliases()) {
            // An alias completes like its command; its children are reached through the name.
            CompletionCommand copy = out[at];
            copy.path = path_of(path, alias);
            out.push_back(std::move(copy));
        }
    }
}

// Single-quoted for bash, zsh and fish: 'it'\''s' (fish: 'it\'s').
std::string sq(const std::string& s) {
    std::string out = "'";
    for (char c : s)
        out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

std::string fish_sq(const std::string& s) {
    std::string out = "'";
    for (char c : s) {
        if (c == '\\' || c == '\'')
            out += '\\';
        out += c;
    }
    return out + "'";
}

std::string key(const std::string& path) {
    return path.empty() ? "." : path;
}

std::vector<std::string> names_of(const CompletionCommand& c) {
    std::vector<std::string> out;
    for (const auto& s : c.subcommands)
        out.push_back(s.first);
    return out;
}

std::vector<std::string> flags_of(const CompletionCommand& c, bool value_only) {
    std::vector<std::string> out;
    for (const auto& o : c.options)
        if (!value_only || o.takes_value)
            out.insert(out.end(), o.flags.begin(), o.flags.end());
    return out;
}

std::string positional_word(const CompletionCommand& c) {
    switch (c.positional) {
    case PositionalKind::Machine:
        return "machine";
    case PositionalKind::MachinePath:
        return "machinepath";
    case PositionalKind::Other:
        return "other";
    case PositionalKind::None:
        break;
    }
    if (!c.positional_choices.empty())
        return fmt::format("choices:{}", fmt::join(c.positional_choices, " "));
    return "";
}

// The tables both bash and zsh read: command path -> words.
struct Tables {
    std::vector<std::pair<std::string, std::string>> subs, opts, valopts, choices, machineopts,
        positional, descs;
};

Tables tables(const std::vector<CompletionCommand>& model) {
    Tables t;
    for (const auto& c : model) {
        const std::string k = key(c.path);
        t.subs.emplace_back(k, fmt::format("{}", fmt::join(names_of(c), " ")));
        t.opts.emplace_back(k, fmt::format("{}", fmt::join(flags_of(c, false), " ")));
        t.valopts.emplace_back(k, fmt::format("{}", fmt::join(flags_of(c, true), " ")));
        if (auto p = positional_word(c); !p.empty())
            t.positional.emplace_back(k, p);
        std::string descs;
        for (const auto& [name, help] : c.subcommands)
            descs += name + ":" + help + "\n";
        t.descs.emplace_back(k, descs);
        for (const auto& o : c.options)
            for (const auto& f : o.flags) {
                if (!o.choices.empty())
                    t.choices.emplace_back(k + " " + f,
                                           fmt::format("{}", fmt::join(o.choices, " ")));
                if (o.machine_value)
                    t.machineopts.emplace_back(k + " " + f, "1");
            }
    }
    return t;
}

void emit_assoc(std::ostream& out, const std::string& name,
                const std::vector<std::pair<std::string, std::string>>& entries, bool zsh) {
    out << (zsh ? "typeset -gA " : "declare -gA ") << name << "\n" << name << "=(\n";
    for (const auto& [k, v] : entries) {
        if (zsh)
            out << "  " << sq(k) << " " << sq(v) << "\n";
        else
            out << "  [" << sq(k) << "]=" << sq(v) << "\n";
    }
    out << ")\n";
}

void emit_tables(std::ostream& out, const Tables& t, bool zsh) {
    emit_assoc(out, "_machine_subs", t.subs, zsh);
    emit_assoc(out, "_machine_opts", t.opts, zsh);
    emit_assoc(out, "_machine_valopts", t.valopts, zsh);
    emit_assoc(out, "_machine_choices", t.choices, zsh);
    emit_assoc(out, "_machine_machineopts", t.machineopts, zsh);
    emit_assoc(out, "_machine_pos", t.positional, zsh);
    if (zsh)
        emit_assoc(out, "_machine_descs", t.descs, zsh);
}

} // namespace

std::vector<CompletionCommand> completion_model(const CLI::App& app) {
    std::vector<CompletionCommand> out;
    walk(const_cast<CLI::App&>(app), "", out);
    return out;
}

std::string bash_completion(const std::vector<CompletionCommand>& model) {
    std::ostringstream out;
    out << "# bash completion for machine, generated by `machine completion bash` from its "
           "command definitions.\n"
           "# Load it with: source <(machine completion bash)\n";
    emit_tables(out, tables(model), false);
    out << R"BASH(
_machine_names() { command "${COMP_WORDS[0]}" __machines 2>/dev/null; }

_machine() {
    local cur="${COMP_WORDS[COMP_CWORD]}" prev="" cmdpath=. i w
    for ((i = 1; i < COMP_CWORD; i++)); do
        w="${COMP_WORDS[i]}"
        if [[ $w == -* ]]; then
            if [[ $w != *=* && " ${_machine_valopts[$cmdpath]} ${_machine_valopts[.]} " == *" $w "* ]]; then
                ((i++))
            fi
            continue
        fi
        if [[ " ${_machine_subs[$cmdpath]} " == *" $w "* ]]; then
            if [[ $cmdpath == . ]]; then cmdpath="$w"; else cmdpath="$cmdpath $w"; fi
        fi
    done
    ((COMP_CWORD > 1)) && prev="${COMP_WORDS[COMP_CWORD - 1]}"
    if [[ $prev == -* && " ${_machine_valopts[$cmdpath]} ${_machine_valopts[.]} " == *" $prev "* ]]; then
        local k="$cmdpath $prev"
        [[ -z ${_machine_choices[$k]+x} && -z ${_machine_machineopts[$k]+x} ]] && k=". $prev"
        if [[ -n ${_machine_choices[$k]+x} ]]; then
            COMPREPLY=($(compgen -W "${_machine_choices[$k]}" -- "$cur"))
        elif [[ -n ${_machine_machineopts[$k]+x} ]]; then
            COMPREPLY=($(compgen -W "$(_machine_names)" -- "$cur"))
        else
            COMPREPLY=($(compgen -f -- "$cur"))
        fi
        return 0
    fi
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "${_machine_opts[$cmdpath]} ${_machine_opts[.]}" -- "$cur"))
        return 0
    fi
    local words="${_machine_subs[$cmdpath]}" pos="${_machine_pos[$cmdpath]}"
    case "$pos" in
    machine) words="$words $(_machine_names)" ;;
    choices:*) words="$words ${pos#choices:}" ;;
    esac
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
    if [[ $pos == machinepath ]]; then
        COMPREPLY+=($(compgen -W "$(_machine_names | sed 's/$/:/')" -- "$cur") $(compgen -f -- "$cur"))
        type compopt &>/dev/null && compopt -o nospace
    elif [[ $pos == other ]]; then
        COMPREPLY+=($(compgen -f -- "$cur"))
    fi
    return 0
}
complete -F _machine machine
)BASH";
    return out.str();
}

std::string zsh_completion(const std::vector<CompletionCommand>& model) {
    std::ostringstream out;
    out << "#compdef machine\n"
           "# zsh completion for machine, generated by `machine completion zsh` from its "
           "command definitions.\n"
           "# Load it with: source <(machine completion zsh)  (after compinit)\n";
    emit_tables(out, tables(model), true);
    out << R"ZSH(
_machine_names() { command ${words[1]} __machines 2>/dev/null }

_machine() {
    local cmdpath=. i w cur=${words[CURRENT]} prev k pos
    for (( i = 2; i < CURRENT; i++ )); do
        w=${words[i]}
        if [[ $w == -* ]]; then
            if [[ $w != *=* && " ${_machine_valopts[$cmdpath]} ${_machine_valopts[.]} " == *" $w "* ]]; then
                (( i++ ))
            fi
            continue
        fi
        if [[ " ${_machine_subs[$cmdpath]} " == *" $w "* ]]; then
            if [[ $cmdpath == . ]]; then cmdpath=$w; else cmdpath="$cmdpath $w"; fi
        fi
    done
    (( CURRENT > 2 )) && prev=${words[CURRENT-1]}
    if [[ $prev == -* && " ${_machine_valopts[$cmdpath]} ${_machine_valopts[.]} " == *" $prev "* ]]; then
        k="$cmdpath $prev"
        (( ${+_machine_choices[$k]} || ${+_machine_machineopts[$k]} )) || k=". $prev"
        if (( ${+_machine_choices[$k]} )); then
            compadd -- ${=_machine_choices[$k]}
        elif (( ${+_machine_machineopts[$k]} )); then
            compadd -- $(_machine_names)
        else
            _files
        fi
        return
    fi
    if [[ $cur == -* ]]; then
        compadd -- ${=_machine_opts[$cmdpath]} ${=_machine_opts[.]}
        return
    fi
    local -a subs
    subs=( ${(f)_machine_descs[$cmdpath]} )
    (( $#subs )) && _describe -t commands 'machine command' subs
    pos=${_machine_pos[$cmdpath]}
    case $pos in
    machine) compadd -- $(_machine_names) ;;
    machinepath) compadd -S '' -- ${^$(_machine_names)}: ; _files ;;
    choices:*) compadd -- ${=pos#choices:} ;;
    other) _files ;;
    esac
}

if (( $+functions[compdef] )); then
    compdef _machine machine
fi
)ZSH";
    return out.str();
}

std::string fish_completion(const std::vector<CompletionCommand>& model) {
    std::ostringstream out;
    out << "# fish completion for machine, generated by `machine completion fish` from its "
           "command definitions.\n"
           "# Load it with: machine completion fish | source\n";
    auto switch_fn = [&](const std::string& fn, auto words_of) {
        out << "function " << fn << "\n    switch $argv[1]\n";
        for (const auto& c : model) {
            auto words = words_of(c);
            if (words.empty())
                continue;
            out << "    case " << fish_sq(key(c.path)) << "\n";
            for (const auto& w : words)
                out << "        echo -- " << fish_sq(w) << "\n";
        }
        out << "    end\nend\n";
    };
    switch_fn("__machine_subs", [](const CompletionCommand& c) { return names_of(c); });
    switch_fn("__machine_valopts", [](const CompletionCommand& c) { return flags_of(c, true); });
    out << R"FISH(
function __machine_path
    set -l tokens (commandline -opc)
    set -l cmdpath .
    set -l skip 0
    for w in $tokens[2..-1]
        if test $skip = 1
            set skip 0
            continue
        end
        if string match -q -- '-*' $w
            if not string match -q -- '*=*' $w; and contains -- $w (__machine_valopts $cmdpath) (__machine_valopts .)
                set skip 1
            end
            continue
        end
        if contains -- $w (__machine_subs $cmdpath)
            if test $cmdpath = .
                set cmdpath $w
            else
                set cmdpath "$cmdpath $w"
            end
        end
    end
    echo -- $cmdpath
end

function __machine_at
    test (__machine_path) = "$argv[1]"
end

function __machine_names
    set -l program (commandline -opc)[1]
    command $program __machines 2>/dev/null
end

complete -c machine -f
)FISH";
    for (const auto& c : model) {
        const std::string cond =
            c.path.empty() ? "" : " -n " + fish_sq("__machine_at " + fish_sq(key(c.path)));
        const std::string at = " -n " + fish_sq("__machine_at " + fish_sq(key(c.path)));
        for (const auto& [name, help] : c.subcommands)
            out << "complete -c machine" << at << " -a " << fish_sq(name) << " -d " << fish_sq(help)
                << "\n";
        for (const auto& o : c.options) {
            out << "complete -c machine" << cond;
            for (const auto& f : o.flags)
                out << (f.rfind("--", 0) == 0 ? " -l " + f.substr(2) : " -s " + f.substr(1));
            if (!o.choices.empty())
                out << " -x -a " << fish_sq(fmt::format("{}", fmt::join(o.choices, " ")));
            else if (o.machine_value)
                out << " -x -a '(__machine_names)'";
            else if (o.takes_value)
                out << " -r -F";
            out << " -d " << fish_sq(o.help) << "\n";
        }
        switch (c.positional) {
        case PositionalKind::Machine:
            out << "complete -c machine" << at << " -a '(__machine_names)'\n";
            break;
        case PositionalKind::MachinePath:
            out << "complete -c machine" << at
                << " -F -a '(__machine_names | string replace -r \"\\$\" :)'\n";
            break;
        case PositionalKind::Other:
            out << "complete -c machine" << at << " -F\n";
            break;
        case PositionalKind::None:
            if (!c.positional_choices.empty())
                out << "complete -c machine" << at << " -a "
                    << fish_sq(fmt::format("{}", fmt::join(c.positional_choices, " "))) << "\n";
            break;
        }
    }
    return out.str();
}

} // namespace machine::cli
