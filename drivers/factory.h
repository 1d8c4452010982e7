#pragma once
// The one place that knows every driver: names, their create flags, and construction.
#include "drivers/driver.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace machine::drivers {

// Makes the drivers this library does not build itself. The libvirt driver is in
// machine-backends.so with libvirt; the CLI gives its maker (cli/context.h), which loads the
// module on first call. An empty maker: that driver is not available in this program.
struct DriverMakers {
    std::function<std::unique_ptr<Driver>(const DriverContext&)> libvirt;
};

// Names of the drivers this build has, in the order `create --help` lists them.
std::vector<std::string> driver_names();
// Every driver's create flags (each named after its driver: --libvirt-*, --virtualbox-*, --url).
std::vector<FlagSpec> all_create_flags();
// One driver's create flags (a lab file may set only those of its driver); throws UsageError
// naming the known drivers for an unknown name.
std::vector<FlagSpec> create_flags(const std::string& driver);
// Throws UsageError naming the known drivers for an unknown name, Unavailable when the driver's
// maker is missing or cannot load it.
std::unique_ptr<Driver> make_driver(const std::string& name, const DriverContext& ctx,
                                    const DriverMakers& makers);

} // namespace machine::drivers
