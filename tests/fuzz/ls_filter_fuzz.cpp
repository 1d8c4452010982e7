// `ls --filter` expressions: each input line is one --filter value; the filter is then matched
// against a few rows. UsageError is the expected failure for a bad expression.
#include "machine/listing.h"
#include "machine/support/error.h"

#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
    machine::ListFilter filter;
    std::string line;
    try {
        while (std::getline(in, line)) {
            filter.add(line);
        }
    } catch (const machine::UsageError&) {
        return 0;
    }
    machine::ListRow a;
    a.name = "web-1";
    a.driver = "libvirt";
    a.state = "Running";
    a.labels = {"env=prod", "tier=web"};
    machine::ListRow b;
    b.name = "";
    b.state = "Error";
    (void)filter.matches(a);
    (void)filter.matches(b);
    return 0;
}
