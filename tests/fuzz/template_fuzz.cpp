// The template lexer, parser and evaluator (inspect/ls --format) and the table renderer. Input:
// the template, then optionally a NUL byte and JSON data to render it against (depth-limited as
// the data machine renders is: its own records). UsageError is the expected failure.
#include "machine/support/error.h"
#include "machine/support/template.h"

#include <cstddef>
#include <cstdint>
#include <string>

namespace {

const nlohmann::json k_row = nlohmann::json::parse(R"({
    "Name": "m1", "Active": "*", "DriverName": "libvirt", "State": "Running",
    "URL": "tcp://192.168.42.2:2376", "Swarm": "", "DockerVersion": "v20.10.24",
    "Error": "", "ResponseTime": 12.5, "Labels": ["a=b", "c=d"], "Memory": 2048,
    "Driver": {"IPAddress": "192.168.42.2", "SSHPort": 22, "Nested": {"List": [1, null, "x"]}}
})");

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string input(reinterpret_cast<const char*>(data), size);
    const auto nul = input.find('\0');
    const std::string tmpl = input.substr(0, nul);
    nlohmann::json row = k_row;
    if (nul != std::string::npos) {
        row = nlohmann::json::parse(
            input.substr(nul + 1),
            [](int depth, nlohmann::json::parse_event_t, nlohmann::json&) { return depth < 16; },
            /*allow_exceptions=*/false);
    }
    try {
        machine::support::validate_template(tmpl);
        (void)machine::support::render_template(machine::support::unescape_format(tmpl), row);
    } catch (const machine::UsageError&) {
    }
    try {
        if (machine::support::is_table_format(tmpl)) {
            (void)machine::support::render_table(machine::support::strip_table_prefix(tmpl),
                                                 {row, k_row});
        }
    } catch (const machine::UsageError&) {
    }
    return 0;
}
