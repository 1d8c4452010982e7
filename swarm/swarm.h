#pragma once
// Swarm membership through each engine's Docker API (TLS, client certificate), never by scraping
// `docker swarm` output over SSH. Every operation is idempotent where the outcome is already
// there: init on a manager, join on a member of the same swarm and leave on a node outside any
// swarm change nothing and say so. Errors carry the engine's own message.
#include "swarm/engine_api.h"

#include <optional>
#include <string>
#include <vector>

namespace machine::swarm {

inline constexpr int k_swarm_port = 2377;

// What `machine ls` prints in its SWARM column.
enum class Role { None, Worker, Manager, Leader };
// "", "worker", "manager", "leader".
std::string to_string(Role role);
// "worker" / "manager" (what --role and lab files accept); nullopt otherwise.
std::optional<Role> parse_join_role(const std::string& text);

// One engine's view of its swarm membership (GET /info, Swarm section).
struct SwarmInfo {
    std::string state;              // LocalNodeState: inactive, pending, active, error, locked
    bool control_available = false; // a manager
    std::string node_id;
    std::string node_addr;
    std::string cluster_id;                   // only managers know it
    std::vector<std::string> remote_managers; // "ip:2377" of the managers this node knows
    std::string error;                        // Swarm.Error, when the engine reports one
    Role role = Role::None;
    bool active() const { return state == "active"; }
};

// GET /info, plus GET /nodes/<self> on managers to tell the leader apart.
SwarmInfo inspect(EngineApi& api);

struct JoinTokens {
    std::string cluster_id;
    std::string worker;
    std::string manager;
    const std::string& for_role(Role role) const { return role == Role::Worker ? worker : manager; }
};

// GET /swarm on a manager. Throws Error (with the engine's message) on a worker or a node
// outside any swarm.
JoinTokens join_tokens(EngineApi& manager);

struct InitResult {
    bool changed = false; // false: the node already managed a swarm
    std::string node_id;
    std::string cluster_id;
};

// POST /swarm/init {"ListenAddr":"0.0.0.0:2377","AdvertiseAddr": advertise_addr}. A no-op on a
// manager; throws Error on a worker (it must leave its swarm first).
InitResult init(EngineApi& api, const std::string& advertise_addr);

// "192.0.2.7" -> "192.0.2.7:2377"; an address with a port is kept as it is.
std::string with_swarm_port(const std::string& addr);

struct JoinRequest {
    std::string advertise_addr; // the joining node's own IP
    std::string manager_addr;   // "ip" or "ip:2377"
    Role role = Role::Worker;   // Worker or Manager
};

// Joins `node` to the swarm `manager` manages, with the token for `request.role` from the
// manager. Returns false when the node already is a member of that swarm (the manager lists
// it); throws Error when it is in another swarm, or when `manager` manages none.
bool join(EngineApi& node, EngineApi& manager, const JoinRequest& request);

// The lower-level join with a token the caller has (POST /swarm/join). Throws Error with the
// engine's message, e.g. when the node already is in a swarm.
void join_with_token(EngineApi& node, const std::string& advertise_addr,
                     const std::string& manager_addr, const std::string& token);

// POST /swarm/leave[?force=true]. Returns false when the node was in no swarm.
bool leave(EngineApi& api, bool force);

// One row of `machine swarm ls` (GET /nodes).
struct Node {
    std::string id;
    std::string hostname;
    std::string role;           // worker, manager
    std::string availability;   // active, pause, drain
    std::string state;          // ready, down, unknown, disconnected
    std::string addr;           // Status.Addr
    std::string manager_status; // Leader, Reachable, Unreachable, "" for workers
    std::string engine_version;
};

// GET /nodes on a manager, sorted by hostname.
std::vector<Node> nodes(EngineApi& manager);

// POST /nodes/<id>/update with the role changed (the version is read first, as the engine
// requires). No-op when the role already matches; returns whether it changed anything.
bool set_node_role(EngineApi& manager, const std::string& node_id, Role role);

// The engine's own message from an error answer: {"message": ...} or the raw text.
std::string engine_message(const ApiResponse& response);

} // namespace machine::swarm
