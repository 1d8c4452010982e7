#include "machine/swarm_membership.h"

#include "machine/support/error.h"

#include <fmt/format.h>
#include <fmt/ostream.h>
#include <fmt/ranges.h>

namespace machine {

namespace {

std::string host_of(const std::string& addr) {
    if (!addr.empty() && addr.front() == '[')
        return addr.substr(1, addr.find(']') - 1);
    auto colon = addr.rfind(':');
    return colon == std::string::npos ? addr : addr.substr(0, colon);
}

std::string require_ip(const Host& host) {
    std::string ip = host.ip();
    if (ip.empty())
        throw Error(fmt::format("machine \"{}\" has no IP address (is it running?)", host.name));
    return ip;
}

} // namespace

MachineEngine::MachineEngine(const Host& host, const provision::HttpsTransport& https,
                             std::chrono::milliseconds timeout)
    : m_name(host.name), m_api(engine_api(host, https, timeout)) {}

swarm::ApiResponse MachineEngine::call(const std::string& method, const std::string& path,
                                       const nlohmann::json& body) {
    try {
        if (body.is_null())
            return m_api.request(method, path);
        return m_api.request(method, path, body.dump());
    } catch (const TimeoutError&) {
        throw;
    } catch (const Error& e) {
        throw Error(fmt::format("machine \"{}\": {}", m_name, e.what()));
    }
}

Host find_manager(const Store& store, const std::string& name,
                  const provision::HttpsTransport& https, std::chrono::milliseconds timeout) {
    Host host = store.load(name);
    MachineEngine engine(host, https, timeout);
    swarm::SwarmInfo info = swarm::inspect(engine);
    if (!info.active())
        throw Error(
            fmt::format("machine \"{}\" is in no swarm (swarm state: {})", name, info.state));
    if (info.control_available)
        return host;
    std::vector<std::string> tried;
    for (const auto& addr : info.remote_managers) {
        std::string ip = host_of(addr);
        for (const auto& other : store.list()) {
            if (other == name)
                continue;
            Host candidate;
            try {
                candidate = store.load(other);
            } catch (const Error&) {
                continue;
            }
            if (candidate.ip() != ip)
                continue;
            try {
                MachineEngine mgr(candidate, https, timeout);
                if (swarm::inspect(mgr).control_available)
                    return candidate;
                tried.push_back(fmt::format("{} ({}): not a manager", other, ip));
            } catch (const Error& e) {
                tried.push_back(fmt::format("{} ({}): {}", other, ip, e.what()));
            }
        }
    }
    std::string managers;
    for (const auto& a : info.remote_managers)
        managers += (managers.empty() ? "" : ", ") + a;
    throw Error(fmt::format("machine \"{}\" is a worker; none of its managers ({}) is a "
                            "reachable machine of this store{}{}",
                            name, managers.empty() ? "none known" : managers,
                            tried.empty() ? "" : ": ", fmt::format("{}", fmt::join(tried, "; "))));
}

swarm::InitResult swarm_init(const Host& host, const provision::HttpsTransport& https,
                             std::ostream& out) {
    MachineEngine engine(host, https);
    auto result = swarm::init(engine, require_ip(host));
    if (result.changed)
        fmt::print(out, "Swarm initialized: machine \"{}\" ({}) is now its manager.\n", host.name,
                   host.ip());
    else
        fmt::print(out, "Machine \"{}\" already manages a swarm: nothing to do.\n", host.name);
    fmt::print(out, "To add a worker: machine swarm join NODE --manager {}\n", host.name);
    return result;
}

bool swarm_join(const Store& store, const Host& node, const std::string& member, swarm::Role role,
                const provision::HttpsTransport& https, std::ostream& out) {
    if (member == node.name)
        throw UsageError(
            fmt::format("machine \"{}\" cannot join a swarm through itself", node.name));
    Host manager = find_manager(store, member, https);
    MachineEngine node_engine(node, https);
    MachineEngine manager_engine(manager, https);
    bool changed =
        swarm::join(node_engine, manager_engine, {require_ip(node), require_ip(manager), role});
    if (changed)
        fmt::print(out, "Machine \"{}\" joined the swarm of \"{}\" as a {}.\n", node.name,
                   manager.name, swarm::to_string(role));
    else
        fmt::print(out, "Machine \"{}\" already is in the swarm of \"{}\": nothing to do.\n",
                   node.name, manager.name);
    return changed;
}

void apply_swarm_options(const Host& host, const Store& store,
                         const provision::HttpsTransport& https, std::ostream& out) {
    const SwarmOptions& s = host.options.swarm;
    try {
        if (s.manager) {
            swarm_init(host, https, out);
        } else if (!s.join.empty()) {
            auto role = swarm::parse_join_role(s.role);
            if (!role)
                throw UsageError(
                    fmt::format("--swarm-role is worker or manager, not \"{}\"", s.role));
            swarm_join(store, host, s.join, *role, https, out);
        }
    } catch (const Error& e) {
        std::string retry = s.manager ? fmt::format("machine swarm init {}", host.name)
                                      : fmt::format("machine swarm join {} --manager {} --role {}",
                                                    host.name, s.join, s.role);
        throw Error(fmt::format("machine \"{}\" is up, but the swarm step failed: {}\n(run `{}` "
                                "to retry it)",
                                host.name, e.what(), retry));
    }
}

} // namespace machine
