// `machine completion bash|zsh|fish` driven through each real shell's completion machinery:
// bash's programmable completion (COMP_WORDS/COMP_CWORD and the registered function), fish's
// `complete -C`, and zsh's compsys inside a zpty (a real line editor pressing TAB).
#include "cli_fixture.h"

#include <gmock/gmock.h>

#include <algorithm>
#include <fstream>
#include <set>

namespace machine::testing {
namespace {

class Completion : public CliTest {
protected:
    void SetUp() override {
        CliTest::SetUp();
        create_none("alpha1");
        create_none("beta2");
        for (const char* shell : {"bash", "zsh", "fish"}) {
            auto r = machine({"completion", shell});
            ASSERT_EQ(r.exit_code, 0) << r.err;
            ASSERT_FALSE(r.out.empty());
            std::ofstream(tmp() / (std::string("machine.") + shell)) << r.out;
        }
    }

    // The words bash offers for the command line `line` (completing its last word).
    std::set<std::string> bash(const std::string& line) {
        std::string script = "source " + (tmp() / "machine.bash").string() +
                             " || exit 9\n"
                             "read -ra COMP_WORDS <<< \"$LINE\"\n"
                             "[[ $LINE == *' ' ]] && COMP_WORDS+=('')\n"
                             "COMP_CWORD=$((${#COMP_WORDS[@]} - 1))\n"
                             "COMP_LINE=\"$LINE\"; COMP_POINT=${#LINE}\n"
                             "fn=$(complete -p machine | sed -E 's/.*-F ([^ ]+).*/\\1/')\n"
                             "\"$fn\" machine \"${COMP_WORDS[COMP_CWORD]}\" || exit 8\n"
                             "printf '%s\\n' \"${COMPREPLY[@]}\"\n";
        auto r = run_shell("bash", {"--norc", "--noprofile", "-c", script}, line);
        return words(r);
    }

    std::set<std::string> fish(const std::string& line) {
        std::string script =
            "source " + (tmp() / "machine.fish").string() + "; or exit 9; complete -C $LINE";
        auto r = run_shell("fish", {"--no-config", "-c", script}, line);
        std::set<std::string> out;
        for (const auto& l : split_lines(r.out))
            out.insert(l.substr(0, l.find('\t')));
        return out;
    }

    // zsh: an interactive zsh in a zpty with compinit and the script loaded; the test types
    // the line, presses TAB with `list` output, and reads what compsys listed.
    std::set<std::string> zsh(const std::string& line) {
        std::string script = R"Z(
zmodload zsh/zpty || exit 9
zpty z zsh -f -i
zpty -w z "PS1='%% '; unsetopt zle_bracketed_paste 2>/dev/null; setopt no_beep"
zpty -w z "autoload -U compinit && compinit -u -D"
zpty -w z "source $SCRIPT"
zpty -w z "bindkey '^I' list-choices; LISTMAX=1000"
zpty -w z "print -r -- RE\"\"ADY"
zpty -r z out '*READY*' || exit 7
zpty -w -n z "$LINE"$'\t'
zpty -w z $'\025'"print -r -- DO\"\"NE"
zpty -r z res '*DONE*' || exit 6
print -r -- "$res"
zpty -d z
)Z";
        auto r = run_shell("zsh", {"-f", "-c", script}, line);
        EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
        std::set<std::string> out;
        std::string text = r.out;
        // Strip terminal escape sequences, then split on whitespace.
        std::string clean;
        for (size_t i = 0; i < text.size(); ++i) {
            if (text[i] == '\x1b') {
                ++i;
                if (i < text.size() && text[i] == '[')
                    while (++i < text.size() && !std::isalpha(static_cast<unsigned char>(text[i])))
                        ;
                continue;
            }
            clean += text[i] == '\r' ? '\n' : text[i];
        }
        std::istringstream in(clean);
        for (std::string w; in >> w;)
            out.insert(w);
        return out;
    }

    support::ProcessResult run_shell(const std::string& shell, std::vector<std::string> args,
                                     const std::string& line) {
        support::ProcessSpec spec;
        spec.program = shell;
        spec.args = std::move(args);
        spec.env = env();
        spec.env["LINE"] = line;
        spec.env["SCRIPT"] = (tmp() / "machine.zsh").string();
        spec.env["TERM"] = "dumb";
        spec.timeout = std::chrono::seconds(30);
        support::SystemProcessRunner runner;
        return runner.run(spec);
    }

    static std::set<std::string> words(const support::ProcessResult& r) {
        EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
        auto lines = split_lines(r.out);
        return {lines.begin(), lines.end()};
    }
};

MATCHER_P(Has, word, "") {
    return arg.count(word) == 1;
}

TEST_F(Completion, BashCommandsFlagsEnumsAndMachineNames) {
    EXPECT_EQ(bash("machine cr"), (std::set<std::string>{"create"}));
    auto all = bash("machine ");
    for (const char* c : {"create", "rm", "ls", "env", "use", "completion", "swarm", "lab"})
        EXPECT_THAT(all, Has(c)) << c;
    EXPECT_EQ(all.count("__machines"), 0u) << "the hidden helper is not offered";
    EXPECT_THAT(bash("machine create --no-c"), Has("--no-context"));
    EXPECT_EQ(bash("machine create --driver "),
              (std::set<std::string>{"libvirt", "none", "virtualbox"}));
    EXPECT_EQ(bash("machine env --shell fi"), (std::set<std::string>{"fish"}));
    EXPECT_EQ(bash("machine swarm join --role "), (std::set<std::string>{"worker", "manager"}));
    EXPECT_EQ(bash("machine rm "), (std::set<std::string>{"alpha1", "beta2"}));
    EXPECT_EQ(bash("machine -s /tmp/x stop al"), (std::set<std::string>{"alpha1"}))
        << "a global flag's value is skipped when finding the command";
    EXPECT_EQ(bash("machine swarm init b"), (std::set<std::string>{"beta2"}));
    EXPECT_EQ(bash("machine create --swarm-join "), (std::set<std::string>{"alpha1", "beta2"}));
    EXPECT_EQ(bash("machine completion "), (std::set<std::string>{"bash", "zsh", "fish"}));
}

TEST_F(Completion, FishCommandsFlagsEnumsAndMachineNames) {
    EXPECT_EQ(fish("machine cr"), (std::set<std::string>{"create"}));
    EXPECT_THAT(fish("machine "), Has("regenerate-certs"));
    EXPECT_THAT(fish("machine create --no-c"), Has("--no-context"));
    EXPECT_EQ(fish("machine create --driver "),
              (std::set<std::string>{"libvirt", "none", "virtualbox"}));
    EXPECT_EQ(fish("machine rm "), (std::set<std::string>{"alpha1", "beta2"}));
    EXPECT_EQ(fish("machine swarm "),
              (std::set<std::string>{"init", "join", "leave", "ls", "registry"}));
    EXPECT_EQ(fish("machine swarm leave "), (std::set<std::string>{"alpha1", "beta2"}));
}

TEST_F(Completion, ZshCommandsFlagsEnumsAndMachineNames) {
    EXPECT_THAT(zsh("machine cr"), Has("create"));
    auto flags = zsh("machine create --no-c");
    EXPECT_THAT(flags, Has("--no-context"));
    auto drivers = zsh("machine create --driver ");
    for (const char* d : {"libvirt", "none", "virtualbox"})
        EXPECT_THAT(drivers, Has(d)) << d;
    auto names = zsh("machine rm ");
    EXPECT_THAT(names, Has("alpha1"));
    EXPECT_THAT(names, Has("beta2"));
}

} // namespace
} // namespace machine::testing
