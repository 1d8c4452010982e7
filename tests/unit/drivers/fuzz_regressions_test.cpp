// Inputs the fuzzers (tests/fuzz) found to crash a parser, kept as regression tests.
#include "drivers/virtualbox/parse.h"

#include <gtest/gtest.h>

namespace machine::drivers::virtualbox {
namespace {

// fuzz_vbox_parse: a version line whose number does not fit an int made std::stoi throw
// std::out_of_range out of parse_version.
TEST(FuzzRegressions, VBoxVersionWithAHugeNumberIsNoVersion) {
    EXPECT_FALSE(parse_version("99999999999999999999.0.1r1\n"));
    EXPECT_FALSE(parse_version("7.99999999999.1\n"));
    EXPECT_FALSE(parse_version("7.0.99999999999999r161095\n"));
    auto v = parse_version("6.1.50_Debianr161033\n7.0.99999999999999r1\n");
    ASSERT_TRUE(v);
    EXPECT_EQ(v->major, 6);
    EXPECT_EQ(v->patch, 50);
}

} // namespace
} // namespace machine::drivers::virtualbox
