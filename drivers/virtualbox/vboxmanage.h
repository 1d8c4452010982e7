#pragma once
// VBoxManage over support::ProcessRunner, with its quirks handled in one place:
// - `error:` on stderr is a failure even at exit 0 (VBoxManage sometimes exits 0 after
//   "error: VT-x is not available");
// - "already locked" / "object is not ready" errors are retried a bounded number of times
//   with backoff;
// - calls are serialized per host: a process-wide mutex plus an flock on <store>/vbox.lock, so
//   parallel `machine` processes never interleave (docker-machine's SerialDriver).
#include "machine/support/error.h"
#include "machine/support/process.h"
#include "machine/support/wait.h"

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace machine::drivers::virtualbox {

namespace fs = std::filesystem;

// A VBoxManage command that failed; `code()` is VirtualBox's ("VBOX_E_OBJECT_NOT_FOUND") or "".
class VBoxManageError : public DriverError {
public:
    VBoxManageError(const std::string& what, std::string code)
        : DriverError(what), m_code(std::move(code)) {}
    const std::string& code() const { return m_code; }
    bool not_found() const { return m_code == "VBOX_E_OBJECT_NOT_FOUND"; }

private:
    std::string m_code;
};

struct VBoxManageOptions {
    std::string program = "VBoxManage";
    int attempts = 5;                       // first try + retries
    std::chrono::milliseconds backoff{500}; // doubled after each retry
    std::chrono::milliseconds timeout{std::chrono::minutes(10)};
    support::Clock* clock = nullptr; // paces the retries; null: the steady clock
};

class VBoxManage {
public:
    // `lock_path`: the per-host lock file (<store>/vbox.lock); empty: no cross-process lock.
    VBoxManage(support::ProcessRunner& runner, fs::path lock_path, VBoxManageOptions options = {});

    // Whether the program can be found.
    bool available();
    // Runs `VBoxManage args...`; returns stdout. Throws VBoxManageError (with VirtualBox's own
    // first error line and code) on failure, after retrying lock errors.
    std::string run(const std::vector<std::string>& args);
    // Like run(), but never throws for a VBoxManage failure: the raw result (after retries).
    support::ProcessResult run_result(const std::vector<std::string>& args);

    const VBoxManageOptions& options() const { return m_options; }

private:
    support::ProcessResult run_once(const std::vector<std::string>& args);
    support::ProcessRunner& m_runner;
    fs::path m_lock_path;
    VBoxManageOptions m_options;
};

// Whether a result counts as failed: non-zero exit, timeout, or "error:" on stderr.
bool vboxmanage_failed(const support::ProcessResult& r);

} // namespace machine::drivers::virtualbox
