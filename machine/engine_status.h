#pragma once
// What `ls` and `version NAME` learn from a machine's engine over its TLS API (never SSH).
#include "machine/host.h"
#include "provision/docker_api.h"
#include "provision/https_transport.h"

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace machine {

struct EngineStatus {
    std::string version;    // "24.0.5"; "" when not reachable
    std::string swarm_role; // leader, manager, worker, or ""
    std::string error;      // why it could not be asked
};

// Where a machine's engine listens and the client certificate files that open it.
struct EngineTarget {
    std::string base_url; // "https://192.168.122.10:2376"
    provision::TlsFiles tls;
};

// The machine's engine address and client certificate (DOCKER_CERT_PATH files). Throws Error
// when the machine has no IP recorded.
EngineTarget engine_target(const Host& host);

// A client of the machine's engine with its client certificate, over `https`. Throws like
// engine_target.
provision::DockerApi engine_api(const Host& host, const provision::HttpsTransport& https,
                                std::chrono::milliseconds timeout = std::chrono::seconds(60));

// GET /info (and /nodes/<id> for a manager) with the machine's client certificate, bounded by
// `timeout`.
EngineStatus query_engine(const Host& host, const provision::HttpsTransport& https,
                          std::chrono::milliseconds timeout);

// Asks many engines from the calling thread through one HttpsMulti (no thread per engine): GET
// /info gives the version and the swarm state; a manager is then asked GET /nodes/<its id> to
// tell the leader, on the same connection. Keys are the caller's (row numbers).
class EngineBatch {
public:
    using Clock = std::chrono::steady_clock;
    explicit EngineBatch(provision::HttpsMulti& transport) : m_transport(transport) {}
    // Starts asking `target` until `deadline` (the caller's wait() loop ends there and calls
    // cancel_all(); each request's own limit is a backstop 1 s past it).
    void add(std::size_t key, const EngineTarget& target, Clock::time_point deadline);
    // Runs until some engine is done, `until` passes or wake() is called; returns the
    // engines done (possibly none).
    std::vector<std::pair<std::size_t, EngineStatus>> wait(Clock::time_point until);
    // From any thread: makes the current or the next wait() return at once.
    void wake() { m_transport.wake(); }
    // Keys still being asked.
    std::size_t pending() const { return m_asking.size(); }
    // Stops asking everyone still pending (their connections are closed).
    void cancel_all();

private:
    struct Asking {
        std::size_t key;
        EngineTarget target;
        Clock::time_point deadline;
        std::string path; // the request in flight
        EngineStatus status;
    };
    void send(provision::HttpsMulti::Id& id, Asking& a);
    static constexpr std::chrono::milliseconds k_backstop{1000};

    provision::HttpsMulti& m_transport;
    std::map<provision::HttpsMulti::Id, Asking> m_asking;
};

} // namespace machine
