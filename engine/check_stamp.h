#pragma once
// A record that a set of certificate files passed check_client_cert/check_server_cert, so that
// `machine env` -- run in every new shell and prompt hook -- can skip OpenSSL (whose start-up
// alone costs ~4 ms, most of env's time) while nothing has changed. The record names each file's
// identity (device, inode, size, mtime and ctime in ns, or its absence), the IP the server
// certificate was checked for, and the earliest notAfter of the certificates involved; any
// difference, or reaching that notAfter, means a full check again. Only successes are recorded.
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace machine::engine {

namespace fs = std::filesystem;

struct CheckedFiles {
    std::vector<fs::path> files; // every file the checks read (absent ones count as "absent")
    std::string ip;              // the IP the server certificate was checked for
};

// True when `stamp` records exactly these files, unchanged, and the same IP, and the recorded
// notAfter has not been reached. A missing or unreadable stamp is simply false.
bool check_stamp_matches(const fs::path& stamp, const CheckedFiles& checked,
                         std::chrono::system_clock::time_point now);

// Records a successful check valid until `valid_until` (the earliest notAfter). Best effort: a
// store that cannot be written (read-only mount) only means the next check is a full one.
void write_check_stamp(const fs::path& stamp, const CheckedFiles& checked,
                       std::chrono::system_clock::time_point valid_until);

} // namespace machine::engine
