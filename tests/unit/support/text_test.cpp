#include "machine/support/text.h"

#include <gtest/gtest.h>

using machine::support::lower;
using machine::support::trim;

TEST(Text, TrimDropsWhitespaceAtBothEndsOnly) {
    EXPECT_EQ(trim("  a b\t\r\n"), "a b");
    EXPECT_EQ(trim("\n\v\f"), "");
    EXPECT_EQ(trim(""), "");
    EXPECT_EQ(trim("x"), "x");
    EXPECT_EQ(trim(" 20.10.24+dfsg1\n"), "20.10.24+dfsg1");
}

TEST(Text, LowerTouchesAsciiLettersOnly) {
    EXPECT_EQ(lower("ID=Debian"), "id=debian");
    EXPECT_EQ(lower("ZSH-5.9"), "zsh-5.9");
    EXPECT_EQ(lower("\xC3\x89t\xC3\xA9"), "\xC3\x89t\xC3\xA9") << "UTF-8 bytes pass as they are";
}
