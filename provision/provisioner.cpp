#include "provision/provisioner.h"
#include "machine/support/text.h"

#include "engine/dockerd_config.h"
#include "machine/support/error.h"
#include "machine/support/log.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

namespace machine::provision {
namespace {
using support::shell_quote;

using support::trim;

// The last `n` lines of `text`, for error messages.
std::string tail_lines(const std::string& text, size_t n) {
    std::string t = trim(text);
    size_t pos = t.size();
    for (size_t i = 0; i < n && pos != std::string::npos && pos > 0; ++i)
        pos = t.rfind('\n', pos - 1);
    return pos == std::string::npos || pos == 0 ? t : t.substr(pos + 1);
}

std::string apt_options(const ProvisionOptions& o) {
    if (!o.apt_source_line)
        return "";
    return fmt::format(" -o Dir::Etc::SourceList={} -o Dir::Etc::SourceParts=- "
                       "-o APT::Get::List-Cleanup=0",
                       k_apt_source_path);
}

std::vector<std::string> install_commands(PackageManager pm, const OsRelease& os,
                                          const ProvisionOptions& o) {
    switch (pm) {
    case PackageManager::apt: {
        std::string apt = "sudo -n env DEBIAN_FRONTEND=noninteractive apt-get" + apt_options(o);
        // apparmor: where the guest kernel has AppArmor on (Debian's and Ubuntu's defaults),
        // docker.io refuses to run containers without apparmor_parser. Images that boot with
        // apparmor=0 (the bundled one) need not carry it.
        return {apt + " update -q", apt + " install -y -q --no-install-recommends docker.io",
                "if grep -qsx Y /sys/module/apparmor/parameters/enabled; then " + apt +
                    " install -y -q --no-install-recommends apparmor; fi"};
    }
    case PackageManager::dnf: {
        bool fedora = os.id == "fedora";
        return {std::string("sudo -n dnf install -y ") + (fedora ? "moby-engine" : "docker")};
    }
    case PackageManager::yum:
        return {"sudo -n yum install -y docker"};
    case PackageManager::zypper:
        return {"sudo -n zypper --non-interactive install docker"};
    case PackageManager::apk:
        return {"sudo -n apk add --no-cache docker"};
    case PackageManager::pacman:
        return {"sudo -n pacman -Sy --noconfirm docker"};
    }
    return {};
}

} // namespace


Provisioner::Provisioner(RemoteShell& shell, EngineProbe& engine, ProgressFn progress)
    : m_shell(shell), m_engine(engine), m_progress(std::move(progress)) {}

void Provisioner::step(const std::string& name) {
    support::debug("provision: {}", name);
    if (m_progress)
        m_progress(name);
}

ExecResult Provisioner::run(const std::string& command, std::chrono::milliseconds timeout) {
    return m_shell.exec(command, std::nullopt, timeout);
}

std::string Provisioner::check(const std::string& what, const std::string& command,
                               std::chrono::milliseconds timeout) {
    auto r = run(command, timeout);
    if (!r.ok()) {
        std::string detail = tail_lines(r.err.empty() ? r.out : r.err, 5);
        throw ProvisionError(fmt::format("{}: `{}` exited with status {}{}{}", what, command,
                                         r.exit_code, detail.empty() ? "" : ": ", detail));
    }
    return r.out;
}

OsRelease Provisioner::detect_os() {
    step("detect OS");
    auto text = check("detect OS", "cat /etc/os-release 2>/dev/null || cat /usr/lib/os-release",
                      m_command_timeout);
    auto os = parse_os_release(text);
    if (!os)
        throw ProvisionError("detect OS: /etc/os-release on the machine has no KEY=VALUE lines");
    support::debug("provision: OS {} (ID={} VERSION_ID={})", os->pretty_name, os->id,
                   os->version_id);
    return *os;
}

void Provisioner::require_systemd(const OsRelease& os) {
    if (!run("command -v systemctl", m_command_timeout).ok())
        throw ProvisionError(fmt::format(
            "{} does not use systemd; machine can only configure a systemd-managed Docker engine",
            os.pretty_name.empty() ? os.id : os.pretty_name));
}

// As root: dockerd lives in /usr/sbin or /usr/bin, and the SSH user's PATH may not have sbin.
bool Provisioner::engine_installed() {
    return run("sudo -n sh -c 'command -v dockerd'", m_command_timeout).ok();
}

void Provisioner::install_engine(const OsRelease& os, const ProvisionOptions& options) {
    PackageManager pm = pick(os); // throws for an unknown distribution
    step(fmt::format("install engine ({})", to_string(pm)));
    if (options.apt_source_line) {
        if (pm != PackageManager::apt)
            throw UsageError(fmt::format("an apt source was given but {} uses {}",
                                         os.pretty_name.empty() ? os.id : os.pretty_name,
                                         to_string(pm)));
        install_files("write the apt source",
                      {{k_apt_source_path, trim(*options.apt_source_line) + "\n", 0644}});
    }
    for (const auto& cmd : install_commands(pm, os, options))
        check("install engine", cmd, options.install_timeout);
    if (!engine_installed())
        throw ProvisionError(
            fmt::format("install engine: {} finished but dockerd is not on PATH", to_string(pm)));
}

std::string Provisioner::make_staging_dir() {
    // mktemp -d makes a 0700 folder owned by the SSH user: nobody else can read staged keys.
    auto dir =
        trim(check("stage files", "mktemp -d /tmp/machine-provision.XXXXXXXX", m_command_timeout));
    if (dir.empty() || dir.front() != '/' || dir.find('\n') != std::string::npos)
        throw ProvisionError(
            fmt::format("stage files: mktemp printed an unexpected path: {}", dir));
    return dir;
}

void Provisioner::remove_staging_dir(const std::string& dir) {
    run("rm -rf " + shell_quote(dir), m_command_timeout);
}

void Provisioner::install_files(const std::string& what, const std::vector<StagedFile>& files) {
    std::string dir = make_staging_dir();
    try {
        std::vector<std::string> folders;
        for (const auto& f : files) {
            auto parent = std::filesystem::path(f.target).parent_path().string();
            if (std::find(folders.begin(), folders.end(), parent) == folders.end())
                folders.push_back(parent);
        }
        std::string mkdirs = "sudo -n install -d -m 0755 -o root -g root";
        for (const auto& d : folders)
            mkdirs += " " + shell_quote(d);
        check(what, mkdirs, m_command_timeout);
        for (const auto& f : files) {
            std::string staged = dir + "/" + std::filesystem::path(f.target).filename().string();
            m_shell.upload(staged, f.content, f.mode);
            check(what,
                  fmt::format("sudo -n install -m {:04o} -o root -g root {} {}", f.mode,
                              shell_quote(staged), shell_quote(f.target)),
                  m_command_timeout);
        }
    } catch (...) {
        remove_staging_dir(dir);
        throw;
    }
    remove_staging_dir(dir);
}

void Provisioner::upload_certs(const ServerCerts& certs) {
    step("upload certificates");
    engine::RemotePaths paths;
    install_files(
        "upload certificates",
        {{paths.ca, certs.ca, 0644}, {paths.cert, certs.cert, 0644}, {paths.key, certs.key, 0600}});
}

void Provisioner::write_engine_config(const engine::EngineOptions& options) {
    step("configure engine");
    install_files("configure engine",
                  {{engine::k_daemon_json_path, engine::render_daemon_json(options), 0644},
                   {engine::k_systemd_dropin_path, engine::render_systemd_dropin(options), 0644}});
}

std::string Provisioner::engine_journal() {
    auto r = run("sudo -n journalctl -u docker --no-pager -n 20 2>&1 || "
                 "sudo -n systemctl status docker --no-pager 2>&1",
                 m_command_timeout);
    return tail_lines(r.out, 20);
}

void Provisioner::restart_engine() {
    step("restart engine");
    check("restart engine", "sudo -n systemctl daemon-reload", m_command_timeout);
    check("restart engine", "sudo -n systemctl enable docker.service", m_command_timeout);
    auto r = run("sudo -n systemctl restart docker.service", m_command_timeout);
    if (!r.ok())
        throw ProvisionError(fmt::format(
            "restart engine: `systemctl restart docker` exited with status {}; the engine's "
            "log ends with:\n{}",
            r.exit_code, engine_journal()));
}

void Provisioner::wait_for_engine(std::chrono::milliseconds timeout) {
    step("wait for the engine's TLS API");
    try {
        m_engine.wait_for_ping(std::chrono::steady_clock::now() + timeout);
    } catch (const TimeoutError& e) {
        throw TimeoutError(fmt::format("{}; the engine's log on the machine ends with:\n{}",
                                       e.what(), engine_journal()));
    }
}

OsRelease Provisioner::provision(const ServerCerts& certs, const ProvisionOptions& options) {
    engine::validate(options.engine); // bad flags fail before the machine is touched
    m_command_timeout = options.command_timeout;
    OsRelease os = detect_os();
    require_systemd(os);
    step("check for the engine");
    if (!engine_installed())
        install_engine(os, options);
    upload_certs(certs);
    write_engine_config(options.engine);
    restart_engine();
    wait_for_engine(options.engine_up_timeout);
    return os;
}

void Provisioner::push_certs_and_restart(const ServerCerts& certs,
                                         const ProvisionOptions& options) {
    m_command_timeout = options.command_timeout;
    upload_certs(certs);
    restart_engine();
    wait_for_engine(options.engine_up_timeout);
}

} // namespace machine::provision
