#pragma once
// What the user asked of the engine at create time (--engine-opt, --engine-label, ...), kept in
// config.json under HostOptions.EngineOptions with docker-machine's field names.
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace machine::engine {

struct EngineOptions {
    std::vector<std::string> arbitrary_flags;   // --engine-opt "log-level=debug" -> dockerd flag
    std::vector<std::string> env;               // --engine-env KEY=VALUE for dockerd's service
    std::vector<std::string> insecure_registry; // --engine-insecure-registry host:port
    std::vector<std::string> labels;            // --engine-label key=value
    std::vector<std::string> registry_mirror;   // --engine-registry-mirror URL
    std::string storage_driver;                 // --engine-storage-driver
    int tls_port = 2376;                        // the TLS API port; plain 2375 is never opened
    std::string apt_source;                     // --engine-apt-source: where to install from
};

void to_json(nlohmann::json& j, const EngineOptions& o);
void from_json(const nlohmann::json& j, EngineOptions& o);

} // namespace machine::engine
