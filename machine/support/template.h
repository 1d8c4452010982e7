#pragma once
// A subset of Go's text/template for `ls --format` and `inspect --format`, evaluated against
// JSON data, printing values the way Go does (strings raw, null as <no value>, arrays as [a b],
// objects as map[k:v]).
//
// Supported: text; {{.}} {{.A.B}} {{$}} {{$.A}}; literals ("s", `raw`, 12, 1.5, true, false,
// nil); pipelines {{.Name | upper}}; (sub pipelines); {{if}} {{else if}} {{else}} {{end}},
// {{range}} (over arrays, objects in key order, or a count) with {{else}}, {{with}}; comments
// {{/* */}}; trim markers {{- and -}}. Functions: json, prettyjson (4-space indent, as
// docker-machine), upper, lower, title, join LIST SEP, split S SEP, print, println, printf
// (%s %v %d %q %t %f %x with flags and width), len, index, eq, ne, lt, le, gt, ge, not, and, or.
// Not supported: variables other than $, define/template/block, break/continue.
// Deliberately lenient where Go would fail on missing data: a missing value given to a string
// function is "", to len is 0, to index is missing, to a comparison is unequal.
//
// Bounded, so a --format cannot exhaust memory or time: actions and parentheses nest at most
// k_template_max_depth levels, one rendering runs at most k_template_max_range iterations of
// {{range}} in all, printf's width and precision are at most k_template_max_width (Go's own
// limit), and no value or output grows past k_template_max_output bytes (a split past
// k_template_max_items parts). Going past a bound is a UsageError that names it.
//
// Backslash escapes in the template text (a typed "\t") are not interpreted, as in Go; a
// caller that wants docker's CLI behaviour applies `unescape_format` first.
#include <cstddef>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace machine::support {

inline constexpr int k_template_max_depth = 100;
inline constexpr long long k_template_max_range = 1'000'000;
inline constexpr std::size_t k_template_max_width = 1'000'000;
inline constexpr std::size_t k_template_max_output = 16 * 1024 * 1024;
inline constexpr std::size_t k_template_max_items = 100'000;

// Renders `tmpl` against `data`. Throws UsageError on a malformed template or a failed
// evaluation, naming the line and column: "template error at 1:12: unclosed action".
std::string render_template(const std::string& tmpl, const nlohmann::json& data);

// Parses only; throws like render_template for a malformed template. For checking a --format
// before any data exists.
void validate_template(const std::string& tmpl);

// docker's CLI convenience: the two-character sequences \t and \n become a tab and a newline.
std::string unescape_format(const std::string& format);

// "table" alone or "table " followed by a template: docker's form for column output.
bool is_table_format(const std::string& format);
// The template after "table" and its following spaces ("" for "table" alone).
std::string strip_table_prefix(const std::string& format);

struct TableStyle {
    int min_width = 5; // docker-machine's ls (tabwriter 5, 1, 3); docker's CLI uses 20
    int padding = 3;
};

// Renders `tmpl` once per row, then aligns the tab-separated cells in columns as Go's tabwriter
// does, under a header row. A cell's header is `headers[path]` for the first field it shows
// (".DriverName" -> path "DriverName", ".Driver.IP" -> "Driver.IP"), else that field's last
// name upper-cased (DRIVERNAME, IP). Each row ends with a newline.
std::string render_table(const std::string& tmpl, const std::vector<nlohmann::json>& rows,
                         const std::map<std::string, std::string>& headers = {},
                         TableStyle style = {});

// Go's text/tabwriter on `text` (cells end at '\t', lines at '\n'; width in code points;
// flags 0, pad with spaces). Exposed for callers that build their own rows.
std::string tabwriter(const std::string& text, TableStyle style = {});

} // namespace machine::support
