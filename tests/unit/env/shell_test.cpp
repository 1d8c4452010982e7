#include "env/shell.h"

#include <gtest/gtest.h>

#include <fstream>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace machine::env;

namespace {

TEST(ParseShell, AcceptsNamesAliasesAndPaths) {
    const std::vector<std::pair<std::string, Shell>> cases = {
        {"bash", Shell::Bash},
        {"zsh", Shell::Zsh},
        {"sh", Shell::Sh},
        {"dash", Shell::Sh},
        {"ksh", Shell::Sh},
        {"fish", Shell::Fish},
        {"powershell", Shell::PowerShell},
        {"pwsh", Shell::PowerShell},
        {"cmd", Shell::Cmd},
        {"tcsh", Shell::Tcsh},
        {"csh", Shell::Tcsh},
        {"emacs", Shell::Emacs},
        {"nu", Shell::Nushell},
        {"nushell", Shell::Nushell},
        {"/usr/bin/zsh", Shell::Zsh},
        {"-bash", Shell::Bash},
        {"BASH", Shell::Bash},
        {"pwsh.exe", Shell::PowerShell},
        {"C:\\Windows\\System32\\cmd.exe", Shell::Cmd},
    };
    for (const auto& [name, shell] : cases) {
        EXPECT_EQ(parse_shell(name), shell) << name;
    }
}

TEST(ParseShell, RejectsOthers) {
    for (const char* name : {"", "python3", "sudo", "bashful", "zsh-5.9", "/bin/", "-"}) {
        EXPECT_EQ(parse_shell(name), std::nullopt) << name;
    }
}

TEST(ShellName, RoundTripsThroughParse) {
    for (Shell s : {Shell::Bash, Shell::Zsh, Shell::Sh, Shell::Fish, Shell::PowerShell, Shell::Cmd,
                    Shell::Tcsh, Shell::Emacs, Shell::Nushell}) {
        EXPECT_EQ(parse_shell(shell_name(s)), s) << shell_name(s);
    }
}

struct DetectCase {
    std::string label;
    std::map<std::string, std::string> environ;
    std::string parent;
    Shell expected;
};

void PrintTo(const DetectCase& c, std::ostream* os) {
    *os << c.label;
}

class Detect : public testing::TestWithParam<DetectCase> {};

TEST_P(Detect, PicksTheShellThatWillEvaluateTheOutput) {
    const auto& c = GetParam();
    EXPECT_EQ(detect_shell(c.environ, c.parent), c.expected);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, Detect,
    testing::Values(
        DetectCase{"parent_beats_SHELL", {{"SHELL", "/bin/bash"}}, "fish", Shell::Fish},
        DetectCase{"login_parent", {{"SHELL", "/bin/zsh"}}, "-bash", Shell::Bash},
        DetectCase{"non_shell_parent_uses_SHELL", {{"SHELL", "/usr/bin/zsh"}}, "sudo", Shell::Zsh},
        DetectCase{"no_parent_uses_SHELL", {{"SHELL", "/bin/tcsh"}}, "", Shell::Tcsh},
        DetectCase{"unknown_SHELL_then_PSModulePath",
                   {{"SHELL", "/opt/weird"}, {"PSModulePath", "/x"}},
                   "make",
                   Shell::PowerShell},
        DetectCase{"pwsh_parent", {}, "pwsh", Shell::PowerShell},
        DetectCase{"nothing_known_is_bash", {}, "", Shell::Bash},
        DetectCase{
            "unknown_everything_is_bash", {{"SHELL", "/bin/elvish"}}, "python3", Shell::Bash}),
    [](const auto& info) { return info.param.label; });

class FakeProc : public testing::Test {
protected:
    void SetUp() override {
        m_root = fs::temp_directory_path() / ("machine-env-proc-" + std::to_string(::getpid()));
        fs::remove_all(m_root);
        fs::create_directories(m_root / "self");
    }
    void TearDown() override { fs::remove_all(m_root); }
    void write(const fs::path& rel, const std::string& text) {
        fs::create_directories((m_root / rel).parent_path());
        std::ofstream(m_root / rel) << text;
    }
    fs::path m_root;
};

TEST_F(FakeProc, ReadsParentCommFromPpid) {
    write("self/stat", "4242 (machine) S 77 4242 77 0 -1 4194560 100 0 0 0\n");
    write("77/comm", "zsh\n");
    EXPECT_EQ(parent_process_name(m_root), "zsh");
}

TEST_F(FakeProc, OwnCommWithSpacesAndParensDoesNotConfuseThePpid) {
    write("self/stat", "4242 (a) S 1 (b) R 99 4242 77 0 -1\n");
    write("99/comm", "fish\n");
    write("1/comm", "init\n");
    EXPECT_EQ(parent_process_name(m_root), "fish");
}

TEST_F(FakeProc, MissingFilesGiveEmpty) {
    EXPECT_EQ(parent_process_name(m_root), "");
    write("self/stat", "4242 (machine) S 55 1\n");
    EXPECT_EQ(parent_process_name(m_root), "");
    write("self/stat", "garbage");
    EXPECT_EQ(parent_process_name(m_root), "");
}

TEST(ParentProcessName, RealProcNamesOurParent) {
    std::ifstream in("/proc/" + std::to_string(::getppid()) + "/comm");
    std::string expected;
    std::getline(in, expected);
    ASSERT_FALSE(expected.empty());
    EXPECT_EQ(parent_process_name(), expected);
}

} // namespace
