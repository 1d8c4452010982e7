#include "engine/check_stamp.h"

#include "machine/support/fs.h"
#include "machine/support/log.h"

#include <nlohmann/json.hpp>
#include <sys/stat.h>

namespace machine::engine {
namespace {

constexpr int k_stamp_version = 1;

// "dev:ino:size:mtime_ns:ctime_ns", or "absent". ctime cannot be set back by anyone, so an edit
// in place that restores size and mtime still changes the identity.
std::string identity(const fs::path& file) {
    struct stat st {};
    if (::stat(file.c_str(), &st) != 0)
        return "absent";
    auto ns = [](const timespec& t) {
        return std::to_string(static_cast<long long>(t.tv_sec) * 1'000'000'000LL + t.tv_nsec);
    };
    return std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino) + ":" +
           std::to_string(st.st_size) + ":" + ns(st.st_mtim) + ":" + ns(st.st_ctim);
}

nlohmann::json describe(const CheckedFiles& checked) {
    nlohmann::json files = nlohmann::json::array();
    for (const auto& f : checked.files)
        files.push_back({{"path", f.string()}, {"id", identity(f)}});
    return {{"version", k_stamp_version}, {"ip", checked.ip}, {"files", files}};
}

long long seconds(std::chrono::system_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

} // namespace

bool check_stamp_matches(const fs::path& stamp, const CheckedFiles& checked,
                         std::chrono::system_clock::time_point now) {
    auto text = support::try_read_file(stamp);
    if (!text)
        return false;
    auto j = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object() || !j.contains("valid_until") || !j["valid_until"].is_number_integer())
        return false;
    if (seconds(now) >= j["valid_until"].get<long long>())
        return false;
    j.erase("valid_until");
    return j == describe(checked);
}

void write_check_stamp(const fs::path& stamp, const CheckedFiles& checked,
                       std::chrono::system_clock::time_point valid_until) {
    auto j = describe(checked);
    j["valid_until"] = seconds(valid_until);
    try {
        support::atomic_write(stamp, j.dump() + "\n", 0644);
    } catch (const std::exception& e) {
        support::debug("not recording the certificate check in {}: {}", stamp.string(), e.what());
    }
}

} // namespace machine::engine
