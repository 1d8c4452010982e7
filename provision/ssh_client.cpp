#include "provision/ssh_client.h"

#include "machine/support/backends.h"
#include "machine/support/log.h"

#include <fmt/format.h>

#include <thread>

namespace machine::provision {
namespace {
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
} // namespace

const SshBackend& ssh_backend() {
    using Entry = const SshBackend* (*)();
    static const SshBackend* backend =
        support::backend_function<Entry>("machine_ssh_backend_v1", "SSH (libssh)")();
    return *backend;
}

SshClient::SshClient(SshTarget target, std::chrono::milliseconds connect_timeout)
    : m_target(std::move(target)), m_session(ssh_backend().connect(m_target, connect_timeout)) {}

SshClient::~SshClient() = default;

ExecResult SshClient::exec(const std::string& command, const std::optional<std::string>& stdin_data,
                           std::chrono::milliseconds timeout) {
    return m_session->exec(command, stdin_data, timeout);
}

void SshClient::upload(const std::string& remote_path, const std::string& content, int mode) {
    m_session->upload(remote_path, content, mode);
}

std::string SshClient::download(const std::string& remote_path) {
    return m_session->download(remote_path);
}

void SshClient::upload_file(const fs::path& local, const std::string& remote_path) {
    m_session->upload_file(local, remote_path);
}

void SshClient::download_file(const std::string& remote_path, const fs::path& local) {
    m_session->download_file(remote_path, local);
}

void SshClient::upload_tree(const fs::path& local_dir, const std::string& remote_dir) {
    m_session->upload_tree(local_dir, remote_dir);
}

void SshClient::download_tree(const std::string& remote_dir, const fs::path& local_dir) {
    m_session->download_tree(remote_dir, local_dir);
}

bool SshClient::remote_is_dir(const std::string& remote_path) {
    return m_session->remote_is_dir(remote_path);
}

int SshClient::interactive_shell(LocalTerminal term) {
    return m_session->run_interactive(std::nullopt, term);
}

int SshClient::exec_interactive(const std::string& command, LocalTerminal term) {
    return m_session->run_interactive(command, term);
}

std::vector<std::string> openssh_options(const SshTarget& target) {
    return {"-F", "/dev/null",
            "-o", "IdentitiesOnly=yes",
            "-o", "IdentityAgent=none",
            "-o", "PasswordAuthentication=no",
            "-o", "KbdInteractiveAuthentication=no",
            "-o", "StrictHostKeyChecking=yes",
            "-o", "UserKnownHostsFile=" + target.known_hosts.string(),
            "-o", "GlobalKnownHostsFile=/dev/null",
            "-o", "ConnectTimeout=10",
            "-o", "LogLevel=ERROR",
            "-i", target.key_path.string()};
}

std::string openssh_destination(const SshTarget& target) {
    return target.user + "@" + target.host;
}

std::unique_ptr<SshClient> wait_for_ssh(const SshTarget& target,
                                        std::chrono::steady_clock::time_point deadline,
                                        const std::function<std::string()>& tail_log) {
    auto start = Clock::now();
    ssh_backend().check_private_key(target.key_path); // waiting does not fix a bad key file
    auto backoff = std::chrono::milliseconds(250);
    std::string last_error = "no attempt was made";
    int attempts = 0;
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left <= 0ms)
            break;
        ++attempts;
        try {
            return std::make_unique<SshClient>(target,
                                               std::min<std::chrono::milliseconds>(left, 10s));
        } catch (const HostKeyMismatch&) {
            throw;
        } catch (const SshError& e) {
            last_error = e.what();
            support::debug("wait for ssh: attempt {}: {}", attempts, last_error);
        }
        left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left <= 0ms)
            break;
        std::this_thread::sleep_for(std::min(backoff, left));
        backoff = std::min<std::chrono::milliseconds>(backoff * 2, 2s);
    }
    auto waited = std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - start);
    std::string tail = tail_log ? tail_log() : std::string();
    while (!tail.empty() && (tail.back() == '\n' || tail.back() == '\r'))
        tail.pop_back();
    throw TimeoutError(fmt::format(
        "SSH on {}:{} did not accept the machine's key within {} s ({} attempts; last error: {})"
        "\nlast lines of the serial console:\n{}",
        target.host, target.port, waited.count(), attempts, last_error,
        tail.empty() ? "(nothing logged)" : tail));
}

} // namespace machine::provision
