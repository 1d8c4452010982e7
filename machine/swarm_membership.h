#pragma once
// Swarm membership of machines in the store: the glue between the Host model and swarm/ (which
// only knows engine APIs). Engines are asked over the HTTPS transport the caller gives. Used by
// `machine swarm`, the create flags --swarm-*, `env --swarm` and lab files.
#include "machine/engine_status.h"
#include "machine/host.h"
#include "machine/store.h"
#include "provision/docker_api.h"
#include "swarm/swarm.h"

#include <chrono>
#include <memory>
#include <ostream>
#include <string>

namespace machine {

// A machine's engine for swarm/, named by the machine in messages. Owns its DockerApi.
class MachineEngine : public swarm::EngineApi {
public:
    MachineEngine(const Host& host, const provision::HttpsTransport& https,
                  std::chrono::milliseconds timeout = std::chrono::seconds(60));
    swarm::ApiResponse call(const std::string& method, const std::string& path,
                            const nlohmann::json& body = nullptr) override;
    std::string endpoint() const override { return "machine \"" + m_name + "\""; }

private:
    std::string m_name;
    provision::DockerApi m_api;
};

// The machine to ask about NAME's swarm: NAME itself when it is a manager, else a machine of the
// store whose IP is one of the managers NAME knows and whose engine answers as a manager.
// Throws Error when NAME is in no swarm or no manager of it is a reachable machine.
Host find_manager(const Store& store, const std::string& name,
                  const provision::HttpsTransport& https,
                  std::chrono::milliseconds timeout = std::chrono::seconds(10));

// `swarm init NAME`: init advertising the machine's IP. Prints what happened.
swarm::InitResult swarm_init(const Host& host, const provision::HttpsTransport& https,
                             std::ostream& out);

// `swarm join NAME --manager MGR`: joins `node` to the swarm of `member` (any member: its
// manager is found). Prints what happened; returns whether anything changed.
bool swarm_join(const Store& store, const Host& node, const std::string& member, swarm::Role role,
                const provision::HttpsTransport& https, std::ostream& out);

// The last step of create with --swarm-manager / --swarm-join. Throws Error saying the machine
// itself is ready and which command finishes the swarm step.
void apply_swarm_options(const Host& host, const Store& store,
                         const provision::HttpsTransport& https, std::ostream& out);

} // namespace machine
