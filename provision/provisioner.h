#pragma once
// Turns a booted machine reachable over SSH into a Docker engine listening with TLS on 2376:
// detect OS -> engine present? else install -> upload CA, server cert and key -> write
// daemon.json and the systemd drop-in -> restart -> wait for TLS /_ping from the host.
// Keys travel only over SFTP into a private staging folder and are moved into place with
// `sudo install`; key material never appears in a command line or a log.
#include "engine/engine_options.h"
#include "provision/docker_api.h"
#include "provision/os_release.h"
#include "machine/support/process.h"
#include "provision/remote_shell.h"

#include <chrono>
#include <functional>
#include <optional>
#include <string>

namespace machine::provision {

struct ProvisionOptions {
    engine::EngineOptions engine;
    // An apt source line (e.g. "deb [trusted=yes] http://10.0.0.1:8080/ ./") written to
    // /etc/apt/sources.list.d/machine.list and used as the only source for the engine install.
    std::optional<std::string> apt_source_line;
    std::chrono::milliseconds install_timeout{std::chrono::minutes(20)};
    std::chrono::milliseconds command_timeout{std::chrono::minutes(2)};
    std::chrono::milliseconds engine_up_timeout{std::chrono::minutes(2)};
};

// The server-side TLS material, PEM text.
struct ServerCerts {
    std::string ca;   // the machine CA certificate
    std::string cert; // server certificate
    std::string key;  // server private key (0600 on the machine)
};

// Called at the start of each step with its name ("detect OS", "install engine", ...).
using ProgressFn = std::function<void(const std::string& step)>;

inline constexpr const char* k_apt_source_path = "/etc/apt/sources.list.d/machine.list";

class Provisioner {
public:
    // `shell` runs commands on the machine as a user with passwordless sudo; `engine` reaches
    // the engine's TLS API from the host.
    Provisioner(RemoteShell& shell, EngineProbe& engine, ProgressFn progress = {});

    // The whole sequence. Validates the engine options before touching the machine (UsageError).
    // Returns the detected OS. Throws ProvisionError naming the failed step, TimeoutError.
    OsRelease provision(const ServerCerts& certs, const ProvisionOptions& options);

    // For regenerate-certs: upload new certs, restart the engine, wait for /_ping.
    void push_certs_and_restart(const ServerCerts& certs, const ProvisionOptions& options);

    // The single steps, in the order provision() runs them.
    OsRelease detect_os();
    void require_systemd(const OsRelease& os);
    bool engine_installed();
    void install_engine(const OsRelease& os, const ProvisionOptions& options);
    void upload_certs(const ServerCerts& certs);
    void write_engine_config(const engine::EngineOptions& options);
    void restart_engine();
    void wait_for_engine(std::chrono::milliseconds timeout);

private:
    void step(const std::string& name);
    ExecResult run(const std::string& command, std::chrono::milliseconds timeout);
    std::string check(const std::string& what, const std::string& command,
                      std::chrono::milliseconds timeout);
    std::string make_staging_dir();
    void remove_staging_dir(const std::string& dir);
    // Stages each {name, content, mode} over SFTP, then installs it as root at its target.
    struct StagedFile {
        std::string target;
        std::string content;
        int mode;
    };
    void install_files(const std::string& what, const std::vector<StagedFile>& files);
    std::string engine_journal();

    RemoteShell& m_shell;
    EngineProbe& m_engine;
    ProgressFn m_progress;
    std::chrono::milliseconds m_command_timeout{std::chrono::minutes(2)};
};

} // namespace machine::provision
