#include "provision/ssh_client.h"

#include "machine/support/log.h"
#include "machine/support/wait.h"

#include <fmt/format.h>


namespace machine::provision {
namespace {
using namespace std::chrono_literals;
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
                                         const std::function<std::string()>& tail_log,
                                         support::Clock& clock) {
    ssh.check_private_key(target.key_path); // waiting does not fix a bad key file
    std::unique_ptr<SshSession> session;
    support::WaitSpec spec;
    spec.deadline = deadline;
    spec.timeout_message = [&](const support::WaitOutcome& o) {
        std::string tail = tail_log ? tail_log() : std::string();
        while (!tail.empty() && (tail.back() == '\n' || tail.back() == '\r'))
            tail.pop_back();
        return fmt::format(
            "SSH on {}:{} did not accept the machine's key within {} s ({} attempts; last error: "
            "{}){}{}",
            target.host, target.port,
            std::chrono::duration_cast<std::chrono::seconds>(o.waited).count(), o.attempts,
            o.last_reason, tail.empty() ? "" : "\n", tail);
    };
    int attempts = 0;
    support::wait_until(clock, spec, [&](std::chrono::milliseconds left, std::string& reason) {
        ++attempts;
        try {
            session = ssh.connect(target, std::min<std::chrono::milliseconds>(left, 10s));
            return true;
        } catch (const HostKeyMismatch&) {
            throw;
        } catch (const SshError& e) {
            reason = e.what();
            support::debug("wait for ssh: attempt {}: {}", attempts, reason);
            return false;
        }
    });
    return session;
}

} // namespace machine::provision
