#include "machine/support/error.h"
#include "machine/support/template.h"

#include <gtest/gtest.h>

using machine::UsageError;
using namespace machine::support;
using nlohmann::json;

namespace {

const json k_data = json::parse(R"({
    "Name": "myvm1", "State": "Running", "Active": true, "Memory": 1024, "CPU": 1.5,
    "List": ["a", "b", "c"], "Empty": [], "Nums": [1, 2, 3], "Mixed": [1, null, "x", true],
    "Map": {"b": 2, "a": "x"}, "Null": null, "Html": "<a&b>",
    "Driver": {"IPAddress": "192.168.122.10", "SSHPort": 22}
})");

struct Case {
    std::string tmpl;
    std::string expected;
};

void PrintTo(const Case& c, std::ostream* os) {
    *os << c.tmpl;
}

class Render : public testing::TestWithParam<Case> {};

TEST_P(Render, PrintsLikeGoTextTemplate) {
    EXPECT_EQ(render_template(GetParam().tmpl, k_data), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Fields, Render,
    testing::Values(Case{"plain text", "plain text"}, Case{"", ""}, Case{"{{.Name}}", "myvm1"},
                    Case{"{{ .Name }}", "myvm1"}, Case{"{{.Driver.IPAddress}}", "192.168.122.10"},
                    Case{"{{.Missing}}", "<no value>"}, Case{"{{.Missing.Deeper}}", "<no value>"},
                    Case{"{{.Null}}", "<no value>"}, Case{"{{.Memory}}", "1024"},
                    Case{"{{.CPU}}", "1.5"}, Case{"{{.Active}}", "true"},
                    Case{"{{.List}}", "[a b c]"}, Case{"{{.Mixed}}", "[1 <nil> x true]"},
                    Case{"{{.Map}}", "map[a:x b:2]"},
                    Case{"{{.Driver}}", "map[IPAddress:192.168.122.10 SSHPort:22]"},
                    Case{"{{$.Name}}{{range .List}}{{$.Name}}{{end}}", "myvm1myvm1myvm1myvm1"},
                    Case{"{{(index .Nums 0)}}", "1"},
                    Case{"{{.Name}}\\t{{.State}}", "myvm1\\tRunning"}));

INSTANTIATE_TEST_SUITE_P(
    Literals, Render,
    testing::Values(Case{"{{\"quoted\\ttab\"}}", "quoted\ttab"}, Case{"{{`raw\\t`}}", "raw\\t"},
                    Case{"{{\"\\u00fc\\x41\"}}", "\u00fcA"}, Case{"{{-3}}", "-3"},
                    Case{"{{true}} {{false}} {{nil}}", "true false <no value>"},
                    Case{"{{1e6}} {{0.0001}} {{0.00001}} {{123456.0}} {{-2.5}} {{100000.0}}",
                         "1e+06 0.0001 1e-05 123456 -2.5 100000"},
                    Case{"{{1234567.0}} {{0.1}}", "1.234567e+06 0.1"}));

INSTANTIATE_TEST_SUITE_P(
    Functions, Render,
    testing::Values(
        Case{"{{json .Driver}}", R"({"IPAddress":"192.168.122.10","SSHPort":22})"},
        Case{"{{json .Html}}", R"("\u003ca\u0026b\u003e")"}, Case{"{{json .Null}}", "null"},
        Case{"{{json .}}",
             k_data.dump().replace(k_data.dump().find("<a&b>"), 5, R"(\u003ca\u0026b\u003e)")},
        Case{"{{prettyjson .Map}}", "{\n    \"a\": \"x\",\n    \"b\": 2\n}"},
        Case{"{{prettyjson .Empty}}", "[]"}, Case{"{{.Name | upper}}", "MYVM1"},
        Case{"{{upper .Name}}", "MYVM1"}, Case{"{{lower \"ABC\"}}", "abc"},
        Case{"{{.Name | upper | lower}}", "myvm1"},
        Case{"{{title \"hello big-world\"}}", "Hello Big-World"},
        Case{"{{join .List \",\"}}", "a,b,c"}, Case{"{{join .Nums \" - \"}}", "1 - 2 - 3"},
        Case{"{{join .Missing \",\"}}", ""}, Case{"{{split \"a,b,,c\" \",\"}}", "[a b  c]"},
        Case{"{{println .Name .Memory}}", "myvm1 1024\n"},
        Case{"{{print \"a\" \"b\" 1 2 \"c\"}}", "ab1 2c"}, Case{"{{print .Missing}}", "<nil>"},
        Case{"{{printf \"%-8s|%5d|%.2f|%q|%v\" .Name .Memory .CPU .Name .List}}",
             "myvm1   | 1024|1.50|\"myvm1\"|[a b c]"},
        Case{"{{printf \"%05d %x %t %%\" 42 255 true}}", "00042 ff true %"},
        Case{"{{printf \"%s %s\" \"one\"}}", "one %!s(MISSING)"},
        Case{"{{(index .Nums 0) | printf \"%03d\"}}", "001"},
        Case{"{{len .List}} {{len .Name}} {{len .Missing}} {{len .Map}}", "3 5 0 2"},
        Case{"{{index .List 1}} {{index .Map \"a\"}} {{index .Map \"zz\"}}", "b x <no value>"},
        Case{"{{index . \"Driver\" \"SSHPort\"}}", "22"},
        Case{"{{eq .State \"Running\"}} {{eq .State \"Stopped\" \"Running\"}} {{eq .Memory 1024}}",
             "true true true"},
        Case{"{{ne .State \"Running\"}} {{eq .Missing \"x\"}} {{eq .CPU 1.5}}", "false false true"},
        Case{"{{lt 1 2}} {{le 2 2}} {{gt .Memory 512}} {{ge \"a\" \"b\"}} {{lt 1 1.5}}",
             "true true true false true"},
        Case{"{{not .Active}} {{not .Empty}}", "false true"},
        Case{"{{or .Missing \"default\"}} {{and .Active .Name}} {{and .Active .Empty 1}}",
             "default myvm1 []"}));

INSTANTIATE_TEST_SUITE_P(
    Control, Render,
    testing::Values(
        Case{"{{if .Active}}yes{{else}}no{{end}}", "yes"},
        Case{"{{if .Empty}}yes{{else}}no{{end}}", "no"}, Case{"{{if .Missing}}yes{{end}}", ""},
        Case{"{{if .Missing}}a{{else if .Active}}b{{else}}c{{end}}", "b"},
        Case{"{{if .Missing}}a{{else if .Null}}b{{else}}c{{end}}", "c"},
        Case{"{{if and .Active (gt .Memory 512)}}big{{end}}", "big"},
        Case{"{{if eq .State \"Running\"}}up{{end}}", "up"},
        Case{"{{range .List}}<{{.}}>{{end}}", "<a><b><c>"},
        Case{"{{range .Empty}}x{{else}}none{{end}}", "none"},
        Case{"{{range .Missing}}x{{else}}none{{end}}", "none"},
        Case{"{{range .Map}}{{.}};{{end}}", "x;2;"}, Case{"{{range 3}}{{.}}{{end}}", "012"},
        Case{"{{range .Nums}}{{if gt . 1}}{{.}}{{end}}{{end}}", "23"},
        Case{"{{with .Driver}}{{.SSHPort}}{{end}}", "22"},
        Case{"{{with .Missing}}x{{else}}none{{end}}", "none"},
        Case{"{{with .Driver}}{{with .IPAddress}}{{.}}{{end}}{{end}}", "192.168.122.10"}));

INSTANTIATE_TEST_SUITE_P(
    Whitespace, Render,
    testing::Values(Case{"a  {{- .Name -}}  b", "amyvm1b"},
                    Case{"a  {{.Name -}}\n\n b", "a  myvm1b"},
                    Case{"a\n{{- /* comment */ -}}\nb", "ab"}, Case{"{{/* c */}}x", "x"},
                    Case{"{{range .List -}}\n  {{.}}\n{{- end}}", "abc"},
                    Case{"{{-3}}{{- 3}}", "-33"},
                    Case{"{{if .Active -}} yes {{- else -}} no {{- end}}", "yes"}));

TEST(Render, DotIsTheWholeData) {
    EXPECT_EQ(render_template("{{.}}", json("str")), "str");
    EXPECT_EQ(render_template("{{.}}", json(nullptr)), "<no value>");
    EXPECT_EQ(render_template("{{.}}", json::array({1, "a"})), "[1 a]");
    EXPECT_EQ(render_template("{{.Name}}", json(nullptr)), "<no value>");
}

TEST(Render, FunctionsOnMissingDataAreLenientSoEmptyDataChecksWork) {
    EXPECT_EQ(
        render_template("{{.Name | upper}} {{len .X}} {{index .X 1}} {{lt .X 1}}", json::object()),
        " 0 <no value> false");
}

struct ErrorCase {
    std::string tmpl;
    std::string message; // expected within what()
};

void PrintTo(const ErrorCase& c, std::ostream* os) {
    *os << c.tmpl;
}

class Errors : public testing::TestWithParam<ErrorCase> {};

TEST_P(Errors, AreUsageErrorsWithPosition) {
    try {
        render_template(GetParam().tmpl, k_data);
        FAIL() << "no error for " << GetParam().tmpl;
    } catch (const UsageError& e) {
        EXPECT_NE(std::string(e.what()).find(GetParam().message), std::string::npos)
            << "what(): " << e.what();
    }
}

INSTANTIATE_TEST_SUITE_P(
    Parse, Errors,
    testing::Values(ErrorCase{"{{.Name", "template error at 1:8: unclosed action"},
                    ErrorCase{"ab {{if .X}}a", "at 1:4: unexpected EOF: {{if}} has no {{end}}"},
                    ErrorCase{"{{range .X}}{{else}}", "has no {{end}}"},
                    ErrorCase{"x{{end}}", "at 1:2: unexpected {{end}}"},
                    ErrorCase{"{{else}}", "at 1:1: unexpected {{else}}"},
                    ErrorCase{"{{if .A}}{{else}}{{else}}{{end}}", "unexpected second {{else}}"},
                    ErrorCase{"{{nosuch .X}}", "at 1:3: function \"nosuch\" not defined"},
                    ErrorCase{"{{.X | }}", "missing value for command"},
                    ErrorCase{"{{}}", "at 1:1: missing value for command"},
                    ErrorCase{"{{if}}{{end}}", "missing value for if"},
                    ErrorCase{"{{\"abc}}", "unterminated quoted string"},
                    ErrorCase{"{{\"\\q\"}}", "invalid escape"},
                    ErrorCase{"{{$x := 1}}", "variables are not supported"},
                    ErrorCase{"{{$x}}", "variables are not supported"},
                    ErrorCase{"{{define \"x\"}}{{end}}", "{{define}} is not supported"},
                    ErrorCase{"a\nbc {{.X )}}", "at 2:9: unexpected right paren"},
                    ErrorCase{"{{(.X}}", "unclosed left paren"},
                    ErrorCase{"{{/* x }}", "unclosed comment"},
                    ErrorCase{"{{1.2.3}}", "bad number syntax"},
                    ErrorCase{"{{.X # }}", "unexpected \"#\" in command"}));

INSTANTIATE_TEST_SUITE_P(
    Execute, Errors,
    testing::Values(ErrorCase{"{{.Name.First}}",
                              "at 1:3: can't evaluate field First in type string"},
                    ErrorCase{"{{.List.First}}", "can't evaluate field First in type array"},
                    ErrorCase{"{{range .Name}}{{end}}", "range can't iterate over myvm1"},
                    ErrorCase{"{{index .List 5}}", "error calling index: index out of range: 5"},
                    ErrorCase{"{{index .Name 0}}", "can't index item of type string"},
                    ErrorCase{"{{upper .Memory}}", "expected string; got int"},
                    ErrorCase{"{{join .Name \",\"}}", "expected list"},
                    ErrorCase{"{{.Name .State}}", "can't give argument to non-function"},
                    ErrorCase{"{{.Name | .State}}", "can't give argument to non-function"},
                    ErrorCase{"{{len}}", "wrong number of args"},
                    ErrorCase{"{{len .Memory}}", "len of type int"},
                    ErrorCase{"{{lt .Name 3}}", "incompatible types for comparison"}));

TEST(Validate, ParsesWithoutData) {
    EXPECT_NO_THROW(validate_template("{{.Name | upper}}\t{{range .X}}{{.}}{{end}}"));
    EXPECT_THROW(validate_template("{{.Name"), UsageError);
    EXPECT_THROW(validate_template("{{nosuch}}"), UsageError);
}

TEST(UnescapeFormat, TurnsBackslashTAndNIntoTabAndNewline) {
    EXPECT_EQ(unescape_format("table {{.Name}}\\t{{.URL}}\\n"), "table {{.Name}}\t{{.URL}}\n");
    EXPECT_EQ(unescape_format("a\\\\tb\\x"), "a\\\tb\\x");
    EXPECT_EQ(unescape_format("trailing\\"), "trailing\\");
}

TEST(TableFormat, Detection) {
    EXPECT_TRUE(is_table_format("table"));
    EXPECT_TRUE(is_table_format("table {{.Name}}"));
    EXPECT_TRUE(is_table_format("table\t{{.Name}}"));
    EXPECT_FALSE(is_table_format("tablet"));
    EXPECT_FALSE(is_table_format("{{.Name}} table"));
    EXPECT_FALSE(is_table_format(""));
    EXPECT_EQ(strip_table_prefix("table   {{.Name}}\t{{.URL}}"), "{{.Name}}\t{{.URL}}");
    EXPECT_EQ(strip_table_prefix("table"), "");
    EXPECT_EQ(strip_table_prefix("{{.Name}}"), "{{.Name}}");
}

TEST(TabWriter, AlignsColumnsLikeGo) {
    EXPECT_EQ(tabwriter("a\tbbb\tc\nxxxx\ty\tz\n"), "a      bbb   c\nxxxx   y     z\n");
    // A line without a cell in a column ends that column's block (Go's column blocks).
    EXPECT_EQ(tabwriter("a\tb\nlonger\nccccccc\td\n"), "a    b\nlonger\nccccccc   d\n");
    // Width counts code points, not bytes; min width 5 applies.
    EXPECT_EQ(tabwriter("\u00fc\tx\n"), "\u00fc    x\n");
    EXPECT_EQ(tabwriter("a\tb\n", TableStyle{20, 3}),
              std::string("a") + std::string(19, ' ') + "b\n");
    EXPECT_EQ(tabwriter("no newline"), "no newline");
    EXPECT_EQ(tabwriter(""), "");
}

TEST(RenderTable, HeaderFromFieldsThenAlignedRows) {
    const std::vector<json> rows = {
        {{"Name", "myvm1"}, {"State", "Running"}, {"DriverName", "libvirt"}},
        {{"Name", "vm2"}, {"State", "Stopped"}, {"DriverName", "virtualbox"}},
    };
    EXPECT_EQ(
        render_table("{{.Name}}\t{{.State}}\t{{.DriverName}}", rows, {{"DriverName", "DRIVER"}}),
        "NAME    STATE     DRIVER\n"
        "myvm1   Running   libvirt\n"
        "vm2     Stopped   virtualbox\n");
    EXPECT_EQ(render_table("{{.Name}}\t{{.DriverName}}", rows),
              "NAME    DRIVERNAME\nmyvm1   libvirt\nvm2     virtualbox\n");
}

TEST(RenderTable, NoRowsPrintsTheHeader) {
    EXPECT_EQ(render_table("{{.Name}}\t{{.URL}}", {}), "NAME   URL\n");
}

TEST(RenderTable, HeadersForNestedFieldsPipelinesAndLiterals) {
    const std::vector<json> rows = {{{"Name", "a"}, {"Driver", {{"IPAddress", "10.1.2.3"}}}}};
    EXPECT_EQ(render_table("{{.Name | upper}}\t{{.Driver.IPAddress}}\t{{\"lit\"}}", rows),
              "NAME   IPADDRESS   \nA      10.1.2.3    lit\n");
    EXPECT_EQ(render_table("{{.Driver.IPAddress}}\t{{.Name}}", rows, {{"Driver.IPAddress", "IP"}}),
              "IP         NAME\n10.1.2.3   a\n");
}

TEST(RenderTable, MalformedTemplateIsAUsageError) {
    EXPECT_THROW(render_table("{{.Name", {}), UsageError);
    EXPECT_THROW(render_table("{{.Name.X}}", {json{{"Name", "s"}}}), UsageError);
}

} // namespace
