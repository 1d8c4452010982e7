#include "env/render.h"
#include "machine/support/error.h"

#include <gtest/gtest.h>

using machine::UsageError;
using namespace machine::env;

namespace {

struct LineCase {
    Shell shell;
    std::string set_line;
    std::string unset_line;
};

void PrintTo(const LineCase& c, std::ostream* os) {
    *os << shell_name(c.shell);
}

class RenderLines : public testing::TestWithParam<LineCase> {};

TEST_P(RenderLines, SetAndUnsetMatchDockerMachine) {
    const auto& c = GetParam();
    EXPECT_EQ(render(c.shell, {{"DOCKER_TLS_VERIFY", "1"}}, ""), c.set_line);
    EXPECT_EQ(render(c.shell, {{"DOCKER_TLS_VERIFY", std::nullopt}}, ""), c.unset_line);
}

INSTANTIATE_TEST_SUITE_P(
    AllShells, RenderLines,
    testing::Values(
        LineCase{Shell::Bash, "export DOCKER_TLS_VERIFY=\"1\"\n", "unset DOCKER_TLS_VERIFY\n"},
        LineCase{Shell::Zsh, "export DOCKER_TLS_VERIFY=\"1\"\n", "unset DOCKER_TLS_VERIFY\n"},
        LineCase{Shell::Sh, "export DOCKER_TLS_VERIFY=\"1\"\n", "unset DOCKER_TLS_VERIFY\n"},
        LineCase{Shell::Fish, "set -gx DOCKER_TLS_VERIFY \"1\";\n", "set -e DOCKER_TLS_VERIFY;\n"},
        LineCase{Shell::PowerShell, "$Env:DOCKER_TLS_VERIFY = \"1\"\n",
                 "Remove-Item Env:\\\\DOCKER_TLS_VERIFY\n"},
        LineCase{Shell::Cmd, "SET DOCKER_TLS_VERIFY=1\n", "SET DOCKER_TLS_VERIFY=\n"},
        LineCase{Shell::Tcsh, "setenv DOCKER_TLS_VERIFY \"1\";\n", "unsetenv DOCKER_TLS_VERIFY;\n"},
        LineCase{Shell::Emacs, "(setenv \"DOCKER_TLS_VERIFY\" \"1\")\n",
                 "(setenv \"DOCKER_TLS_VERIFY\" nil)\n"},
        LineCase{Shell::Nushell, "$env.DOCKER_TLS_VERIFY = \"1\"\n",
                 "hide-env DOCKER_TLS_VERIFY\n"}),
    [](const auto& info) { return shell_name(info.param.shell); });

TEST(Render, BashBlockKeepsOrderAndEndsWithHint) {
    const std::vector<EnvVar> vars = {
        {"DOCKER_TLS_VERIFY", "1"},
        {"DOCKER_HOST", "tcp://192.168.122.10:2376"},
        {"DOCKER_CERT_PATH", "/home/u/.machine/machines/myvm1"},
        {"DOCKER_MACHINE_NAME", "myvm1"},
    };
    EXPECT_EQ(render(Shell::Bash, vars, "machine env myvm1"),
              "export DOCKER_TLS_VERIFY=\"1\"\n"
              "export DOCKER_HOST=\"tcp://192.168.122.10:2376\"\n"
              "export DOCKER_CERT_PATH=\"/home/u/.machine/machines/myvm1\"\n"
              "export DOCKER_MACHINE_NAME=\"myvm1\"\n"
              "# Run this command to configure your shell: \n"
              "# eval \"$(machine env myvm1)\"\n");
}

TEST(Render, MixedSetAndUnsetInGivenOrder) {
    EXPECT_EQ(render(Shell::Fish, {{"B", std::nullopt}, {"A", "x"}, {"C", std::nullopt}}, ""),
              "set -e B;\nset -gx A \"x\";\nset -e C;\n");
}

struct HintCase {
    Shell shell;
    std::string command;
    std::string hint;
};

void PrintTo(const HintCase& c, std::ostream* os) {
    *os << shell_name(c.shell);
}

class Hints : public testing::TestWithParam<HintCase> {};

TEST_P(Hints, CommentLinesInTheShellsSyntax) {
    const auto& c = GetParam();
    EXPECT_EQ(usage_hint_lines(c.shell, c.command), c.hint);
    EXPECT_EQ(render(c.shell, {}, c.command), c.hint);
}

INSTANTIATE_TEST_SUITE_P(
    AllShells, Hints,
    testing::Values(
        HintCase{Shell::Bash, "machine env myvm1",
                 "# Run this command to configure your shell: \n"
                 "# eval \"$(machine env myvm1)\"\n"},
        HintCase{Shell::Zsh, "machine env -u",
                 "# Run this command to configure your shell: \n# eval \"$(machine env -u)\"\n"},
        HintCase{Shell::Fish, "machine env myvm1",
                 "# Run this command to configure your shell: \n# eval (machine env myvm1)\n"},
        HintCase{Shell::PowerShell, "\"machine\" env myvm1",
                 "# Run this command to configure your shell: \n"
                 "# & \"machine\" env myvm1 | Invoke-Expression\n"},
        HintCase{Shell::Cmd, "\"machine\" env myvm1",
                 "REM Run this command to configure your shell: \n"
                 "REM @FOR /f \"tokens=*\" %i IN ('\"machine\" env myvm1') DO @%i\n"},
        HintCase{Shell::Tcsh, "machine env myvm1",
                 "# Run this command to configure your shell: \n"
                 "# eval \"`machine env myvm1`\"\n"},
        HintCase{Shell::Emacs, "machine env myvm1",
                 ";; Run this command to configure your shell: \n"
                 ";; (with-temp-buffer (shell-command \"machine env myvm1\" (current-buffer)) "
                 "(eval-buffer))\n"},
        HintCase{Shell::Nushell, "machine env myvm1",
                 "# Run this command to configure your shell: \n"
                 "# machine env myvm1 | save -f machine-env.nu; source machine-env.nu\n"}),
    [](const auto& info) { return shell_name(info.param.shell); });

struct QuoteCase {
    std::string label;
    Shell shell;
    std::string value;
    std::string quoted;
};

void PrintTo(const QuoteCase& c, std::ostream* os) {
    *os << c.label;
}

class Quoting : public testing::TestWithParam<QuoteCase> {};

TEST_P(Quoting, EscapesWhatTheShellTreatsSpecially) {
    const auto& c = GetParam();
    EXPECT_EQ(quote_value(c.shell, "V", c.value), c.quoted);
}

INSTANTIATE_TEST_SUITE_P(
    Values, Quoting,
    testing::Values(
        QuoteCase{"bash_plain", Shell::Bash, "a b", "\"a b\""},
        QuoteCase{"bash_specials", Shell::Bash, "\\\"$`", "\"\\\\\\\"\\$\\`\""},
        QuoteCase{"bash_single_quote", Shell::Bash, "it's", "\"it's\""},
        QuoteCase{"bash_bang", Shell::Bash, "a!b", "\"a\"'!'\"b\""},
        QuoteCase{"bash_newline", Shell::Bash, "a\nb", "\"a\nb\""},
        QuoteCase{"sh_empty", Shell::Sh, "", "\"\""},
        QuoteCase{"fish_specials", Shell::Fish, "\\\"$`'", "\"\\\\\\\"\\$`'\""},
        QuoteCase{"fish_newline", Shell::Fish, "a\nb", "\"a\"\\n\"b\""},
        QuoteCase{"ps_specials", Shell::PowerShell, "`\"$'", "\"```\"`$'\""},
        QuoteCase{"ps_newline", Shell::PowerShell, "a\r\nb", "\"a`r`nb\""},
        QuoteCase{"ps_backslash", Shell::PowerShell, "C:\\x", "\"C:\\x\""},
        QuoteCase{"ps_smart_quote", Shell::PowerShell, "a\u201Db", "\"a`\u201Db\""},
        QuoteCase{"tcsh_specials", Shell::Tcsh, "a'b!c$d\"e`f\\g", "'a'\\''b\\!c$d\"e`f\\g'"},
        QuoteCase{"tcsh_plain", Shell::Tcsh, "it's a b", "\"it's a b\""},
        QuoteCase{"tcsh_backslash", Shell::Tcsh, "C:\\x", "'C:\\x'"},
        QuoteCase{"emacs_specials", Shell::Emacs, "a\\b\"c\nd$", "\"a\\\\b\\\"c\nd$\""},
        QuoteCase{"cmd_path", Shell::Cmd, "C:\\Users\\me\\x (y)", "C:\\Users\\me\\x (y)"},
        QuoteCase{"nu_specials", Shell::Nushell, "a\\b\"c\nd\te$(f)",
                  "\"a\\\\b\\\"c\\nd\\te$(f)\""}),
    [](const auto& info) { return info.param.label; });

struct RefusedCase {
    std::string label;
    Shell shell;
    std::string value;
};

void PrintTo(const RefusedCase& c, std::ostream* os) {
    *os << c.label;
}

class Refused : public testing::TestWithParam<RefusedCase> {};

TEST_P(Refused, ValueTheShellCannotReceiveIsAUsageError) {
    const auto& c = GetParam();
    EXPECT_THROW(render(c.shell, {{"DOCKER_HOST", c.value}}, ""), UsageError);
}

INSTANTIATE_TEST_SUITE_P(Values, Refused,
                         testing::Values(RefusedCase{"tcsh_newline", Shell::Tcsh, "a\nb"},
                                         RefusedCase{"tcsh_cr", Shell::Tcsh, "a\rb"},
                                         RefusedCase{"cmd_amp", Shell::Cmd, "a&b"},
                                         RefusedCase{"cmd_pipe", Shell::Cmd, "a|b"},
                                         RefusedCase{"cmd_caret", Shell::Cmd, "a^b"},
                                         RefusedCase{"cmd_redirect", Shell::Cmd, "a>b"},
                                         RefusedCase{"cmd_percent", Shell::Cmd, "%PATH%"},
                                         RefusedCase{"cmd_newline", Shell::Cmd, "a\nb"},
                                         RefusedCase{"bash_nul", Shell::Bash,
                                                     std::string("a\0b", 3)}),
                         [](const auto& info) { return info.param.label; });

TEST(Render, RefusalNamesTheVariableAndShell) {
    try {
        render(Shell::Tcsh, {{"DOCKER_CERT_PATH", "a\nb"}}, "");
        FAIL() << "expected UsageError";
    } catch (const UsageError& e) {
        EXPECT_NE(std::string(e.what()).find("DOCKER_CERT_PATH"), std::string::npos);
        EXPECT_NE(std::string(e.what()).find("tcsh"), std::string::npos);
    }
}

TEST(Render, BadNamesAreUsageErrors) {
    for (const char* name : {"", "1ABC", "A-B", "A B", "A=B", "$(x)"}) {
        EXPECT_THROW(render(Shell::Bash, {{name, "1"}}, ""), UsageError) << name;
        EXPECT_THROW(render(Shell::Bash, {{name, std::nullopt}}, ""), UsageError) << name;
    }
    EXPECT_NO_THROW(render(Shell::Bash, {{"no_proxy", "x"}, {"_A1", "y"}}, ""));
}

} // namespace
