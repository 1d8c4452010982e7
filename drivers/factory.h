#pragma once
// The one place that knows every driver: names, their create flags, and construction.
#include "drivers/driver.h"

#include <memory>
#include <string>
#include <vector>

namespace machine::drivers {

// Names of the drivers this build has, in the order `create --help` lists them.
std::vector<std::string> driver_names();
// Every driver's create flags (each named after its driver: --libvirt-*, --virtualbox-*, --url).
std::vector<FlagSpec> all_create_flags();
// One driver's create flags (a lab file may set only those of its driver); throws UsageError
// naming the known drivers for an unknown name.
std::vector<FlagSpec> create_flags(const std::string& driver);
// Throws UsageError naming the known drivers for an unknown name.
std::unique_ptr<Driver> make_driver(const std::string& name, const DriverContext& ctx);

} // namespace machine::drivers
