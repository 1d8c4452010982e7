// Machine names: docker-machine's rule (letters, digits, '-', '.', starting with a letter or
// digit) plus what a hostname accepts (at most 63 characters, labels not starting or ending
// with '-', no empty labels).
#include "machine/names.h"
#include "machine/support/error.h"

#include <gtest/gtest.h>

#include <string>

namespace machine {
namespace {

class ValidName : public ::testing::TestWithParam<std::string> {};

TEST_P(ValidName, IsAccepted) {
    EXPECT_EQ(name_problem(GetParam()), std::nullopt);
    EXPECT_NO_THROW(validate_name(GetParam()));
}

INSTANTIATE_TEST_SUITE_P(Names, ValidName,
                         ::testing::Values("m1", "default", "a", "7", "web-1", "web.example",
                                           "a.b.c", "0abc", "MixedCase", "x-y-z.1-2",
                                           std::string(63, 'a')));

struct BadName {
    std::string name;
    std::string reason_contains;
};

class InvalidName : public ::testing::TestWithParam<BadName> {};

TEST_P(InvalidName, IsRefusedWithItsReason) {
    const auto& c = GetParam();
    auto problem = name_problem(c.name);
    ASSERT_TRUE(problem.has_value()) << "accepted: \"" << c.name << "\"";
    EXPECT_NE(problem->find(c.reason_contains), std::string::npos) << *problem;
    try {
        validate_name(c.name);
        FAIL() << "validate_name accepted \"" << c.name << "\"";
    } catch (const UsageError& e) {
        std::string what = e.what();
        EXPECT_NE(what.find("invalid machine name"), std::string::npos) << what;
        EXPECT_NE(what.find(c.reason_contains), std::string::npos) << what;
        EXPECT_EQ(what.find('\n'), std::string::npos) << "one line: " << what;
        EXPECT_EQ(e.exit_code(), k_exit_usage);
    }
}

INSTANTIATE_TEST_SUITE_P(
    Names, InvalidName,
    ::testing::Values(BadName{"", "empty"}, BadName{std::string(64, 'a'), "63"},
                      BadName{"-web", "start with a letter or digit"},
                      BadName{".web", "start with a letter or digit"}, BadName{"web_1", "'_'"},
                      BadName{"web 1", "' '"}, BadName{"a/b", "'/'"}, BadName{"a:b", "':'"},
                      BadName{"caf\xc3\xa9", "not allowed"}, BadName{"a..b", "empty labels"},
                      BadName{"web.", "empty labels"}, BadName{"web-", "start or end with '-'"},
                      BadName{"a.-b", "start or end with '-'"},
                      BadName{"a-.b", "start or end with '-'"}),
    [](const ::testing::TestParamInfo<BadName>& info) {
        return "case" + std::to_string(info.index);
    });

TEST(MachineName, HoldsOnlyValidNames) {
    EXPECT_EQ(MachineName("myvm1").str(), "myvm1");
    EXPECT_EQ(MachineName(std::string("myvm2")).str(), "myvm2");
    for (const char* bad : {"..", "../..", "/abs/dir", "../../x", ".", "a/b"})
        EXPECT_THROW(MachineName{bad}, UsageError) << bad;
}

TEST(MachineName, MessagesStayOnOneLine) {
    try {
        MachineName{std::string("a\nb\x1b[2J")};
        FAIL();
    } catch (const UsageError& e) {
        std::string what = e.what();
        EXPECT_EQ(what.find('\n'), std::string::npos) << what;
        EXPECT_EQ(what.find('\x1b'), std::string::npos) << what;
        EXPECT_NE(what.find("a\\x0ab"), std::string::npos) << what;
    }
}

} // namespace
} // namespace machine
