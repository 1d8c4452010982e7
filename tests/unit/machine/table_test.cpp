#include "machine/table.h"

#include <gtest/gtest.h>

namespace machine {
namespace {

TEST(RenderColumns, PadsToTheWidestCellWithNoTrailingSpaces) {
    EXPECT_EQ(render_columns(
                  {{"NAME", "STATE", "ERROR"}, {"a-long-name", "Running", ""}, {"b", "", "boom"}}),
              "NAME         STATE    ERROR\n"
              "a-long-name  Running\n"
              "b                     boom\n");
    EXPECT_EQ(render_columns({{"A", "B"}, {"xy", "z"}}, 3), "A    B\nxy   z\n");
    EXPECT_EQ(render_columns({}), "");
}

} // namespace
} // namespace machine
