#include "machine/lab_machines.h"

#include "machine/docker_contexts.h"
#include "machine/support/error.h"
#include "machine/swarm_membership.h"
#include "machine/swarm_registry.h"

#include <fmt/format.h>

#include <chrono>
#include <future>
#include <set>

namespace machine {

using swarm::NodeObservation;
using swarm::Role;

LabObservation StoreLabMachines::observe(const swarm::LabSpec& lab) {
    const Store& store = m_s.store;
    struct One {
        NodeObservation obs;
        std::string node_id, ip, engine_error;
    };
    std::vector<std::future<One>> futures;
    for (const auto& n : lab.nodes) {
        futures.push_back(std::async(std::launch::async, [this, &store, name = n.name] {
            One one;
            if (!store.exists(name))
                return one;
            one.obs.exists = true;
            Host host;
            try {
                host = store.load(name);
            } catch (const Error& e) {
                one.obs.error = e.what();
                return one;
            }
            one.obs.error = host.error;
            one.ip = host.ip();
            try {
                one.obs.state = drivers::to_string(m_s.driver_for(host)->state());
            } catch (const Error& e) {
                one.obs.state = "Error";
                one.engine_error = e.what();
            }
            if (one.obs.state != "Running" || !host.error.empty())
                return one;
            try {
                MachineEngine engine(host, m_s.remote.https, std::chrono::seconds(5));
                auto info = swarm::inspect(engine);
                one.obs.role = info.role;
                one.obs.cluster_id = info.cluster_id;
                one.node_id = info.node_id;
            } catch (const Error& e) {
                one.engine_error = e.what();
            }
            return one;
        }));
    }
    LabObservation out;
    for (size_t i = 0; i < lab.nodes.size(); ++i) {
        One one = futures[i].get();
        const auto& name = lab.nodes[i].name;
        out.nodes[name] = one.obs;
        out.node_ids[name] = one.node_id;
        out.ips[name] = one.ip;
        if (!one.engine_error.empty())
            out.engine_errors[name] = one.engine_error;
    }
    // Which nodes the lab's manager lists (as not down): those are in the lab's swarm.
    for (const auto& n : lab.nodes) {
        auto& o = out.nodes[n.name];
        if (n.role != Role::Manager || (o.role != Role::Manager && o.role != Role::Leader))
            continue;
        try {
            MachineEngine engine(store.load(n.name), m_s.remote.https, std::chrono::seconds(5));
            std::set<std::string> members;
            for (const auto& node : swarm::nodes(engine))
                if (node.state != "down")
                    members.insert(node.id);
            for (auto& [name, obs] : out.nodes)
                obs.in_lab_swarm = !out.node_ids[name].empty() && members.count(out.node_ids[name]);
        } catch (const Error& e) {
            out.engine_errors[n.name] = e.what();
        }
        break;
    }
    return out;
}

bool StoreLabMachines::exists(const std::string& name) {
    return m_s.store.exists(name);
}

support::ProcessResult StoreLabMachines::run(const LabJob& job) {
    support::ProcessSpec spec;
    spec.program = m_s.program;
    spec.args = m_s.global_args;
    spec.args.insert(spec.args.end(), job.command.begin(), job.command.end());
    spec.timeout = std::chrono::minutes(30);
    return m_s.runner.run(spec);
}

void StoreLabMachines::ready_manager(const std::string& manager, bool init, std::ostream& out) {
    Host host = m_s.store.load(manager);
    if (init)
        swarm_init(host, m_s.remote.https, out);
}

void StoreLabMachines::join(const std::string& node, const std::string& manager, swarm::Role role,
                            std::ostream& out) {
    swarm_join(m_s.store, m_s.store.load(node), manager, role, m_s.remote.https, out);
}

void StoreLabMachines::ensure_registry(const std::string& manager,
                                       const std::vector<std::string>& members, std::ostream& out) {
    std::vector<Host> hosts;
    for (const auto& name : members)
        hosts.push_back(m_s.store.load(name));
    RegistryServices services{m_s.store, m_s.tls, m_s.runner, out, m_s.driver_for, m_s.remote};
    machine::ensure_registry(m_s.store.load(manager), hosts, services);
}

void StoreLabMachines::write_context(const swarm::LabSpec& lab, const std::string& member,
                                     std::ostream& out) {
    if (m_s.store.exists(lab.name)) {
        out << fmt::format("No docker context for lab \"{}\": a machine has that name\n", lab.name);
        return;
    }
    try {
        Host manager = find_manager(m_s.store, member, m_s.remote.https, std::chrono::seconds(5));
        DockerContexts contexts(m_s.store, docker_config_dir());
        switch (contexts.write(lab.name, manager, lab.name)) {
        case ContextWrite::Written:
            out << fmt::format("Docker context \"{}\" points at manager {} (docker "
                               "--context {} stack deploy ...)\n",
                               lab.name, manager.name, lab.name);
            break;
        case ContextWrite::NotOurs:
            out << fmt::format("Did not write docker context \"{}\": it exists and machine "
                               "did not make it\n",
                               lab.name);
            break;
        case ContextWrite::BadName:
            out << fmt::format("No docker context for lab \"{}\": docker does not accept "
                               "that name\n",
                               lab.name);
            break;
        }
    } catch (const std::exception& e) {
        out << fmt::format("Docker context \"{}\" not written: {}\n", lab.name, e.what());
    }
}

void StoreLabMachines::forget_registry(const std::string& manager) {
    try {
        std::string ip = m_s.store.load(manager).ip();
        if (!ip.empty())
            remove_registry_client_files(host_certs_d(), fmt::format("{}:{}", ip, k_registry_port));
    } catch (const Error&) {
    }
}

void StoreLabMachines::remove_context(const swarm::LabSpec& lab, std::ostream& out) {
    DockerContexts contexts(m_s.store, fs::path());
    if (auto mine = contexts.ours(lab.name); mine && mine->lab == lab.name)
        out << contexts.remove(lab.name) << "\n";
}

std::string self_binary() {
    std::error_code ec;
    auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
    return ec ? "machine" : p.string();
}

} // namespace machine
