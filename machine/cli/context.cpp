#include "machine/cli/context.h"

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
    return drivers::make_driver(driver_name, dc, driver_makers());
}

std::unique_ptr<drivers::Driver> Context::driver_for(const Host& host) {
    auto d = new_driver(host.driver_name, host.name);
    d->restore(host.driver);
    return d;
}

drivers::DriverMakers Context::driver_makers() {
    return {[this](const drivers::DriverContext& dc) {
        return backends("the libvirt driver").make_libvirt_driver(dc);
    }};
}

provision::HttpsTransport Context::https() {
    return [this](const provision::HttpsRequest& r) {
        return backends("the Docker API client").https_request(r);
    };
}

swarm::LabParser Context::lab_parser() {
    return
        [this](const std::string& text, const std::string& source, const swarm::LabRules& rules) {
            return backends("the lab file reader").parse_lab(text, source, rules);
        };
}

provision::SshBackend& Context::ModuleSsh::loaded() {
    return *m_module.get("SSH (libssh)").ssh;
}

std::unique_ptr<provision::SshSession>
Context::ModuleSsh::connect(const provision::SshTarget& target, std::chrono::milliseconds timeout) {
    return loaded().connect(target, timeout);
}

void Context::ModuleSsh::check_private_key(const fs::path& key) {
    loaded().check_private_key(key);
}

std::string Context::ModuleSsh::generate_ed25519_key(const fs::path& path,
                                                     const std::string& comment) {
    return loaded().generate_ed25519_key(path, comment);
}

} // namespace machine::cli
