// config.json as Store::load reads it: the size and depth bounds, parsing, the shape check,
// path rewriting (absolutize on load, relativize on save) and the conversion to Host and back.
// Any exception other than machine::Error (a bare nlohmann error, std::bad_alloc) is a finding.
#include "machine/host.h"
#include "machine/support/error.h"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    const machine::fs::path root = "/store";
    try {
        machine::Host host = machine::host_from_config(text, root / "machines/m/config.json", root);
        (void)host.url();
        nlohmann::json j = host;
        machine::relativize_paths(j, root);
        (void)j.dump(4);
        machine::absolutize_paths(j, root);
        (void)j.get<machine::Host>();
    } catch (const machine::Error&) {
    }
    return 0;
}
