// Evaluates what `machine env` renders in the real shells installed here and checks that the
// exact bytes of each value come back, and that unset lines really unset.
#include "env/render.h"
#include "machine/support/error.h"
#include "machine/support/process.h"

#include <gtest/gtest.h>

using namespace machine::env;
using machine::support::ProcessSpec;
using machine::support::SystemProcessRunner;

namespace {

// Every character some shell treats specially, with runs of spaces, a tab and UTF-8.
const std::string k_nasty =
    "a  b\tc \"dq\" 'sq' $HOME ${X} `echo no` $(echo no) \\back\\slash\\ !bang !! !$ "
    ";|&<>*?[x]{a,b}~ #hash %PATH% ^caret \u00fc \u201Cq\u201D end\\";
const std::string k_nasty_multiline = k_nasty + "\nsecond line\n\nfourth\\\n";

struct ShellCase {
    std::string label;
    Shell shell;
    std::string program;
    std::vector<std::string> args; // evaluate stdin as the hint says, then print $V and $GONE
    bool multiline;                // whether values with newlines are supported
};

void PrintTo(const ShellCase& c, std::ostream* os) {
    *os << c.label;
}

// Each script evaluates the block on stdin the way the usage hint tells the user to, then
// prints V's bytes, a '|' and GONE's bytes or "<unset>".
std::vector<ShellCase> shells() {
    const std::string posix = "eval \"$(cat)\"; printf '%s|%s' \"$V\" \"${GONE-<unset>}\"";
    return {
        {"bash", Shell::Bash, "bash", {"--norc", "--noprofile", "-c", posix}, true},
        {"dash", Shell::Sh, "dash", {"-c", posix}, true},
        {"zsh", Shell::Zsh, "zsh", {"-f", "-c", posix}, true},
        {"fish",
         Shell::Fish,
         "fish",
         {"--no-config", "-c",
          "eval (cat); printf '%s|' \"$V\"; set -q GONE; and printf %s \"$GONE\"; or printf "
          "'<unset>'"},
         true},
        {"fish_source",
         Shell::Fish,
         "fish",
         {"--no-config", "-c",
          "cat | source; printf '%s|' \"$V\"; set -q GONE; and printf %s \"$GONE\"; or printf "
          "'<unset>'"},
         true},
        {"tcsh",
         Shell::Tcsh,
         "tcsh",
         {"-f", "-c",
          "eval \"`cat`\"; printenv V; if ($?GONE) then\necho \"$GONE\"\nelse\necho '<unset>'\n"
          "endif"},
         false},
    };
}

class RoundTrip : public testing::TestWithParam<ShellCase> {
protected:
    // Runs the shell on the rendered block; returns what it printed (tcsh's printenv/echo
    // newlines turned back into the '|' separator form).
    std::string evaluate(const std::string& block) {
        const auto& c = GetParam();
        ProcessSpec spec;
        spec.program = c.program;
        spec.args = c.args;
        spec.stdin_data = block;
        spec.env = {{"GONE", "still here"}, {"HOME", "/home-was-expanded"}, {"X", "x-expanded"}};
        spec.timeout = std::chrono::seconds(20);
        auto result = m_runner.run(spec);
        EXPECT_TRUE(result.ok()) << c.program << " failed: " << result.err << "\nblock:\n" << block;
        EXPECT_EQ(result.err, "") << "block:\n" << block;
        std::string out = result.out;
        if (c.shell == Shell::Tcsh && out.size() >= 2 && out.back() == '\n') {
            out.pop_back(); // "V\nGONE\n" -> "V|GONE" (a tcsh value holds no newline)
            out[out.find('\n')] = '|';
        }
        return out;
    }

    void SetUp() override {
        if (!m_runner.available(GetParam().program)) {
            GTEST_SKIP() << GetParam().program << " is not installed";
        }
    }

    SystemProcessRunner m_runner;
};

TEST_P(RoundTrip, ValueWithEverySpecialCharacterComesBackExactly) {
    const auto& c = GetParam();
    const std::string block =
        render(c.shell, {{"V", k_nasty}, {"GONE", std::nullopt}}, "machine env myvm1");
    EXPECT_EQ(evaluate(block), k_nasty + "|<unset>");
}

TEST_P(RoundTrip, MultilineValueComesBackExactly) {
    const auto& c = GetParam();
    if (!c.multiline) {
        EXPECT_THROW(render(c.shell, {{"V", k_nasty_multiline}}, ""), machine::UsageError);
        return;
    }
    const std::string block = render(c.shell, {{"V", k_nasty_multiline}}, "machine env myvm1");
    EXPECT_EQ(evaluate(block), k_nasty_multiline + "|still here");
}

TEST_P(RoundTrip, EmptyValueAndPlainValues) {
    const auto& c = GetParam();
    const std::string block =
        render(c.shell, {{"V", ""}, {"GONE", "tcp://192.168.122.10:2376"}}, "machine env myvm1");
    EXPECT_EQ(evaluate(block), "|tcp://192.168.122.10:2376");
}

INSTANTIATE_TEST_SUITE_P(InstalledShells, RoundTrip, testing::ValuesIn(shells()),
                         [](const auto& info) { return info.param.label; });

} // namespace
