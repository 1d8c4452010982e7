#include "drivers/factory.h"

#include "drivers/libvirt/libvirt_driver.h"
#include "drivers/none/none_driver.h"
#include "drivers/virtualbox/virtualbox_driver.h"
#include "machine/support/error.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace machine::drivers {

std::vector<std::string> driver_names() { return {"libvirt", "virtualbox", "none"}; }

std::vector<FlagSpec> all_create_flags() {
    std::vector<FlagSpec> flags;
    for (const auto& name : driver_names()) {
        auto more = create_flags(name);
        flags.insert(flags.end(), more.begin(), more.end());
    }
    return flags;
}

std::vector<FlagSpec> create_flags(const std::string& driver) {
    if (driver == "libvirt")
        return libvirt::LibvirtDriver::create_flags();
    if (driver == "virtualbox")
        return virtualbox::VirtualBoxDriver::create_flags();
    if (driver == "none")
        return none::NoneDriver::create_flags();
    throw UsageError(fmt::format("unknown driver \"{}\" (available: {})", driver,
                                 fmt::join(driver_names(), ", ")));
}

std::unique_ptr<Driver> make_driver(const std::string& name, const DriverContext& ctx,
                                    const DriverMakers& makers) {
    if (name == "libvirt") {
        if (!makers.libvirt)
            throw Unavailable("the libvirt driver is not available in this program");
        return makers.libvirt(ctx);
    }
    if (name == "virtualbox")
        return std::make_unique<virtualbox::VirtualBoxDriver>(ctx);
    if (name == "none")
        return std::make_unique<none::NoneDriver>(ctx);
    throw UsageError(fmt::format("unknown driver \"{}\" (available: {})", name,
                                 fmt::join(driver_names(), ", ")));
}

} // namespace machine::drivers
