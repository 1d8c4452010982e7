#pragma once
// SSH to a machine: exec, SFTP transfers, interactive sessions (libssh, in machine-backends.so,
// given as an SshBackend; see machine/support/backends.h). Authenticates with the machine's private
// key file only (no agent, no password, no ~/.ssh/config) and pins the server's host key in a
// per-machine known_hosts file at first contact.
#include "machine/support/error.h"
#include "machine/support/wait.h"
#include "provision/remote_shell.h"

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

// One authenticated SSH connection, made by an SshBackend.
class SshSession : public RemoteShell {
public:
    ExecResult exec(const std::string& command,
                    const std::optional<std::string>& stdin_data = std::nullopt,
                    std::chrono::milliseconds timeout = k_default_exec_timeout) override = 0;
    // SFTP to a temp name next to `remote_path` (created with `mode`), then renamed over it.
    void upload(const std::string& remote_path, const std::string& content, int mode) override = 0;
    // The whole content of a remote file. Throws NotFound when it does not exist.
    virtual std::string download(const std::string& remote_path) = 0;
    // Copies one local file (keeping its permission bits) / one remote file to a local path.
    virtual void upload_file(const fs::path& local, const std::string& remote_path) = 0;
    virtual void download_file(const std::string& remote_path, const fs::path& local) = 0;
    // Recursive copies for `scp -r`: regular files and folders; other file types are skipped.
    virtual void upload_tree(const fs::path& local_dir, const std::string& remote_dir) = 0;
    virtual void download_tree(const std::string& remote_dir, const fs::path& local_dir) = 0;
    // Whether the remote path is a folder (false when it is anything else or absent).
    virtual bool remote_is_dir(const std::string& remote_path) = 0;
    // A login shell (no `command`) or a command, with a remote PTY when `term.in` is a terminal
    // (which is then put in raw mode and restored). Returns the remote exit status.
    virtual int run_interactive(const std::optional<std::string>& command,
                                LocalTerminal term = {}) = 0;
};

// Makes SSH sessions and keys. The libssh one is in machine-backends.so, so commands that never
// ssh do not load libssh and Kerberos; the CLI hands it down (cli/context.h). Abstract so the
// pipelines can be tested with a fake.
class SshBackend {
public:
    virtual ~SshBackend() = default;
    // Connects within `connect_timeout`, verifies or pins the host key, authenticates with
    // target.key_path. Throws HostKeyMismatch, SshError (unreachable, auth refused), or Error
    // when the key file cannot be loaded.
    virtual std::unique_ptr<SshSession> connect(const SshTarget& target,
                                                std::chrono::milliseconds connect_timeout) = 0;
    // Throws NotFound / Error when `key` is absent or not a usable private key.
    virtual void check_private_key(const fs::path& key) = 0;
    // Writes <path> (OpenSSH private key, 0600) and <path>.pub; returns the public key line.
    virtual std::string generate_ed25519_key(const fs::path& path, const std::string& comment) = 0;
};

// The libssh backend (libssh_session.cpp), in machine-backends.so: the program reaches it
// through the module's table (machine/support/backends.h); test binaries link it in.
SshBackend& libssh_backend();

// Options for the external OpenSSH client (`ssh`, `scp`) that make it behave like SshSession:
// no ~/.ssh/config, only the machine's key, the pinned host key with strict checking, no
// password prompts. Append the destination yourself: "-p", port and user@host for ssh
// (openssh_destination), "-P" port for scp.
std::vector<std::string> openssh_options(const SshTarget& target);
// "user@host".
std::string openssh_destination(const SshTarget& target);

// Connects to `target` through `ssh` until `deadline`: connection refused, no route and auth
// failures are normal while a machine boots (sshd up before the seed installed the key) and are
// retried with a 0.25 s .. 2 s backoff (support::wait_until on `clock`). A host key mismatch is
// not retried. On timeout throws TimeoutError with the last error, then what `tail_log` returns
// (e.g. "last lines of the serial console:\n..."), on its own lines.
std::unique_ptr<SshSession> wait_for_ssh(SshBackend& ssh, const SshTarget& target,
                                         std::chrono::steady_clock::time_point deadline,
                                         const std::function<std::string()>& tail_log,
                                         support::Clock& clock = support::steady_clock());

} // namespace machine::provision
