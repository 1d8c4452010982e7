#include "engine/check_stamp.h"

#include "machine/support/fs.h"
#include "machine/support/log.h"

#include <sys/stat.h>

namespace machine::engine {
namespace {

// Bump whenever check_client_cert/check_server_cert get stricter: older records then no longer
// match and every machine gets a full check with the new rules.
constexpr int k_stamp_version = 2;

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

CheckSnapshot snapshot(const CheckedFiles& checked) {
    return {describe(checked)};
}

bool check_stamp_matches(const fs::path& stamp, const CheckedFiles& checked,
                         std::chrono::system_clock::time_point now) {
    auto text = support::try_read_file(stamp);
    if (!text)
        return false;
    auto j = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object())
        return false;
    for (const char* key : {"valid_from", "valid_until"})
        if (!j.contains(key) || !j[key].is_number_integer())
            return false;
    const long long t = seconds(now);
    if (t < j["valid_from"].get<long long>() || t >= j["valid_until"].get<long long>())
        return false;
    j.erase("valid_from");
    j.erase("valid_until");
    return j == describe(checked);
}

void write_check_stamp(const fs::path& stamp, const CheckSnapshot& before,
                       std::chrono::system_clock::time_point valid_from,
                       std::chrono::system_clock::time_point valid_until) {
    auto j = before.identity;
    j["valid_from"] = seconds(valid_from);
    j["valid_until"] = seconds(valid_until);
    try {
        support::atomic_write(stamp, j.dump() + "\n", 0644);
    } catch (const std::exception& e) {
        support::debug("not recording the certificate check in {}: {}", stamp.string(), e.what());
    }
}

} // namespace machine::engine
