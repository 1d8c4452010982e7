// VBoxManage's output, given to every parser of drivers/virtualbox/parse.h.
#include "drivers/virtualbox/parse.h"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    namespace vb = machine::drivers::virtualbox;
    const std::string out(reinterpret_cast<const char*>(data), size);
    const auto info = vb::parse_machine_readable(out);
    if (auto it = info.find("VMState"); it != info.end()) {
        (void)vb::state_from_vmstate(it->second);
    }
    (void)vb::parse_hostonlyifs(out);
    (void)vb::parse_hostonlynets(out);
    (void)vb::parse_dhcpservers(out);
    (void)vb::parse_version(out);
    (void)vb::parse_systemproperties(out);
    (void)vb::parse_vms(out);
    (void)vb::parse_created_interface(out);
    (void)vb::parse_error(out);
    (void)vb::is_retryable_error(out);
    return 0;
}
