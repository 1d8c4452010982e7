#include "env/no_proxy.h"

#include <gtest/gtest.h>

using namespace machine::env;

namespace {

struct MergeCase {
    std::string existing;
    std::string host;
    std::string expected;
};

void PrintTo(const MergeCase& c, std::ostream* os) {
    *os << c.existing << " + " << c.host;
}

class MergeNoProxy : public testing::TestWithParam<MergeCase> {};

TEST_P(MergeNoProxy, TreatsTheValueAsAList) {
    const auto& c = GetParam();
    EXPECT_EQ(merge_no_proxy(c.existing, c.host), c.expected);
}

INSTANTIATE_TEST_SUITE_P(Cases, MergeNoProxy,
                         testing::Values(MergeCase{"", "10.0.0.1", "10.0.0.1"},
                                         MergeCase{"localhost", "10.0.0.1", "localhost,10.0.0.1"},
                                         MergeCase{"10.0.0.10", "10.0.0.1", "10.0.0.10,10.0.0.1"},
                                         MergeCase{"110.0.0.1", "10.0.0.1", "110.0.0.1,10.0.0.1"},
                                         MergeCase{"a,10.0.0.1,b", "10.0.0.1", "a,10.0.0.1,b"},
                                         MergeCase{" a , ,b,, ", "c", "a,b,c"},
                                         MergeCase{"a, 10.0.0.1 ", "10.0.0.1", "a,10.0.0.1"},
                                         MergeCase{"b,a", " c ", "b,a,c"},
                                         MergeCase{"a,b", "", "a,b"}, MergeCase{",,", "", ""}));

TEST(SplitNoProxy, TrimsAndDropsEmpties) {
    EXPECT_EQ(split_no_proxy(" x ,\ty,,z "), (std::vector<std::string>{"x", "y", "z"}));
    EXPECT_TRUE(split_no_proxy("").empty());
}

} // namespace
