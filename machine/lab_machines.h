#pragma once
// The machines of a store as `lab` acts on them: observed through the hypervisors and the
// engines' TLS APIs, created, started and removed by child `machine` processes, joined to the
// lab's swarm through swarm_membership.h.
#include "drivers/driver.h"
#include "machine/certs.h"
#include "machine/host.h"
#include "machine/lab.h"
#include "machine/remote_access.h"
#include "machine/store.h"
#include "machine/support/process.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace machine {

struct LabServices {
    Store store;
    TlsPaths tls;
    support::ProcessRunner& runner; // runs the child `machine` commands and mmdebstrap
    std::function<std::unique_ptr<drivers::Driver>(const Host&)> driver_for;
    std::string program;                  // this binary (self_binary())
    std::vector<std::string> global_args; // given to every child before its command
    RemoteAccess remote;                  // the engines' TLS APIs, SSH to nodes (registry)
};

class StoreLabMachines : public LabMachines {
public:
    explicit StoreLabMachines(LabServices services) : m_s(std::move(services)) {}
    // Asked concurrently, 5 s for each engine.
    LabObservation observe(const swarm::LabSpec& lab) override;
    bool exists(const std::string& name) override;
    // `program global_args... command...`, 30 minutes at most.
    support::ProcessResult run(const LabJob& job) override;
    void ready_manager(const std::string& manager, bool init, std::ostream& out) override;
    void join(const std::string& node, const std::string& manager, swarm::Role role,
              std::ostream& out) override;
    void ensure_registry(const std::string& manager, const std::vector<std::string>& members,
                         std::ostream& out) override;
    // Points at a reachable manager, the one `env --swarm` picks.
    void write_context(const swarm::LabSpec& lab, const std::string& manager,
                       std::ostream& out) override;
    void forget_registry(const std::string& manager) override;
    void remove_context(const swarm::LabSpec& lab, std::ostream& out) override;

private:
    LabServices m_s;
};

// The path of the running binary (/proc/self/exe), else "machine".
std::string self_binary();

} // namespace machine
