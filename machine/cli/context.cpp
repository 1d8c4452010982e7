#include "machine/cli/context.h"

#include "drivers/factory.h"

namespace machine::cli {

Store Context::store() const {
    return Store(opts.storage_path.empty() ? default_store_root() : fs::path(opts.storage_path),
                 std::chrono::milliseconds(static_cast<long long>(opts.lock_timeout_s * 1000)));
}

TlsPaths Context::tls_paths() const {
    return resolve_tls_paths(
        store(), {opts.tls_ca_cert, opts.tls_ca_key, opts.tls_client_cert, opts.tls_client_key});
}

std::unique_ptr<drivers::Driver> Context::new_driver(const std::string& driver_name,
                                                     const std::string& machine_name) {
    Store s = store();
    drivers::DriverContext dc{machine_name, s.machine_dir(machine_name), s.root(), &m_runner};
    return drivers::make_driver(driver_name, dc);
}

std::unique_ptr<drivers::Driver> Context::driver_for(const Host& host) {
    auto d = new_driver(host.driver_name, host.name);
    d->from_json(host.driver);
    return d;
}

} // namespace machine::cli
