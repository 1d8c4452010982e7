#include "machine/host.h"

#include "machine/support/error.h"
#include "machine/support/json_kind.h"

#include <fmt/format.h>

#include <climits>
#include <cstdint>
#include <string_view>

namespace machine {

std::string Host::url() const {
    const std::string& address = ip();
    if (address.empty())
        return {};
    if (!driver.url.empty())
        return driver.url;
    if (address.find(':') != std::string::npos)
        return fmt::format("tcp://[{}]:{}", address, options.engine.tls_port);
    return fmt::format("tcp://{}:{}", address, options.engine.tls_port);
}

namespace {

nlohmann::json auth_to_json(const AuthOptions& a) {
    return {{"CertDir", a.cert_dir.string()},
            {"CaCertPath", a.ca_cert.string()},
            {"CaPrivateKeyPath", a.ca_key.string()},
            {"CaCertRemotePath", a.ca_cert_remote},
            {"ServerCertPath", a.server_cert.string()},
            {"ServerKeyPath", a.server_key.string()},
            {"ClientKeyPath", a.client_key.string()},
            {"ServerCertRemotePath", a.server_cert_remote},
            {"ServerKeyRemotePath", a.server_key_remote},
            {"ClientCertPath", a.client_cert.string()},
            {"ServerCertSANs", a.server_cert_sans},
            {"StorePath", a.store_path.string()}};
}

AuthOptions auth_from_json(const nlohmann::json& j) {
    AuthOptions a;
    a.cert_dir = j.value("CertDir", "");
    a.ca_cert = j.value("CaCertPath", "");
    a.ca_key = j.value("CaPrivateKeyPath", "");
    a.ca_cert_remote = j.value("CaCertRemotePath", a.ca_cert_remote);
    a.server_cert = j.value("ServerCertPath", "");
    a.server_key = j.value("ServerKeyPath", "");
    a.client_key = j.value("ClientKeyPath", "");
    a.server_cert_remote = j.value("ServerCertRemotePath", a.server_cert_remote);
    a.server_key_remote = j.value("ServerKeyRemotePath", a.server_key_remote);
    a.client_cert = j.value("ClientCertPath", "");
    if (j.contains("ServerCertSANs") && j["ServerCertSANs"].is_array())
        a.server_cert_sans = j["ServerCertSANs"].get<std::vector<std::string>>();
    a.store_path = j.value("StorePath", "");
    return a;
}

bool is_path_key(const std::string& key) {
    auto ends_with = [&](std::string_view s) {
        return key.size() >= s.size() && key.compare(key.size() - s.size(), s.size(), s) == 0;
    };
    return (ends_with("Path") || ends_with("Dir") || ends_with("Paths") || ends_with("Dirs")) &&
           !ends_with("RemotePath") && !ends_with("RemotePaths");
}

[[noreturn]] void too_deep() {
    throw StoreError(fmt::format("JSON nested deeper than {} levels", k_max_config_depth));
}

template <class F> void rewrite_paths(nlohmann::json& j, F&& rewrite, int depth = 0) {
    if (!j.is_object())
        return;
    if (depth >= k_max_config_depth)
        too_deep();
    for (auto it = j.begin(); it != j.end(); ++it) {
        nlohmann::json& value = it.value();
        if (value.is_object()) {
            rewrite_paths(value, rewrite, depth + 1);
        } else if (is_path_key(it.key()) && value.is_string()) {
            value = rewrite(value.get_ref<const std::string&>());
        } else if (value.is_array()) {
            for (auto& element : value) {
                if (element.is_object())
                    rewrite_paths(element, rewrite, depth + 2);
                else if (is_path_key(it.key()) && element.is_string())
                    element = rewrite(element.get_ref<const std::string&>());
            }
        }
    }
}

// The shape of config.json as this program reads it: every field it converts, and the drivers'
// own fields, so `ls` names the file too (the common Driver fields are decode_record's).
// Other fields are kept and ignored.
enum class Kind { String, Integer, Port, Bool, Object, StringList };
struct Field {
    const char* path; // dot-separated
    Kind kind;
};
constexpr Field k_fields[] = {
    {"ConfigVersion", Kind::Integer},
    {"Name", Kind::String},
    {"DriverName", Kind::String},
    {"CreatedAt", Kind::String},
    {"Error", Kind::String},
    {"Driver", Kind::Object},
    {"Driver.URI", Kind::String},
    {"Driver.Memory", Kind::Integer},
    {"Driver.CPU", Kind::Integer},
    {"Driver.DiskSize", Kind::Integer},
    {"Driver.Network", Kind::String},
    {"Driver.NetworkCreated", Kind::Bool},
    {"Driver.MAC", Kind::String},
    {"Driver.ImagePath", Kind::String},
    {"Driver.DiskPath", Kind::String},
    {"Driver.SeedPath", Kind::String},
    {"Driver.ConsolePath", Kind::String},
    {"Driver.Accel", Kind::String},
    {"HostOptions", Kind::Object},
    {"HostOptions.EngineOptions", Kind::Object},
    {"HostOptions.EngineOptions.ArbitraryFlags", Kind::StringList},
    {"HostOptions.EngineOptions.Env", Kind::StringList},
    {"HostOptions.EngineOptions.InsecureRegistry", Kind::StringList},
    {"HostOptions.EngineOptions.Labels", Kind::StringList},
    {"HostOptions.EngineOptions.RegistryMirror", Kind::StringList},
    {"HostOptions.EngineOptions.StorageDriver", Kind::String},
    {"HostOptions.EngineOptions.TlsPort", Kind::Port},
    {"HostOptions.EngineOptions.AptSource", Kind::String},
    {"HostOptions.SwarmOptions", Kind::Object},
    {"HostOptions.SwarmOptions.Master", Kind::Bool},
    {"HostOptions.SwarmOptions.Join", Kind::String},
    {"HostOptions.SwarmOptions.Role", Kind::String},
    {"HostOptions.AuthOptions", Kind::Object},
    {"HostOptions.AuthOptions.CertDir", Kind::String},
    {"HostOptions.AuthOptions.CaCertPath", Kind::String},
    {"HostOptions.AuthOptions.CaPrivateKeyPath", Kind::String},
    {"HostOptions.AuthOptions.CaCertRemotePath", Kind::String},
    {"HostOptions.AuthOptions.ServerCertPath", Kind::String},
    {"HostOptions.AuthOptions.ServerKeyPath", Kind::String},
    {"HostOptions.AuthOptions.ClientKeyPath", Kind::String},
    {"HostOptions.AuthOptions.ServerCertRemotePath", Kind::String},
    {"HostOptions.AuthOptions.ServerKeyRemotePath", Kind::String},
    {"HostOptions.AuthOptions.ClientCertPath", Kind::String},
    {"HostOptions.AuthOptions.ServerCertSANs", Kind::StringList},
    {"HostOptions.AuthOptions.StorePath", Kind::String},
    {"Imported", Kind::Object},
    {"Imported.From", Kind::String},
    {"Imported.DriverName", Kind::String},
    {"Imported.InstallURL", Kind::String},
};

using support::json_kind;

// "" when `v` has the kind, else what was expected and what was found.
std::string mismatch(const nlohmann::json& v, Kind kind) {
    auto integer_in = [&](std::int64_t lo, std::int64_t hi) { // lo <= hi, both within int
        if (v.is_number_unsigned())
            return v.get<std::uint64_t>() <= static_cast<std::uint64_t>(hi) &&
                   static_cast<std::int64_t>(v.get<std::uint64_t>()) >= lo;
        return v.is_number_integer() && v.get<std::int64_t>() >= lo && v.get<std::int64_t>() <= hi;
    };
    switch (kind) {
    case Kind::String:
        return v.is_string() ? "" : fmt::format("expected a string, got {}", json_kind(v));
    case Kind::Bool:
        return v.is_boolean() ? "" : fmt::format("expected a boolean, got {}", json_kind(v));
    case Kind::Object:
        return v.is_object() ? "" : fmt::format("expected an object, got {}", json_kind(v));
    case Kind::Integer:
        if (integer_in(INT_MIN, INT_MAX))
            return "";
        return v.is_number() ? fmt::format("expected an integer, got {}", v.dump())
                             : fmt::format("expected an integer, got {}", json_kind(v));
    case Kind::Port:
        if (integer_in(1, 65535))
            return "";
        return v.is_number() ? fmt::format("expected a port number 1-65535, got {}", v.dump())
                             : fmt::format("expected a port number, got {}", json_kind(v));
    case Kind::StringList:
        return v.is_array() ? "" : fmt::format("expected an array, got {}", json_kind(v));
    }
    return "";
}

// Throws StoreError naming the first field of k_fields whose value has the wrong kind (absent
// fields are fine: the conversion uses its default; null is fine only for a list).
void check_shape(const nlohmann::json& j) {
    if (!j.is_object())
        throw StoreError(fmt::format("expected a JSON object, got {}", json_kind(j)));
    for (const Field& f : k_fields) {
        const nlohmann::json* v = &j;
        std::string_view rest = f.path;
        while (v && !rest.empty()) {
            const auto dot = rest.find('.');
            const std::string key(rest.substr(0, dot));
            rest = dot == std::string_view::npos ? std::string_view() : rest.substr(dot + 1);
            auto it = v->is_object() ? v->find(key) : v->end();
            v = v->is_object() && it != v->end() ? &*it : nullptr;
        }
        if (!v || (v->is_null() && f.kind == Kind::StringList)) // a null list reads as empty
            continue;
        if (auto why = mismatch(*v, f.kind); !why.empty())
            throw StoreError(fmt::format("field \"{}\": {}", f.path, why));
        if (f.kind != Kind::StringList)
            continue;
        for (std::size_t i = 0; i < v->size(); ++i) {
            if (!(*v)[i].is_string())
                throw StoreError(fmt::format("field \"{}[{}]\": expected a string, got {}", f.path,
                                             i, json_kind((*v)[i])));
        }
    }
}

} // namespace

void to_json(nlohmann::json& j, const Host& h) {
    j = nlohmann::json{
        {"ConfigVersion", h.config_version},
        {"Driver", drivers::encode_record(h.driver)},
        {"DriverName", h.driver_name},
        {"HostOptions",
         {{"Driver", ""},
          {"EngineOptions", h.options.engine},
          {"SwarmOptions",
           {{"IsSwarm", h.options.swarm.manager || !h.options.swarm.join.empty()},
            {"Master", h.options.swarm.manager},
            {"Join", h.options.swarm.join},
            {"Role", h.options.swarm.role}}},
          {"AuthOptions", auth_to_json(h.options.auth)}}},
        {"Name", h.name},
        {"CreatedAt", h.created_at},
        {"Error", h.error},
    };
    // docker-machine's EngineOptions.InstallURL: the get.docker.com-style script it installed the
    // engine with. machine installs Debian's docker.io instead (AptSource), so the field is ""
    // except on imported machines, which keep what docker-machine recorded.
    j["HostOptions"]["EngineOptions"]["InstallURL"] = h.imported ? h.imported->install_url : "";
    if (h.imported)
        j["Imported"] = {{"From", h.imported->from.string()},
                         {"DriverName", h.imported->driver_name},
                         {"InstallURL", h.imported->install_url},
                         {"Limits", h.imported->limits}};
}

void from_json(const nlohmann::json& j, Host& h) {
    h.config_version = j.value("ConfigVersion", 3);
    h.name = j.value("Name", "");
    h.driver_name = j.value("DriverName", "");
    h.driver =
        drivers::decode_record(j.contains("Driver") ? j["Driver"] : nlohmann::json::object());
    h.created_at = j.value("CreatedAt", "");
    h.error = j.value("Error", "");
    if (j.contains("Imported") && j["Imported"].is_object()) {
        const auto& i = j["Imported"];
        ImportInfo info;
        info.from = i.value("From", "");
        info.driver_name = i.value("DriverName", "");
        info.install_url = i.value("InstallURL", "");
        if (i.contains("Limits") && i["Limits"].is_array())
            for (const auto& l : i["Limits"])
                if (l.is_string())
                    info.limits.push_back(l.get<std::string>());
        h.imported = std::move(info);
    }
    if (j.contains("HostOptions")) {
        const auto& o = j["HostOptions"];
        if (o.contains("EngineOptions"))
            engine::from_json(o["EngineOptions"], h.options.engine);
        if (o.contains("SwarmOptions")) {
            const auto& s = o["SwarmOptions"];
            h.options.swarm.manager = s.value("Master", false);
            h.options.swarm.join = s.value("Join", "");
            h.options.swarm.role = s.value("Role", "worker");
        }
        if (o.contains("AuthOptions"))
            h.options.auth = auth_from_json(o["AuthOptions"]);
    }
}

Host host_from_config(const std::string& text, const fs::path& file, const fs::path& root) {
    if (text.size() > k_max_config_bytes)
        throw StoreError(fmt::format("{}: {} bytes, more than the {} a config.json may have",
                                     file.string(), text.size(), k_max_config_bytes));
    struct TooDeep {};
    nlohmann::json j;
    try {
        // The callback sees each value's depth while parsing, so a deep document is refused
        // before it is built (copying, printing and rewriting it recurse).
        j = nlohmann::json::parse(text,
                                  [](int depth, nlohmann::json::parse_event_t, nlohmann::json&) {
                                      if (depth > k_max_config_depth)
                                          throw TooDeep{};
                                      return true;
                                  });
    } catch (const TooDeep&) {
        throw StoreError(fmt::format("{}: JSON nested deeper than {} levels", file.string(),
                                     k_max_config_depth));
    } catch (const nlohmann::json::exception& e) {
        throw StoreError(fmt::format("{}: not valid JSON: {}", file.string(), e.what()));
    }
    try {
        check_shape(j);
        absolutize_paths(j, root);
        return j.get<Host>();
    } catch (const StoreError& e) {
        throw StoreError(fmt::format("{}: {}", file.string(), e.what()));
    } catch (const nlohmann::json::exception& e) { // a shape check_shape does not know yet
        throw StoreError(fmt::format("{}: wrong shape: {}", file.string(), e.what()));
    }
}

void relativize_paths(nlohmann::json& j, const fs::path& root) {
    const fs::path base = root.lexically_normal();
    rewrite_paths(j, [&](const std::string& s) -> std::string {
        fs::path p(s);
        if (s.empty() || !p.is_absolute())
            return s;
        fs::path rel = p.lexically_normal().lexically_relative(base);
        if (rel.empty() || *rel.begin() == "..")
            return s; // outside the store: keep as given
        return rel.string();
    });
}

void absolutize_paths(nlohmann::json& j, const fs::path& root) {
    rewrite_paths(j, [&](const std::string& s) -> std::string {
        fs::path p(s);
        if (s.empty() || p.is_absolute())
            return s;
        if (s == ".")
            return root.lexically_normal().string();
        return (root / p).lexically_normal().string();
    });
}

} // namespace machine
