#pragma once
// Files the store depends on: atomic replacement, private modes from the first byte, and
// cross-process locks.
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

namespace machine::support {

namespace fs = std::filesystem;

// Writes `data` to a temp file in the same folder with `mode` set at creation, fsyncs it,
// renames it over `path` and fsyncs the folder. Readers see the old or the new file, never half.
void atomic_write(const fs::path& path, const std::string& data, mode_t mode = 0644);

std::string read_file(const fs::path& path);
std::optional<std::string> try_read_file(const fs::path& path);

// Creates the folder (and parents) with `mode` on the folders it creates. A folder that was
// already there keeps its mode: it may be someone else's (a shared CA folder, a read-only store).
void make_dirs(const fs::path& path, mode_t mode = 0755);

// Removes temp files atomic_write left behind for `path` ("<name>.tmp.<pid>.<hex>" beside it)
// whose writer is no longer running (a SIGKILL between create and rename). Others' files and
// temps of live processes are left alone.
void remove_stale_temps(const fs::path& path);
// True if `name` is "<base>.tmp.<pid>.<hex>" of a process that is not running.
bool is_stale_temp_name(const std::string& name, const std::string& base);

// A private folder "<parent>/<prefix>XXXXXX" (mkdtemp: 0700, a name nobody guessed), removed with
// its content on every exit path. Throws Error naming `parent` when it cannot be made.
class ScratchDir {
public:
    ScratchDir(const fs::path& parent, const std::string& prefix);
    ~ScratchDir();
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;
    const fs::path& path() const { return m_path; }

private:
    fs::path m_path;
};

class Clock; // support/wait.h

// How long a FileLock waits and what it tells the user while it does.
struct LockWait {
    std::chrono::milliseconds timeout{std::chrono::minutes(10)};
    std::string what; // "machine \"x\"": said in messages
    std::chrono::milliseconds notice_after{std::chrono::seconds(1)};
    Clock* clock = nullptr; // null: the steady clock (support/wait.h)
};

// An exclusive flock(2) on `path` (created if absent), released on destruction. Serializes
// processes that change the same machine. A waiter says whom it waits for (the holder's pid and
// command line, from /proc/locks): after `notice_after` it prints one line on stderr; after
// `timeout` it throws TimeoutError (exit 5). The lock file's content is never written.
class FileLock {
public:
    explicit FileLock(const fs::path& path, const LockWait& wait = {});
    ~FileLock();
    FileLock(FileLock&& other) noexcept;
    FileLock& operator=(FileLock&&) = delete;
    FileLock(const FileLock&) = delete;

private:
    int m_fd = -1;
};

} // namespace machine::support
