#include "provision/docker_api.h"

#include "machine/support/error.h"
#include "machine/support/log.h"
#include "machine/support/wait.h"

#include <fmt/format.h>


namespace machine::provision {
namespace {
using namespace std::chrono_literals;
} // namespace

DockerApi::DockerApi(std::string base_url, TlsFiles tls, HttpsTransport transport,
                     std::chrono::milliseconds timeout, support::Clock& clock)
    : m_base_url(std::move(base_url)), m_tls(std::move(tls)), m_transport(std::move(transport)),
      m_timeout(timeout), m_clock(&clock) {
    while (!m_base_url.empty() && m_base_url.back() == '/')
        m_base_url.pop_back();
}

ApiResponse DockerApi::request(const std::string& method, const std::string& path,
                               const std::optional<std::string>& body) {
    HttpsRequest r{method, m_base_url, path, body, m_tls, m_timeout};
    support::debug("docker api: {} {}{}", method, m_base_url, path);
    HttpsAnswer answer = m_transport(r);
    if (!answer.error.empty())
        throw Error(fmt::format("Docker engine at {}: {} {}: {}", m_base_url, method, path,
                                answer.error));
    ApiResponse response;
    response.status = answer.status;
    response.text = std::move(answer.text);
    if (!response.text.empty())
        response.body = nlohmann::json::parse(response.text, nullptr, /*allow_exceptions=*/false);
    if (response.body.is_discarded())
        response.body = nullptr;
    support::debug("docker api: {} {} -> {}", method, path, response.status);
    return response;
}

bool DockerApi::ping() {
    auto r = request("GET", "/_ping");
    return r.status == 200 && r.text == "OK";
}

nlohmann::json DockerApi::get(const std::string& path) {
    auto r = request("GET", path);
    if (!r.ok()) {
        std::string msg =
            r.body.is_object() && r.body.contains("message") && r.body["message"].is_string()
                ? r.body["message"].get<std::string>()
                : r.text;
        throw Error(fmt::format("Docker engine at {}: GET {}: HTTP {}: {}", m_base_url, path,
                                r.status, msg));
    }
    if (r.body.is_null())
        throw Error(
            fmt::format("Docker engine at {}: GET {}: the answer is not JSON", m_base_url, path));
    return r.body;
}

ApiResponse DockerApi::post(const std::string& path, const nlohmann::json& body) {
    if (body.is_null())
        return request("POST", path);
    return request("POST", path, body.dump());
}

std::string DockerApi::version() {
    auto j = get("/version");
    if (!j.is_object() || !j.contains("Version") || !j["Version"].is_string())
        throw Error(fmt::format("Docker engine at {}: /version has no Version", m_base_url));
    return j["Version"].get<std::string>();
}

void DockerApi::wait_for_ping(std::chrono::steady_clock::time_point deadline) {
    support::WaitSpec spec;
    spec.deadline = deadline;
    spec.timeout_message = [&](const support::WaitOutcome& o) {
        return fmt::format("the Docker engine at {} did not answer within {} s ({})", m_base_url,
                           std::chrono::duration_cast<std::chrono::seconds>(o.waited).count(),
                           o.last_reason);
    };
    support::wait_until(*m_clock, spec, [&](std::chrono::milliseconds left, std::string& reason) {
        try {
            // Each attempt is bounded by what is left, so the wait never overshoots `deadline`.
            DockerApi attempt(m_base_url, m_tls, m_transport, std::max(1ms, std::min(m_timeout, left)));
            if (attempt.ping())
                return true;
            reason = "/_ping did not answer OK";
        } catch (const Error& e) {
            reason = e.what();
        }
        return false;
    });
}

} // namespace machine::provision
