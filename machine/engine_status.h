#pragma once
// What `ls` and `version NAME` learn from a machine's engine over its TLS API (never SSH).
#include "machine/host.h"
#include "provision/docker_api.h"

#include <chrono>
#include <string>

namespace machine {

struct EngineStatus {
    std::string version;    // "24.0.5"; "" when not reachable
    std::string swarm_role; // leader, manager, worker, or ""
    std::string error;      // why it could not be asked
};

// A client of the machine's engine with its client certificate (DOCKER_CERT_PATH files).
// Throws Error when the machine has no IP recorded.
provision::DockerApi engine_api(const Host& host,
                                std::chrono::milliseconds timeout = std::chrono::seconds(60));

// GET /version and /info with the machine's client certificate, bounded by `timeout`.
EngineStatus query_engine(const Host& host, std::chrono::milliseconds timeout);

} // namespace machine
