#pragma once
// The Host model: what config.json records about one machine, in docker-machine's shape
// (ConfigVersion, Driver, DriverName, HostOptions{EngineOptions, SwarmOptions, AuthOptions}, Name)
// so scripts that read `inspect` keep working. In memory every path is absolute; the Store makes
// paths under the store relative on save.
#include "drivers/driver_record.h"
#include "engine/engine_options.h"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace machine {

namespace fs = std::filesystem;

inline constexpr int k_config_version = 4; // docker-machine wrote 3; 4 adds relative paths

struct AuthOptions {
    fs::path cert_dir;      // <store>/certs
    fs::path ca_cert;       // CA certificate (store-wide unless --tls-ca-cert)
    fs::path ca_key;        // CA private key
    fs::path client_cert;   // client certificate the host's docker uses
    fs::path client_key;
    fs::path server_cert;   // in the machine folder
    fs::path server_key;
    fs::path store_path;    // the machine folder = DOCKER_CERT_PATH
    std::vector<std::string> server_cert_sans; // extra --tls-san entries
    std::string ca_cert_remote = "/etc/docker/ca.pem";
    std::string server_cert_remote = "/etc/docker/server.pem";
    std::string server_key_remote = "/etc/docker/server-key.pem";
};

struct SwarmOptions {
    bool manager = false;    // --swarm-manager: init a swarm on this machine
    std::string join;        // --swarm-join NAME: join NAME's swarm
    std::string role = "worker";
};

struct HostOptions {
    engine::EngineOptions engine;
    SwarmOptions swarm;
    AuthOptions auth;
};

// What a machine adopted from a docker-machine store (`machine import`) carries from there.
struct ImportInfo {
    fs::path from;                   // the docker-machine machine folder it came from
    std::string driver_name;         // docker-machine's DriverName ("generic" is kept as none)
    std::string install_url;         // docker-machine's EngineOptions.InstallURL
    std::vector<std::string> limits; // what does not work for it here, and why (one line each)
};

struct Host {
    int config_version = k_config_version;
    std::string name;
    std::string driver_name;
    drivers::DriverRecord driver; // config.json's "Driver" section (Store::save fills it)
    HostOptions options;
    std::string created_at;  // RFC 3339, UTC
    std::string error;       // why the last create/provision failed; "" when healthy
    std::optional<ImportInfo> imported; // set by `machine import --from-docker-machine`

    // The recorded URL when the driver keeps one (none), else tcp://<ip>:<port> from the
    // recorded IP; "" if the IP is unknown.
    std::string url() const;
    const std::string& ip() const { return driver.ip; }
};

// Bounds on a config.json: its size, and how deep its JSON may nest (docker-machine's is 4
// levels deep; copying, printing and the path rewriting below recurse).
inline constexpr std::size_t k_max_config_bytes = 1024 * 1024;
inline constexpr int k_max_config_depth = 32;

// A config.json's text -> Host, paths under `root` made absolute. Throws StoreError naming
// `file` when the text is too big, too deep, not JSON, or of the wrong shape:
// "<file>: field \"Driver.IPAddress\": expected a string, got number".
Host host_from_config(const std::string& text, const fs::path& file, const fs::path& root);

void to_json(nlohmann::json& j, const Host& h);
void from_json(const nlohmann::json& j, Host& h);

// Rewrites every string under a key ending in "Path", "Dir", "Paths" or "Dirs" (and the string
// elements of such arrays) between absolute-under-root and relative-to-root. Paths outside the
// root and remote (guest) paths, "...RemotePath(s)", are left alone.
void relativize_paths(nlohmann::json& j, const fs::path& root);
// Both throw StoreError for objects nested deeper than k_max_config_depth.
void absolutize_paths(nlohmann::json& j, const fs::path& root);

} // namespace machine
