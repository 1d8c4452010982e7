#include "swarm/swarm.h"

#include "machine/support/error.h"

#include <fmt/format.h>

#include <algorithm>

namespace machine::swarm {

namespace {

using nlohmann::json;

std::string str(const json& j, const char* key) {
    if (!j.is_object() || !j.contains(key) || !j[key].is_string())
        return {};
    return j[key].get<std::string>();
}

// A boolean field; false when absent or not a boolean (json::value would throw type_error).
bool flag(const json& j, const char* key) {
    return j.is_object() && j.contains(key) && j[key].is_boolean() && j[key].get<bool>();
}

// An integer field; `fallback` when absent or not an integer.
long long integer(const json& j, const char* key, long long fallback) {
    if (!j.is_object() || !j.contains(key) || !j[key].is_number_integer())
        return fallback;
    return j[key].get<long long>();
}

const json& section(const json& j, const char* key) {
    static const json empty = json::object();
    if (!j.is_object() || !j.contains(key) || !j[key].is_object())
        return empty;
    return j[key];
}

[[noreturn]] void fail(EngineApi& api, const std::string& what, const ApiResponse& r) {
    throw Error(fmt::format("{}: {}: {}", api.endpoint(), what, engine_message(r)));
}

json get_ok(EngineApi& api, const std::string& path) {
    auto r = api.call("GET", path);
    if (!r.ok())
        fail(api, "GET " + path, r);
    return r.body;
}

} // namespace

std::string to_string(Role role) {
    switch (role) {
    case Role::Worker:
        return "worker";
    case Role::Manager:
        return "manager";
    case Role::Leader:
        return "leader";
    case Role::None:
        break;
    }
    return "";
}

std::optional<Role> parse_join_role(const std::string& text) {
    if (text == "worker")
        return Role::Worker;
    if (text == "manager")
        return Role::Manager;
    return std::nullopt;
}

std::string engine_message(const ApiResponse& response) {
    std::string msg = str(response.body, "message");
    if (msg.empty())
        msg = response.text;
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' '))
        msg.pop_back();
    if (msg.empty())
        msg = fmt::format("HTTP {}", response.status);
    return msg;
}

std::string with_swarm_port(const std::string& addr) {
    // An IPv6 literal without a port has colons but no "]:".
    bool bracketed = !addr.empty() && addr.front() == '[';
    bool has_port = bracketed ? addr.find("]:") != std::string::npos
                              : std::count(addr.begin(), addr.end(), ':') == 1;
    if (has_port)
        return addr;
    if (!bracketed && addr.find(':') != std::string::npos)
        return fmt::format("[{}]:{}", addr, k_swarm_port);
    return fmt::format("{}:{}", addr, k_swarm_port);
}

SwarmInfo inspect(EngineApi& api) {
    json info = get_ok(api, "/info");
    const json& s = section(info, "Swarm");
    SwarmInfo out;
    out.state = str(s, "LocalNodeState");
    if (out.state.empty())
        out.state = "inactive";
    out.control_available = flag(s, "ControlAvailable");
    out.node_id = str(s, "NodeID");
    out.node_addr = str(s, "NodeAddr");
    out.error = str(s, "Error");
    out.cluster_id = str(section(s, "Cluster"), "ID");
    if (s.contains("RemoteManagers") && s["RemoteManagers"].is_array())
        for (const auto& m : s["RemoteManagers"])
            if (auto addr = str(m, "Addr"); !addr.empty())
                out.remote_managers.push_back(addr);
    if (!out.active())
        return out;
    if (!out.control_available) {
        out.role = Role::Worker;
        return out;
    }
    out.role = Role::Manager;
    auto node = api.call("GET", "/nodes/" + out.node_id);
    if (node.ok() && flag(section(node.body, "ManagerStatus"), "Leader"))
        out.role = Role::Leader;
    return out;
}

JoinTokens join_tokens(EngineApi& manager) {
    auto r = manager.call("GET", "/swarm");
    if (!r.ok())
        fail(manager, "cannot read the swarm's join tokens", r);
    const json& t = section(r.body, "JoinTokens");
    JoinTokens tokens{str(r.body, "ID"), str(t, "Worker"), str(t, "Manager")};
    if (tokens.worker.empty() || tokens.manager.empty())
        throw Error(fmt::format("{}: GET /swarm answered without join tokens", manager.endpoint()));
    return tokens;
}

InitResult init(EngineApi& api, const std::string& advertise_addr) {
    SwarmInfo info = inspect(api);
    if (info.active() && info.control_available)
        return {false, info.node_id, info.cluster_id};
    if (info.active())
        throw Error(fmt::format("{} is a worker in another swarm (node {}); it must leave that "
                                "swarm before it can start one",
                                api.endpoint(), info.node_id));
    if (info.state != "inactive")
        throw Error(fmt::format("{} is in swarm state \"{}\"{}; leave (with force) first",
                                api.endpoint(), info.state,
                                info.error.empty() ? "" : " (" + info.error + ")"));
    json body = {{"ListenAddr", fmt::format("0.0.0.0:{}", k_swarm_port)},
                 {"AdvertiseAddr", advertise_addr}};
    auto r = api.call("POST", "/swarm/init", body);
    if (!r.ok())
        fail(api, "swarm init", r);
    InitResult out;
    out.changed = true;
    out.node_id = r.body.is_string() ? r.body.get<std::string>() : "";
    out.cluster_id = inspect(api).cluster_id;
    return out;
}

