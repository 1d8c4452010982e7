#pragma once
// A small stateful Docker engine for swarm tests: several FakeEngines share one FakeNetwork that
// holds the swarms, so init/join/leave change what every engine then reports, as real engines
// do. Every request is recorded ("POST /swarm/init") for tests that check what was sent.
// swarm/ talks to it as an EngineApi; the pipelines above it (machine/) reach it through
// https_to(), an HttpsTransport that routes each request to the engine at the request's IP.
// (The integration tests' engine behind a real TLS socket is fake_tls_engine.h.)
#include "machine/support/error.h"
#include "provision/https_transport.h"
#include "swarm/engine_api.h"

#include <fmt/format.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace machine::testing {

using swarm::ApiResponse;
using swarm::EngineApi;

struct FakeSwarmNode {
    std::string id, hostname, addr;
    std::string role = "worker";
    std::string state = "ready";
    long long version = 1;
};

struct FakeSwarm {
    std::string id;
    std::string worker_token, manager_token;
    std::map<std::string, FakeSwarmNode> nodes; // by node ID
};

struct FakeNetwork {
    std::map<std::string, FakeSwarm> swarms; // by cluster ID
    int next_id = 1;
    std::string new_id(const std::string& prefix) { return fmt::format("{}{}", prefix, next_id++); }
};

class FakeEngine : public EngineApi {
public:
    FakeEngine(FakeNetwork& net, std::string hostname, std::string ip)
        : m_net(net), m_hostname(std::move(hostname)), m_ip(std::move(ip)) {}

    std::vector<std::string> calls;     // "METHOD path", in order
    std::vector<nlohmann::json> bodies; // the body of each call (null when none)
    bool reachable = true;
    bool leave_times_out = false; // leaves, then answers 500 "context deadline exceeded"

    std::string endpoint() const override { return m_hostname; }
    const std::string& ip() const { return m_ip; }
    const std::string& cluster() const { return m_cluster; }
    const std::string& node_id() const { return m_node_id; }

