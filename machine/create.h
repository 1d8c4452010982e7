#pragma once
// The create pipeline: certs -> driver checks -> save -> (VM drivers: image, key, seed, VM,
// boot, SSH, engine, server cert, TLS ping) -> save. A failure at any step leaves a machine that
// `ls` shows with its error and `rm` removes.
#include "drivers/driver.h"
#include "machine/certs.h"
#include "machine/host.h"
#include "machine/remote_access.h"
#include "machine/store.h"
#include "machine/support/process.h"

#include <memory>
#include <ostream>

namespace machine {

struct CreateRequest {
    std::string name;
    std::string driver_name;
    drivers::FlagValues driver_flags;
    engine::EngineOptions engine;
    std::vector<std::string> tls_sans;
    SwarmOptions swarm;
    bool docker_context = true; // also write a docker context named after the machine
};

struct CreateServices {
    const Store& store;
    TlsPaths tls;
    support::ProcessRunner& runner;
    std::ostream& out; // progress
    RemoteAccess remote; // SSH and the engine's API
};

// Runs the pipeline; returns the saved host. Throws with the failing step's message, after
// saving the error into the machine's config.json.
Host create_machine(const CreateRequest& request, drivers::Driver& driver,
                    CreateServices& services);

// Writes the docker context of a created machine and says what happened (a line on `out`;
// a failure to write is a warning, not a failed create).
void write_machine_context(const Store& store, const Host& host, std::ostream& out);

// RFC 3339 UTC timestamp of now.
std::string now_rfc3339();

} // namespace machine
