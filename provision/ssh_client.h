#pragma once
// SSH to a machine through libssh: exec, SFTP transfers, interactive sessions. Authenticates
// with the machine's private key file only (no agent, no password, no ~/.ssh/config) and pins
// the server's host key in a per-machine known_hosts file at first contact.
#include "machine/support/error.h"
#include "machine/support/handle.h"
#include "provision/remote_shell.h"

#include <libssh/libssh.h>
#include <libssh/sftp.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace machine::provision {

namespace fs = std::filesystem;

struct SshTarget {
    std::string host;
    int port = 22;
    std::string user;
    fs::path key_path;    // private key (OpenSSH or PEM format, unencrypted)
    fs::path known_hosts; // OpenSSH known_hosts format; usable with ssh -o UserKnownHostsFile=
};

// The server's host key differs from the one pinned at first contact. Never retried.
class HostKeyMismatch : public SshError {
public:
    using SshError::SshError;
};

// The local side of an interactive session. Defaults to the process's stdin/stdout/stderr;
// a separate struct so tests can drive a session through a pty or pipes.
struct LocalTerminal {
    int in = 0;
    int out = 1;
    int err = 2;
};

using SessionPtr = support::Handle<ssh_session_struct, ssh_free>;
using SftpPtr = support::Handle<sftp_session_struct, sftp_free>;

class SshClient : public RemoteShell {
public:
    // Connects within `connect_timeout`, verifies or pins the host key, authenticates with
    // target.key_path. Throws HostKeyMismatch, SshError (unreachable, auth refused), or Error
    // when the key file cannot be loaded.
    explicit SshClient(SshTarget target,
                       std::chrono::milliseconds connect_timeout = std::chrono::seconds(10));
    ~SshClient() override;
    SshClient(const SshClient&) = delete;
    SshClient& operator=(const SshClient&) = delete;

    ExecResult exec(const std::string& command,
                    const std::optional<std::string>& stdin_data = std::nullopt,
                    std::chrono::milliseconds timeout = k_default_exec_timeout) override;
    // SFTP to a temp name next to `remote_path` (created with `mode`), then renamed over it.
    void upload(const std::string& remote_path, const std::string& content, int mode) override;
    // The whole content of a remote file. Throws NotFound when it does not exist.
    std::string download(const std::string& remote_path);

    // Copies one local file (keeping its permission bits) / one remote file to a local path.
    void upload_file(const fs::path& local, const std::string& remote_path);
    void download_file(const std::string& remote_path, const fs::path& local);
    // Recursive copies for `scp -r`: regular files and folders; other file types are skipped.
    void upload_tree(const fs::path& local_dir, const std::string& remote_dir);
    void download_tree(const std::string& remote_dir, const fs::path& local_dir);
    // Whether the remote path is a folder (false when it is anything else or absent).
    bool remote_is_dir(const std::string& remote_path);

    // A login shell / a command, with a remote PTY when `term.in` is a terminal (which is then
    // put in raw mode and restored). Returns the remote exit status.
    int interactive_shell(LocalTerminal term = {});
    int exec_interactive(const std::string& command, LocalTerminal term = {});

    const SshTarget& target() const { return m_target; }

private:
    [[noreturn]] void fail(const std::string& what) const;
    [[noreturn]] void fail_sftp(const std::string& what, const std::string& path);
    void verify_host_key();
    sftp_session sftp();
    void write_remote(const std::string& remote_path, int mode,
                      const std::function<size_t(char*, size_t)>& read_chunk);
    void read_remote(const std::string& remote_path,
                     const std::function<void(const char*, size_t)>& write_chunk);
    int run_interactive(const std::optional<std::string>& command, LocalTerminal term);

    SshTarget m_target;
    SessionPtr m_session;
    SftpPtr m_sftp; // after m_session so it is freed first
};

// Options for the external OpenSSH client (`ssh`, `scp`) that make it behave like SshClient:
// no ~/.ssh/config, only the machine's key, the pinned host key with strict checking, no
// password prompts. Append the destination yourself: "-p", port and user@host for ssh
// (openssh_destination), "-P" port for scp.
std::vector<std::string> openssh_options(const SshTarget& target);
// "user@host".
std::string openssh_destination(const SshTarget& target);

// Connects to `target` until `deadline`: connection refused, no route and auth failures are
// normal while a machine boots (sshd up before the seed installed the key) and are retried with
// a 0.25 s .. 2 s backoff. A host key mismatch is not retried. On timeout throws TimeoutError
// with the last error and the output of `tail_log` (the last lines of the serial console).
std::unique_ptr<SshClient> wait_for_ssh(const SshTarget& target,
                                        std::chrono::steady_clock::time_point deadline,
                                        const std::function<std::string()>& tail_log);

} // namespace machine::provision
