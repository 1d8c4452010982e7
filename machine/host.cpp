#include "machine/host.h"

#include <fmt/format.h>

namespace machine {

std::string Host::url() const {
    std::string address = ip();
    if (address.empty())
        return {};
    if (driver_name == "none" && driver.contains("URL"))
        return driver["URL"].get<std::string>();
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

template <class F>
void rewrite_paths(nlohmann::json& j, F&& rewrite) {
    if (!j.is_object())
        return;
    for (auto it = j.begin(); it != j.end(); ++it) {
        nlohmann::json& value = it.value();
        if (value.is_object()) {
            rewrite_paths(value, rewrite);
        } else if (is_path_key(it.key()) && value.is_string()) {
            value = rewrite(value.get_ref<const std::string&>());
        } else if (value.is_array()) {
            for (auto& element : value) {
                if (element.is_object())
                    rewrite_paths(element, rewrite);
                else if (is_path_key(it.key()) && element.is_string())
                    element = rewrite(element.get_ref<const std::string&>());
            }
        }
    }
}

} // namespace

void to_json(nlohmann::json& j, const Host& h) {
    j = nlohmann::json{
        {"ConfigVersion", h.config_version},
        {"Driver", h.driver},
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
    h.driver = j.contains("Driver") ? j["Driver"] : nlohmann::json::object();
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
