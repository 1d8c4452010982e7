#pragma once
// Files the store depends on: atomic replacement, private modes from the first byte, and
// cross-process locks.
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

// Creates the folder (and parents) with `mode` on the last component.
void make_dirs(const fs::path& path, mode_t mode = 0755);

// An exclusive flock(2) on `path` (created if absent), released on destruction. Serializes
// processes that change the same machine.
class FileLock {
public:
    explicit FileLock(const fs::path& path);
    ~FileLock();
    FileLock(FileLock&& other) noexcept;
    FileLock& operator=(FileLock&&) = delete;
    FileLock(const FileLock&) = delete;

private:
    int m_fd = -1;
};

} // namespace machine::support
