// /etc/os-release as a guest reports it, and the package manager chosen from it.
#include "machine/support/error.h"
#include "provision/os_release.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const auto os = machine::provision::parse_os_release(
        std::string_view(reinterpret_cast<const char*>(data), size));
    if (os) {
        try {
            (void)machine::provision::to_string(machine::provision::pick(*os));
        } catch (const machine::Error&) {
        }
    }
    return 0;
}
