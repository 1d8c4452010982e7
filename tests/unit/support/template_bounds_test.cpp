// The template engine's bounds: nesting, range iterations, printf width and precision, the size
// of values and output. Each violation is one UsageError line that names the limit, raised
// quickly and without allocating anywhere near gigabytes.
#include "machine/support/error.h"
#include "machine/support/template.h"

#include <gtest/gtest.h>

#include <chrono>
#include <vector>

using machine::UsageError;
using namespace machine::support;
using nlohmann::json;

namespace {

// The message of the UsageError `tmpl` raises, "" if none.
std::string error_of(const std::string& tmpl, const json& data = json::object()) {
    try {
        render_template(tmpl, data);
    } catch (const UsageError& e) {
        return e.what();
    }
    return "";
}

std::string repeat(const std::string& s, int n) {
    std::string out;
    for (int i = 0; i < n; ++i) {
        out += s;
    }
    return out;
}

TEST(TemplateBounds, PrintfWidthAndPrecisionAreBoundedAsInGo) {
    const auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(error_of(R"({{printf "%999999999d" 1}})"),
              "template error at 1:3: error calling printf: width in \"%999999999d\" is more than "
              "1000000");
    EXPECT_EQ(error_of(R"({{printf "%.99999999999999999999f" 1.5}})"),
              "template error at 1:3: error calling printf: precision in "
              "\"%.99999999999999999999f\" is more than 1000000");
    EXPECT_EQ(error_of(R"({{printf "%-1000001s" "x"}})"),
              "template error at 1:3: error calling printf: width in \"%-1000001s\" is more than "
              "1000000");
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
    // At the bound it still prints.
    EXPECT_EQ(render_template(R"({{printf "%1000000d" 7}})", {}).size(), 1000000u);
    EXPECT_EQ(render_template(R"({{printf "%5d|%.2s" 7 "abc"}})", {}), "    7|ab");
}

TEST(TemplateBounds, NestingDeeperThan100LevelsIsRefused) {
    const std::string ok = repeat("{{if 1}}", 100) + "x" + repeat("{{end}}", 100);
    EXPECT_EQ(render_template(ok, {}), "x");
    const std::string deep = repeat("{{if 1}}", 101) + "x" + repeat("{{end}}", 101);
    EXPECT_EQ(error_of(deep), "template error at 1:801: nested deeper than 100 levels");

    EXPECT_EQ(render_template("{{" + repeat("(", 100) + "1" + repeat(")", 100) + "}}", {}), "1");
    EXPECT_EQ(error_of("{{" + repeat("(", 100000) + "1" + repeat(")", 100000) + "}}"),
              "template error at 1:103: nested deeper than 100 levels");
    EXPECT_THROW(validate_template(repeat("{{range .}}{{with .}}", 60)), UsageError);
    // An else-if chain nests too.
    EXPECT_THROW(validate_template("{{if 0}}" + repeat("{{else if 0}}", 200) + "{{end}}"),
                 UsageError);
}

TEST(TemplateBounds, RangeRunsAtMostAMillionIterationsInAll) {
    EXPECT_EQ(render_template("{{range 1000000}}{{end}}", {}), "");
    EXPECT_EQ(error_of("{{range 1000001}}{{end}}"),
              "template error at 1:1: range ran more than 1000000 iterations");
    // Nested ranges count together, and a huge count ends at the bound rather than running on.
    EXPECT_EQ(error_of("x{{range 1001}}{{range 1000}}{{end}}{{end}}"),
              "template error at 1:16: range ran more than 1000000 iterations");
    EXPECT_EQ(error_of("{{range 9223372036854775807}}{{end}}"),
              "template error at 1:1: range ran more than 1000000 iterations");
    EXPECT_EQ(render_template("{{range -5}}x{{else}}none{{end}}", {}), "none");
}

TEST(TemplateBounds, OutputAndValuesStayUnder16MiB) {
    EXPECT_EQ(error_of(R"({{range 20}}{{printf "%1000000s" ""}}{{end}})"),
              "template error at 1:13: output larger than 16777216 bytes");
    // A value built by one call stops at the bound while it grows.
    EXPECT_EQ(
        error_of("{{len (printf \"" + repeat("%1000000s", 17) + "\"" + repeat(" \"\"", 17) + ")}}"),
        "template error at 1:8: error calling printf: result larger than 16777216 bytes");
    EXPECT_EQ(error_of("{{len (print" + repeat(R"( (printf "%1000000s" ""))", 17) + ")}}"),
              "template error at 1:8: error calling print: result larger than 16777216 bytes");
    EXPECT_EQ(error_of(R"({{len (split (printf "%200000s" "") "")}})"),
              "template error at 1:8: error calling split: more than 100000 parts");
    EXPECT_EQ(render_template(R"({{len (split (printf "%99999s" "") "")}})", {}), "99999");
}

TEST(TemplateBounds, EveryViolationIsOneLine) {
    for (const std::string& t :
         std::vector<std::string>{R"({{printf "%999999999d" 1}})", "{{range 2000000}}{{end}}",
                                  "{{" + repeat("(", 200) + "1" + repeat(")", 200) + "}}",
                                  R"({{range 20}}{{printf "%1000000s" ""}}{{end}})"}) {
        const std::string msg = error_of(t);
        EXPECT_FALSE(msg.empty()) << t;
        EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
    }
}

} // namespace
