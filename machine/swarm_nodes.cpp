#include "machine/swarm_nodes.h"

#include "machine/support/error.h"
#include "machine/swarm_membership.h"
#include "machine/table.h"

#include <fmt/format.h>

#include <cctype>
#include <map>
#include <set>

namespace machine {

namespace {

std::string capitalized(std::string s) {
    if (!s.empty())
        s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
    return s;
}

} // namespace

std::string swarm_nodes_table(const Store& store, const std::string& member,
                              const provision::HttpsTransport& https) {
    Host manager = find_manager(store, member, https);
    std::map<std::string, std::string> by_ip;
    for (const auto& n : store.list()) {
        try {
            by_ip[store.load(n).ip()] = n;
        } catch (const Error&) {
        }
    }
    MachineEngine engine(manager, https);
    std::vector<std::vector<std::string>> rows = {{"ID", "HOSTNAME", "MACHINE", "STATUS",
                                                   "AVAILABILITY", "MANAGER STATUS",
                                                   "ENGINE VERSION"}};
    for (const auto& n : swarm::nodes(engine)) {
        auto m = by_ip.find(n.addr);
        rows.push_back({n.id, n.hostname, m == by_ip.end() ? "" : m->second, capitalized(n.state),
                        capitalized(n.availability), n.manager_status, n.engine_version});
    }
    return render_columns(rows);
}

std::vector<Host> swarm_members(const Store& store, const Host& manager,
                                const provision::HttpsTransport& https) {
    MachineEngine engine(manager, https);
    std::set<std::string> addrs;
    for (const auto& n : swarm::nodes(engine))
        if (n.state != "down")
            addrs.insert(n.addr);
    std::vector<Host> members;
    for (const auto& n : store.list()) {
        try {
            Host h = store.load(n);
            if (addrs.count(h.ip()))
                members.push_back(h);
        } catch (const Error&) {
        }
    }
    return members;
}

bool swarm_leave(const Host& host, bool force, const provision::HttpsTransport& https,
                 std::ostream& out) {
    MachineEngine engine(host, https);
    bool left = swarm::leave(engine, force);
    if (left)
        out << fmt::format("Machine \"{}\" left its swarm.\n", host.name);
    else
        out << fmt::format("Machine \"{}\" is in no swarm: nothing to do.\n", host.name);
    return left;
}

} // namespace machine
