#pragma once
// A small Docker Engine API client over TLS: the server is verified against the machine CA and
// the client certificate is presented. Enough for provisioning (/_ping, /version) and swarm
// (/info, /swarm/init, /swarm/join, /nodes). The transport (libcurl, in machine-backends.so) is
// given to it; see https_transport.h.
#include "machine/support/wait.h"
#include "provision/https_transport.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <optional>
#include <string>

namespace machine::provision {

struct ApiResponse {
    long status = 0;     // HTTP status
    nlohmann::json body; // parsed JSON, or null when the body is empty or not JSON
    std::string text;    // the raw body
    bool ok() const { return status >= 200 && status < 300; }
};

// Whether an engine answers. Abstract so the Provisioner can be tested without a network.
class EngineProbe {
public:
    virtual ~EngineProbe() = default;
    // Returns once the engine answers /_ping; throws TimeoutError at `deadline`.
    virtual void wait_for_ping(std::chrono::steady_clock::time_point deadline) = 0;
};

class DockerApi : public EngineProbe {
public:
    // `base_url` like "https://192.168.122.10:2376"; requests go through `transport`. `timeout`
    // bounds each request; `clock` paces wait_for_ping.
    DockerApi(std::string base_url, TlsFiles tls, HttpsTransport transport,
              std::chrono::milliseconds timeout = std::chrono::seconds(10),
              support::Clock& clock = support::steady_clock());

    // True when GET /_ping answers "OK", false for any other HTTP answer. Throws Error with
    // curl's message when the engine cannot be reached or TLS verification fails.
    bool ping();
    // GET `path` (e.g. "/info"); throws Error with the engine's message on a non-2xx status.
    nlohmann::json get(const std::string& path);
    // POST `path` with a JSON body (null: no body). Returns any HTTP answer; throws only when
    // the engine cannot be reached.
    ApiResponse post(const std::string& path, const nlohmann::json& body = nullptr);
    // GET /version -> "Version", e.g. "20.10.24+dfsg1".
    std::string version();
    // Any method; throws only when the engine cannot be reached.
    ApiResponse request(const std::string& method, const std::string& path,
                        const std::optional<std::string>& body = std::nullopt);

    // Pings with a 0.25 s .. 2 s backoff (support::wait_until) until `deadline`, then throws TimeoutError with the
    // last error.
    void wait_for_ping(std::chrono::steady_clock::time_point deadline) override;

    const std::string& base_url() const { return m_base_url; }

private:
    std::string m_base_url;
    TlsFiles m_tls;
    HttpsTransport m_transport;
    std::chrono::milliseconds m_timeout;
    support::Clock* m_clock;
};

} // namespace machine::provision
