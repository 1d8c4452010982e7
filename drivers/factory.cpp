#include "drivers/factory.h"

#include "drivers/libvirt/libvirt_driver.h"
#include "drivers/none/none_driver.h"
#include "drivers/virtualbox/virtualbox_driver.h"
#include "machine/support/backends.h"
#include "machine/support/error.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace machine::drivers {

std::vector<std::string> driver_names() { return {"libvirt", "virtualbox", "none"}; }

std::vector<FlagSpec> all_create_flags() {
    std::vector<FlagSpec> flags;
    auto add = [&](std::vector<FlagSpec> more) {
        flags.insert(flags.end(), more.begin(), more.end());
    };
    add(libvirt::LibvirtDriver::create_flags());
    add(virtualbox::VirtualBoxDriver::create_flags());
    add(none::NoneDriver::create_flags());
    return flags;
}

std::unique_ptr<Driver> make_driver(const std::string& name, const DriverContext& ctx) {
    if (name == "libvirt") {
        // In machine-backends.so with libvirt itself (drivers/libvirt/entry.cpp).
        using Make = Driver* (*)(const DriverContext&);
        auto make = support::backend_function<Make>("machine_libvirt_driver_v1", "the libvirt driver");
        return std::unique_ptr<Driver>(make(ctx));
    }
    if (name == "virtualbox")
        return std::make_unique<virtualbox::VirtualBoxDriver>(ctx);
    if (name == "none")
        return std::make_unique<none::NoneDriver>(ctx);
    throw UsageError(fmt::format("unknown driver \"{}\" (available: {})", name,
                                 fmt::join(driver_names(), ", ")));
}

} // namespace machine::drivers
