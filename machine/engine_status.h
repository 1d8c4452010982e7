#pragma once
// What `ls` and `version NAME` learn from a machine's engine over its TLS API (never SSH).
#include "machine/host.h"

#include <chrono>
#include <string>

namespace machine {

struct EngineStatus {
    std::string version;    // "24.0.5"; "" when not reachable
    std::string swarm_role; // leader, manager, worker, or ""
    std::string error;      // why it could not be asked
};

// GET /version and /info with the machine's client certificate, bounded by `timeout`.
EngineStatus query_engine(const Host& host, std::chrono::milliseconds timeout);

} // namespace machine
