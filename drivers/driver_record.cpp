#include "drivers/driver_record.h"

#include "machine/support/error.h"
#include "machine/support/json_kind.h"

#include <fmt/format.h>

#include <climits>
#include <cstdint>

namespace machine::drivers {

namespace {

using support::json_kind;

[[noreturn]] void wrong(const char* key, const std::string& why) {
    throw StoreError(fmt::format("field \"Driver.{}\": {}", key, why));
}

const nlohmann::json* find(const nlohmann::json& j, const char* key) {
    auto it = j.find(key);
    return it == j.end() ? nullptr : &*it;
}

bool integer_in(const nlohmann::json& v, std::int64_t lo, std::int64_t hi) {
    if (v.is_number_unsigned())
        return v.get<std::uint64_t>() <= static_cast<std::uint64_t>(hi) &&
               static_cast<std::int64_t>(v.get<std::uint64_t>()) >= lo;
    return v.is_number_integer() && v.get<std::int64_t>() >= lo && v.get<std::int64_t>() <= hi;
}

const char* const k_common[] = {"IPAddress", "MachineName", "StorePath", "SSHUser",
                                "SSHPort",   "SSHKeyPath",  "URL"};

} // namespace

void read_own(const nlohmann::json& own, const char* key, std::string& out) {
    if (const auto* v = find(own, key)) {
        if (!v->is_string())
            wrong(key, fmt::format("expected a string, got {}", json_kind(*v)));
        out = v->get<std::string>();
    }
}

void read_own(const nlohmann::json& own, const char* key, fs::path& out) {
    std::string s = out.string();
    read_own(own, key, s);
    out = s;
}

void read_own(const nlohmann::json& own, const char* key, long& out) {
    if (const auto* v = find(own, key)) {
        if (!integer_in(*v, INT_MIN, INT_MAX))
            wrong(key, fmt::format("expected an integer, got {}",
                                   v->is_number() ? v->dump() : json_kind(*v)));
        out = v->get<long>();
    }
}

void read_own(const nlohmann::json& own, const char* key, bool& out) {
    if (const auto* v = find(own, key)) {
        if (!v->is_boolean())
            wrong(key, fmt::format("expected a boolean, got {}", json_kind(*v)));
        out = v->get<bool>();
    }
}

nlohmann::json encode_record(const DriverRecord& r) {
    nlohmann::json j = r.own.is_object() ? r.own : nlohmann::json::object();
    j["IPAddress"] = r.ip;
    j["MachineName"] = r.machine_name;
    j["StorePath"] = r.store_path.string();
    if (r.has_ssh) {
        j["SSHUser"] = r.ssh_user;
        j["SSHPort"] = r.ssh_port;
        j["SSHKeyPath"] = r.ssh_key_path.string();
    }
    if (!r.url.empty())
        j["URL"] = r.url;
    return j;
}

DriverRecord decode_record(const nlohmann::json& j) {
    if (!j.is_object())
        throw StoreError(fmt::format("field \"Driver\": expected an object, got {}", json_kind(j)));
    DriverRecord r;
    read_own(j, "IPAddress", r.ip);
    read_own(j, "MachineName", r.machine_name);
    read_own(j, "StorePath", r.store_path);
    read_own(j, "SSHUser", r.ssh_user);
    read_own(j, "SSHKeyPath", r.ssh_key_path);
    read_own(j, "URL", r.url);
    if (const auto* v = find(j, "SSHPort")) {
        // 0: no SSH, as docker-machine's none driver records it.
        if (!integer_in(*v, 0, 65535))
            wrong("SSHPort", v->is_number()
                                 ? fmt::format("expected a port number 0-65535, got {}", v->dump())
                                 : fmt::format("expected a port number, got {}", json_kind(*v)));
        r.ssh_port = v->get<int>();
    }
    r.has_ssh = j.contains("SSHUser") || j.contains("SSHPort") || j.contains("SSHKeyPath");
    r.own = j;
    for (const char* key : k_common)
        r.own.erase(key);
    return r;
}

} // namespace machine::drivers
