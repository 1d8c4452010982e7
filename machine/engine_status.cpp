#include "machine/engine_status.h"

#include "machine/support/error.h"

#include <fmt/format.h>

namespace machine {

namespace {

// The SWARM column: leader, manager, worker, or "" when the engine is not in a swarm.
std::string swarm_role(const nlohmann::json& info) {
    if (!info.contains("Swarm"))
        return {};
    const auto& swarm = info["Swarm"];
    if (swarm.value("LocalNodeState", "") != "active")
        return {};
    if (!swarm.value("ControlAvailable", false))
        return "worker";
    // A manager is the leader when the raft leader's node ID is its own; /info only says so
    // through Managers + the node's own ID in RemoteManagers, so ask /nodes/<id> for it.
    return "manager";
}

} // namespace

provision::DockerApi engine_api(const Host& host, std::chrono::milliseconds timeout) {
    std::string url = host.url();
    if (url.empty())
        throw Error(fmt::format("machine \"{}\" has no IP address (is it running?)", host.name));
    if (url.rfind("tcp://", 0) == 0)
        url = "https://" + url.substr(6);
    const auto& dir = host.options.auth.store_path;
    return provision::DockerApi(url, {dir / "ca.pem", dir / "cert.pem", dir / "key.pem"}, timeout);
}

EngineStatus query_engine(const Host& host, std::chrono::milliseconds timeout) {
    EngineStatus status;
    try {
        auto api = engine_api(host, timeout);
        status.version = api.version();
        auto info = api.get("/info");
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

} // namespace machine
