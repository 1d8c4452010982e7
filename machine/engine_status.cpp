#include "machine/engine_status.h"

#include "machine/support/error.h"

#include <fmt/format.h>

#include <algorithm>

namespace machine {

namespace {

// The SWARM column from /info: leader (decided later from /nodes), manager, worker, or "" when
// the engine is not in a swarm.
std::string swarm_role(const nlohmann::json& info) {
    if (!info.is_object() || !info.contains("Swarm") || !info["Swarm"].is_object())
        return {};
    const auto& swarm = info["Swarm"];
    if (swarm.value("LocalNodeState", "") != "active")
        return {};
    if (!swarm.value("ControlAvailable", false))
        return "worker";
    return "manager";
}

std::string string_field(const nlohmann::json& j, const char* key) {
    if (j.is_object() && j.contains(key) && j[key].is_string())
        return j[key].get<std::string>();
    return {};
}

// The engine's message for a non-2xx answer, else the body.
std::string http_error(const provision::HttpsAnswer& a) {
    auto body = nlohmann::json::parse(a.text, nullptr, /*allow_exceptions=*/false);
    std::string msg = string_field(body, "message");
    return fmt::format("HTTP {}: {}", a.status, msg.empty() ? a.text : msg);
}

} // namespace

EngineTarget engine_target(const Host& host) {
    std::string url = host.url();
    if (url.empty())
        throw Error(fmt::format("machine \"{}\" has no IP address (is it running?)", host.name));
    if (url.rfind("tcp://", 0) == 0)
        url = "https://" + url.substr(6);
    const auto& dir = host.options.auth.store_path;
    return {url, {dir / "ca.pem", dir / "cert.pem", dir / "key.pem"}};
}

provision::DockerApi engine_api(const Host& host, const provision::HttpsTransport& https,
                                std::chrono::milliseconds timeout) {
    auto target = engine_target(host);
    return provision::DockerApi(target.base_url, target.tls, https, timeout);
}

EngineStatus query_engine(const Host& host, const provision::HttpsTransport& https,
                          std::chrono::milliseconds timeout) {
    EngineStatus status;
    try {
        auto api = engine_api(host, https, timeout);
        auto info = api.get("/info");
        status.version = string_field(info, "ServerVersion");
        status.swarm_role = swarm_role(info);
        if (status.swarm_role == "manager") {
            std::string node_id = info["Swarm"].value("NodeID", "");
            auto node = api.get("/nodes/" + node_id);
            if (node.contains("ManagerStatus") && node["ManagerStatus"].value("Leader", false))
                status.swarm_role = "leader";
        }
    } catch (const std::exception& e) {
        status.error = fmt::format("Unable to query docker version: {}", e.what());
    }
    return status;
}

void EngineBatch::send(provision::HttpsMulti::Id& id, Asking& a) {
    // The deadline is kept by wait() and cancel_all(): an engine still silent then is a Timeout
    // row, as in docker-machine. The transport's own limit is only a backstop past it, so that
    // it never turns a hang into an error row just before the deadline.
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(a.deadline - Clock::now());
    auto limit = std::max(left, std::chrono::milliseconds(0)) + k_backstop;
    provision::HttpsRequest r{"GET", a.target.base_url, a.path, std::nullopt, a.target.tls, limit};
    id = m_transport.start(r);
}

void EngineBatch::add(std::size_t key, const EngineTarget& target, Clock::time_point deadline) {
    Asking a{key, target, deadline, "/info", {}};
    provision::HttpsMulti::Id id = 0;
    send(id, a);
    m_asking.emplace(id, std::move(a));
}

std::vector<std::pair<std::size_t, EngineStatus>> EngineBatch::wait(Clock::time_point until) {
    std::vector<std::pair<std::size_t, EngineStatus>> done;
    for (auto& [id, answer] : m_transport.wait(until)) {
        auto it = m_asking.find(id);
        if (it == m_asking.end())
            continue;
        Asking a = std::move(it->second);
        m_asking.erase(it);
        const std::string where =
            fmt::format("Docker engine at {}: GET {}", a.target.base_url, a.path);
        if (a.path == "/info") {
            if (!answer.error.empty()) {
                a.status.error =
                    fmt::format("Unable to query docker version: {}: {}", where, answer.error);
            } else if (answer.status < 200 || answer.status >= 300) {
                a.status.error = fmt::format("Unable to query docker version: {}: {}", where,
                                             http_error(answer));
            } else
                try {
                    auto info = nlohmann::json::parse(answer.text, nullptr, false);
                    a.status.version = string_field(info, "ServerVersion");
                    a.status.swarm_role = swarm_role(info);
                    if (a.status.version.empty())
                        a.status.error = fmt::format(
                            "Unable to query docker version: {}: the answer has no ServerVersion",
                            where);
                    std::string node_id = a.status.swarm_role == "manager"
                                              ? string_field(info["Swarm"], "NodeID")
                                              : "";
                    if (!node_id.empty()) {
                        // Same engine, same connection (the transport keeps one per engine).
                        a.path = "/nodes/" + node_id;
                        provision::HttpsMulti::Id next = 0;
                        send(next, a);
                        m_asking.emplace(next, std::move(a));
                        continue;
                    }
                } catch (const nlohmann::json::exception& e) { // a field of another type
                    a.status = {};
                    a.status.error =
                        fmt::format("Unable to query docker version: {}: unexpected answer: {}",
                                    where, e.what());
                }
        } else { // /nodes/<id>: the leader question; the version is already known
            if (!answer.error.empty() || answer.status < 200 || answer.status >= 300) {
                a.status.error =
                    fmt::format("Unable to tell the swarm leader: {}: {}", where,
                                answer.error.empty() ? http_error(answer) : answer.error);
            } else {
                auto node = nlohmann::json::parse(answer.text, nullptr, false);
                if (node.is_object() && node.contains("ManagerStatus") &&
                    node["ManagerStatus"].is_object()) {
                    const auto& leader = node["ManagerStatus"]["Leader"];
                    if (leader.is_boolean() && leader.get<bool>())
                        a.status.swarm_role = "leader";
                }
            }
        }
        done.emplace_back(a.key, std::move(a.status));
    }
    return done;
}

void EngineBatch::cancel_all() {
    for (const auto& [id, a] : m_asking)
        m_transport.cancel(id);
    m_asking.clear();
}

} // namespace machine
