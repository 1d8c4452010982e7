#include "provision/ssh_client.h"

#include "machine/support/log.h"

#include <fmt/format.h>

#include <thread>

namespace machine::provision {
namespace {
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
} // namespace

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

std::unique_ptr<SshSession> wait_for_ssh(SshBackend& ssh, const SshTarget& target,
                                         std::chrono::steady_clock::time_point deadline,
                                         const std::function<std::string()>& tail_log) {
    auto start = Clock::now();
    ssh.check_private_key(target.key_path); // waiting does not fix a bad key file
    auto backoff = std::chrono::milliseconds(250);
    std::string last_error = "no attempt was made";
    int attempts = 0;
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left <= 0ms)
            break;
        ++attempts;
        try {
            return ssh.connect(target, std::min<std::chrono::milliseconds>(left, 10s));
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
