#pragma once
// A record that a set of certificate files passed check_client_cert/check_server_cert, so that
// `machine env` -- run in every new shell and prompt hook -- can skip OpenSSL (whose start-up
// alone costs ~4 ms, most of env's time) while nothing has changed. The record names each file's
// identity (device, inode, size, mtime and ctime in ns, or its absence) taken BEFORE the check
// read them, the IP the server certificate was checked for, and the window in which every
// certificate involved is valid; any difference, or a clock outside that window, means a full
// check again. Only successes are recorded.
#include <nlohmann/json.hpp>

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

// The identities of `checked` now. Take it before checking, so a file replaced while the check
// ran is recorded as it was when read (and so fails to match next time).
struct CheckSnapshot {
    nlohmann::json identity;
};
CheckSnapshot snapshot(const CheckedFiles& checked);

// True when `stamp` records exactly these files, unchanged, and the same IP, and `now` is inside
// the recorded validity window. A missing, damaged or older-format stamp is simply false.
bool check_stamp_matches(const fs::path& stamp, const CheckedFiles& checked,
                         std::chrono::system_clock::time_point now);

// Records a successful check of `before` (taken before checking), valid from `valid_from` (the
// latest notBefore) until `valid_until` (the earliest notAfter). Best effort: a store that cannot
// be written (read-only mount) only means the next check is a full one.
void write_check_stamp(const fs::path& stamp, const CheckSnapshot& before,
                       std::chrono::system_clock::time_point valid_from,
                       std::chrono::system_clock::time_point valid_until);

} // namespace machine::engine