    ApiResponse call(const std::string& method, const std::string& path,
                     const nlohmann::json& body = nullptr) override {
        calls.push_back(method + " " + path);
        bodies.push_back(body);
        if (!reachable)
            throw Error(fmt::format("{}: Connection refused", m_hostname));
        using nlohmann::json;
        FakeSwarm* s = swarm();
        FakeSwarmNode* self = s ? &s->nodes.at(m_node_id) : nullptr;
        bool manager = self && self->role == "manager";
        if (method == "GET" && path == "/info") {
            json sw = {{"LocalNodeState", s ? "active" : "inactive"},
                       {"ControlAvailable", manager},
                       {"NodeID", s ? m_node_id : ""},
                       {"NodeAddr", s ? m_ip : ""},
                       {"Error", ""}};
            if (s) {
                json remotes = json::array();
                for (const auto& [id, n] : s->nodes)
                    if (n.role == "manager")
                        remotes.push_back({{"NodeID", id}, {"Addr", n.addr + ":2377"}});
                sw["RemoteManagers"] = remotes;
            }
            if (manager)
                sw["Cluster"] = {{"ID", s->id}};
            return ok({{"Name", m_hostname}, {"Swarm", sw}});
        }
        if (method == "POST" && path == "/swarm/init") {
            if (s)
                return error(503, "This node is already part of a swarm. Use \"docker swarm "
                                  "leave\" to leave this swarm and join another one.");
            FakeSwarm fresh;
            fresh.id = m_net.new_id("cluster");
            fresh.worker_token = "SWMTKN-1-" + fresh.id + "-worker";
            fresh.manager_token = "SWMTKN-1-" + fresh.id + "-manager";
            m_node_id = m_net.new_id("node");
            fresh.nodes[m_node_id] = {m_node_id, m_hostname, body.value("AdvertiseAddr", ""),
                                      "manager"};
            m_cluster = fresh.id;
            m_net.swarms[fresh.id] = fresh;
            return ok(m_node_id);
        }
        if (method == "POST" && path == "/swarm/join") {
            if (s)
                return error(503, "This node is already part of a swarm. Use \"docker swarm "
                                  "leave\" to leave this swarm and join another one.");
            std::string token = body.value("JoinToken", "");
            std::string remote = body["RemoteAddrs"].at(0).get<std::string>();
            for (auto& [id, candidate] : m_net.swarms) {
                bool has_manager = false;
                for (const auto& [nid, n] : candidate.nodes)
                    has_manager |= n.role == "manager" && n.addr + ":2377" == remote;
                if (!has_manager)
                    continue;
                if (token != candidate.worker_token && token != candidate.manager_token)
                    return error(500, "rpc error: code = InvalidArgument desc = A valid join "
                                      "token is necessary to join this cluster");
                m_node_id = m_net.new_id("node");
                candidate.nodes[m_node_id] = {
                    m_node_id, m_hostname, body.value("AdvertiseAddr", ""),
                    token == candidate.manager_token ? "manager" : "worker"};
                m_cluster = id;
                return {200, nullptr, ""};
            }
            return error(500, "Timeout was reached before node joined. The attempt to join "
                              "the swarm will continue in the background.");
        }
        if (method == "POST" && path.rfind("/swarm/leave", 0) == 0) {
            if (!s)
                return error(503, "This node is not part of a swarm");
            bool force = path.find("force=true") != std::string::npos;
            if (manager && !force)
                return error(503, "You are attempting to leave the swarm on a node that is "
                                  "participating as a manager. Use `--force` to ignore this "
                                  "message.");
            self->state = "down"; // the swarm keeps listing a node that left, as Docker does
            m_cluster.clear();
            m_node_id.clear();
            if (leave_times_out)
                return error(500, "context deadline exceeded");
            return {200, nullptr, ""};
        }
        if (!manager && (path == "/swarm" || path.rfind("/nodes", 0) == 0))
            return error(503, "This node is not a swarm manager. Worker nodes can't be used to "
                              "view or modify cluster state. Please run this command on a "
                              "manager node or promote the current node to a manager.");
        if (method == "GET" && path == "/swarm")
            return ok(
                {{"ID", s->id},
                 {"JoinTokens", {{"Worker", s->worker_token}, {"Manager", s->manager_token}}}});
        if (method == "GET" && path == "/nodes") {
            json list = json::array();
            for (const auto& [id, n] : s->nodes)
                list.push_back(node_json(*s, n));
            return ok(list);
        }
        if (method == "GET" && path.rfind("/nodes/", 0) == 0) {
            auto it = s->nodes.find(path.substr(7));
            if (it == s->nodes.end())
                return error(404, "node " + path.substr(7) + " not found");
            return ok(node_json(*s, it->second));
        }
        if (method == "POST" && path.rfind("/nodes/", 0) == 0) {
            auto slash = path.find("/update?version=");
            std::string id = path.substr(7, slash - 7);
            auto it = s->nodes.find(id);
            if (it == s->nodes.end())
                return error(404, "node " + id + " not found");
            if (std::stoll(path.substr(slash + 16)) != it->second.version)
                return error(500, "update out of sequence");
            it->second.role = body.value("Role", it->second.role);
            it->second.version++;
            return {200, nullptr, ""};
        }
        return error(404, "page not found");
    }

private:
    static ApiResponse ok(nlohmann::json body) { return {200, body, body.dump()}; }
    static ApiResponse error(long status, const std::string& message) {
        nlohmann::json body = {{"message", message}};
        return {status, body, body.dump()};
    }
    FakeSwarm* swarm() {
        auto it = m_net.swarms.find(m_cluster);
        return it == m_net.swarms.end() ? nullptr : &it->second;
    }
    nlohmann::json node_json(const FakeSwarm& s, const FakeSwarmNode& n) const {
        nlohmann::json j = {
            {"ID", n.id},
            {"Version", {{"Index", n.version}}},
            {"Spec", {{"Role", n.role}, {"Availability", "active"}}},
            {"Description",
             {{"Hostname", n.hostname}, {"Engine", {{"EngineVersion", "20.10.24"}}}}},
            {"Status", {{"State", n.state}, {"Addr", n.addr}}}};
        if (n.role == "manager") {
            bool leader = false;
            for (const auto& [id, m] : s.nodes)
                if (m.role == "manager") {
                    leader = id == n.id; // the first manager leads
                    break;
                }
            j["ManagerStatus"] = {
                {"Leader", leader}, {"Reachability", "reachable"}, {"Addr", n.addr + ":2377"}};
        }
        return j;
    }

    FakeNetwork& m_net;
    std::string m_hostname, m_ip;
    std::string m_cluster, m_node_id;
};

// An HttpsTransport answering for `engines` (each at https://<ip>:2376): /_ping answers OK,
// every other request goes to FakeEngine::call. An unreachable engine, or an address no engine
// has, answers as curl would: no HTTP answer, an error.
inline provision::HttpsTransport https_to(std::vector<FakeEngine*> engines) {
    return [engines](const provision::HttpsRequest& r) -> provision::HttpsAnswer {
        for (FakeEngine* e : engines) {
            if (r.base_url != "https://" + e->ip() + ":2376")
                continue;
            if (!e->reachable)
                return {"Failed to connect to " + e->ip() + " port 2376: Connection refused", 0, ""};
            if (r.path == "/_ping")
                return {"", 200, "OK"};
            nlohmann::json body = r.json_body ? nlohmann::json::parse(*r.json_body) : nullptr;
            ApiResponse a = e->call(r.method, r.path, body);
            return {"", a.status, a.text};
        }
        return {"Failed to connect to " + r.base_url + ": No route to host", 0, ""};
    };
}

} // namespace machine::testing
