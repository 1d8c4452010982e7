#pragma once
// From the user's engine options to the engine's configuration on the guest:
//   /etc/docker/daemon.json       hosts (unix socket + TLS port), TLS files, labels, registries,
//                                 storage driver
//   /etc/systemd/system/docker.service.d/10-machine.conf
//                                 resets ExecStart (Debian's unit passes `-H fd://`, which dockerd
//                                 refuses next to "hosts" in daemon.json) and runs dockerd with
//                                 the user's --engine-opt flags and --engine-env variables.
// The engine never listens on plain TCP (2375). Pure text rendering: no I/O.
#include "engine/engine_options.h"

#include <string>

namespace machine::engine {

// Where the TLS files live on the guest.
struct RemotePaths {
    std::string ca = "/etc/docker/ca.pem";
    std::string cert = "/etc/docker/server.pem";
    std::string key = "/etc/docker/server-key.pem";
};

inline constexpr const char* k_daemon_json_path = "/etc/docker/daemon.json";
inline constexpr const char* k_systemd_dropin_path =
    "/etc/systemd/system/docker.service.d/10-machine.conf";

// Throws UsageError, naming the flag and the value, for input that cannot be rendered safely:
// --engine-opt not `name` or `name=value` with name [a-z0-9-]+, or setting what machine owns
// (hosts, TLS, containerd, config file) or what has its own flag (labels, registries, storage
// driver); --engine-label not key=value; --engine-env not KEY=VALUE; --engine-registry-mirror
// not an http(s) URL; --engine-insecure-registry with a scheme; a TLS port out of range or 2375.
void validate(const EngineOptions& options);

// daemon.json, pretty-printed, ending in a newline. Validates first.
std::string render_daemon_json(const EngineOptions& options, const RemotePaths& paths = {});

// The systemd drop-in, ending in a newline. Validates first.
std::string render_systemd_dropin(const EngineOptions& options);

// One word of an ExecStart= line as systemd reads it back: bare when only safe characters,
// else double-quoted with \ and " escaped; % doubled (specifiers) and $ doubled (variables).
std::string systemd_exec_word(const std::string& word);

// The value of an Environment= line: always double-quoted, \ and " escaped, % doubled.
std::string systemd_env_assignment(const std::string& key_value);

} // namespace machine::engine
