#pragma once
// What provisioning needs from a machine: run a command, put a file. SshSession implements it
// over libssh; abstract so the Provisioner can be tested with a fake that records both.
#include <chrono>
#include <optional>
#include <string>

namespace machine::provision {

struct ExecResult {
    int exit_code = -1; // the remote exit status; -1 when the command died of a signal
    std::string out;
    std::string err;
    bool ok() const { return exit_code == 0; }
};

inline constexpr std::chrono::milliseconds k_default_exec_timeout{std::chrono::minutes(10)};

class RemoteShell {
public:
    virtual ~RemoteShell() = default;
    // Runs `command` through the remote user's shell, feeding `stdin_data` (then EOF). Throws
    // TimeoutError when it runs past `timeout`, SshError when the connection fails.
    virtual ExecResult exec(const std::string& command,
                            const std::optional<std::string>& stdin_data,
                            std::chrono::milliseconds timeout) = 0;
    // Writes `content` to `remote_path` with permission bits `mode` from creation (no window in
    // which a key is readable by others), replacing any existing file.
    virtual void upload(const std::string& remote_path, const std::string& content, int mode) = 0;
};

} // namespace machine::provision