void join_with_token(EngineApi& node, const std::string& advertise_addr,
                     const std::string& manager_addr, const std::string& token) {
    json body = {{"ListenAddr", fmt::format("0.0.0.0:{}", k_swarm_port)},
                 {"AdvertiseAddr", advertise_addr},
                 {"RemoteAddrs", json::array({with_swarm_port(manager_addr)})},
                 {"JoinToken", token}};
    auto r = node.call("POST", "/swarm/join", body);
    if (!r.ok())
        fail(node, "swarm join " + with_swarm_port(manager_addr), r);
}

bool join(EngineApi& node, EngineApi& manager, const JoinRequest& request) {
    if (request.role != Role::Worker && request.role != Role::Manager)
        throw UsageError("a node joins a swarm as worker or manager");
    SwarmInfo mgr = inspect(manager);
    if (!mgr.active() || !mgr.control_available)
        throw Error(fmt::format("{} is not a swarm manager (swarm state: {}{})", manager.endpoint(),
                                mgr.state, mgr.active() ? ", worker" : ""));
    SwarmInfo self = inspect(node);
    if (self.active()) {
        if (!self.cluster_id.empty() && self.cluster_id == mgr.cluster_id) {
            // A manager of the same swarm already; never demoted here.
            return false;
        }
        auto listed = manager.call("GET", "/nodes/" + self.node_id);
        if (listed.ok()) {
            // A member already (a worker): promote it when a manager was asked for.
            if (request.role == Role::Manager)
                return set_node_role(manager, self.node_id, Role::Manager);
            return false;
        }
        throw Error(fmt::format("{} is already in another swarm (node {}); leave it first",
                                node.endpoint(), self.node_id));
    }
    if (self.state != "inactive")
        throw Error(fmt::format("{} is in swarm state \"{}\"{}; leave (with force) first",
                                node.endpoint(), self.state,
                                self.error.empty() ? "" : " (" + self.error + ")"));
    JoinTokens tokens = join_tokens(manager);
    join_with_token(node, request.advertise_addr, request.manager_addr,
                    tokens.for_role(request.role));
    return true;
}

bool leave(EngineApi& api, bool force) {
    SwarmInfo info = inspect(api);
    if (info.state == "inactive")
        return false;
    auto r = api.call("POST", force ? "/swarm/leave?force=true" : "/swarm/leave");
    // A loaded engine can answer "context deadline exceeded" after it did leave (seen on TCG
    // guests): what counts is the node's state afterwards.
    if (!r.ok() && inspect(api).state != "inactive")
        fail(api, "swarm leave", r);
    return true;
}

std::vector<Node> nodes(EngineApi& manager) {
    json list = get_ok(manager, "/nodes");
    std::vector<Node> out;
    if (!list.is_array())
        throw Error(fmt::format("{}: GET /nodes did not answer a list", manager.endpoint()));
    for (const auto& n : list) {
        const json& spec = section(n, "Spec");
        const json& desc = section(n, "Description");
        const json& status = section(n, "Status");
        Node node;
        node.id = str(n, "ID");
        node.hostname = str(desc, "Hostname");
        node.role = str(spec, "Role");
        node.availability = str(spec, "Availability");
        node.state = str(status, "State");
        node.addr = str(status, "Addr");
        node.engine_version = str(section(desc, "Engine"), "EngineVersion");
        const json& ms = section(n, "ManagerStatus");
        if (flag(ms, "Leader"))
            node.manager_status = "Leader";
        else if (auto r = str(ms, "Reachability"); !r.empty())
            node.manager_status = r == "reachable" ? "Reachable" : "Unreachable";
        out.push_back(std::move(node));
    }
    std::sort(out.begin(), out.end(), [](const Node& a, const Node& b) {
        return std::tie(a.hostname, a.id) < std::tie(b.hostname, b.id);
    });
    return out;
}

bool set_node_role(EngineApi& manager, const std::string& node_id, Role role) {
    std::string want = role == Role::Worker ? "worker" : "manager";
    json node = get_ok(manager, "/nodes/" + node_id);
    json spec = section(node, "Spec");
    if (str(spec, "Role") == want)
        return false;
    long long version = integer(section(node, "Version"), "Index", 0);
    spec["Role"] = want;
    auto r =
        manager.call("POST", fmt::format("/nodes/{}/update?version={}", node_id, version), spec);
    if (!r.ok())
        fail(manager, fmt::format("cannot make node {} a {}", node_id, want), r);
    return true;
}

ApiResponse DockerEngineApi::call(const std::string& method, const std::string& path,
                                  const nlohmann::json& body) {
    if (body.is_null())
        return m_api.request(method, path);
    return m_api.request(method, path, body.dump());
}

} // namespace machine::swarm
