#pragma once
// What every command gets: the global flags, the store, the process runner, drivers, and the
// pieces of machine-backends.so (machine/support/backends.h), which the context loads on first
// use of one of them and hands down: `env`, `ip` or `inspect` never load it.
#include "drivers/driver.h"
#include "drivers/factory.h"
#include "machine/certs.h"
#include "machine/host.h"
#include "machine/remote_access.h"
#include "machine/store.h"
#include "machine/support/backends.h"
#include "machine/support/process.h"
#include "provision/https_transport.h"
#include "provision/ssh_client.h"
#include "swarm/lab.h"

#include <memory>
#include <string>

namespace CLI {
class App;
}

namespace machine::cli {

struct GlobalOptions {
    std::string storage_path;
    bool debug = false;
    bool native_ssh = false;
    std::string tls_ca_cert, tls_ca_key, tls_client_cert, tls_client_key;
    double lock_timeout_s = 600; // --timeout: how long to wait for a machine another command holds
};

class Context {
public:
    GlobalOptions opts;

    Store store() const;
    TlsPaths tls_paths() const;
    support::ProcessRunner& runner() { return m_runner; }
    // A new, unconfigured driver for a machine about to be created.
    std::unique_ptr<drivers::Driver> new_driver(const std::string& driver_name,
                                                const std::string& machine_name);
    // The driver of an existing machine, restored from its config.json.
    std::unique_ptr<drivers::Driver> driver_for(const Host& host);

    // The pieces of machine-backends.so. Getting one loads nothing; using it loads the module
    // (once, thread-safe) and throws Unavailable when it cannot. They refer to this context,
    // which outlives every command.
    drivers::DriverMakers driver_makers();
    provision::HttpsTransport https();
    provision::SshBackend& ssh() { return m_ssh; }
    RemoteAccess remote() { return {ssh(), https()}; }
    swarm::LabParser lab_parser();
    // Loads the module now. `what` names the piece wanted, for the error.
    const support::Backends& backends(const char* what) { return m_backends.get(what); }

private:
    // The module's SSH backend, loaded on first use.
    class ModuleSsh final : public provision::SshBackend {
    public:
        explicit ModuleSsh(support::BackendsModule& module) : m_module(module) {}
        std::unique_ptr<provision::SshSession> connect(const provision::SshTarget& target,
                                                       std::chrono::milliseconds timeout) override;
        void check_private_key(const fs::path& key) override;
        std::string generate_ed25519_key(const fs::path& path, const std::string& comment) override;

    private:
        provision::SshBackend& loaded();
        support::BackendsModule& m_module;
    };

    support::SystemProcessRunner m_runner;
    support::BackendsModule m_backends;
    ModuleSsh m_ssh{m_backends};
};

// Each file in cli/ adds its commands to the app.
void add_create_command(CLI::App& app, Context& ctx);
void add_rm_command(CLI::App& app, Context& ctx);
void add_ls_command(CLI::App& app, Context& ctx);
void add_info_commands(CLI::App& app, Context& ctx); // inspect config url ip status active
void add_env_command(CLI::App& app, Context& ctx);
void add_lifecycle_commands(CLI::App& app, Context& ctx); // start stop restart kill
void add_ssh_commands(CLI::App& app, Context& ctx);       // ssh scp
void add_cert_commands(CLI::App& app, Context& ctx);      // regenerate-certs provision
void add_version_command(CLI::App& app, Context& ctx);
void add_swarm_commands(CLI::App& app, Context& ctx);   // swarm init join leave ls registry
void add_swarm_registry_command(CLI::App* swarm_cmd, Context& ctx); // swarm registry
void add_lab_commands(CLI::App& app, Context& ctx);     // lab up status down
void add_image_commands(CLI::App& app, Context& ctx);      // image build ls rm
void add_import_command(CLI::App& app, Context& ctx);     // import --from-docker-machine
void add_upgrade_command(CLI::App& app, Context& ctx);
void add_use_command(CLI::App& app, Context& ctx);         // use NAME | use -u
void add_completion_commands(CLI::App& app, Context& ctx); // completion SHELL, __machines
void add_mount_command(CLI::App& app, Context& ctx);       // mount [-u] NAME:PATH [LOCAL]

} // namespace machine::cli
