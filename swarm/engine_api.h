#pragma once
// The slice of the Docker Engine API that swarm work uses: one request at a time, JSON in and
// out. Abstract so the swarm logic can be tested against a small stateful fake engine
// (tests/fakes/fake_engine.h) instead of real VMs.
#include "provision/docker_api.h"

#include <nlohmann/json.hpp>

#include <string>

namespace machine::swarm {

using provision::ApiResponse;

class EngineApi {
public:
    virtual ~EngineApi() = default;
    // Sends `method path` with a JSON body (null: none). Returns any HTTP answer; throws Error
    // only when the engine cannot be reached.
    virtual ApiResponse call(const std::string& method, const std::string& path,
                             const nlohmann::json& body = nullptr) = 0;
    // Where the engine is, for messages ("https://192.168.122.10:2376").
    virtual std::string endpoint() const = 0;
};

// The real engine over TLS with the machine's client certificate.
class DockerEngineApi : public EngineApi {
public:
    // `label` names the engine in messages (e.g. the machine name); "" uses the URL.
    explicit DockerEngineApi(provision::DockerApi& api, std::string label = "")
        : m_api(api), m_label(std::move(label)) {}
    ApiResponse call(const std::string& method, const std::string& path,
                     const nlohmann::json& body = nullptr) override;
    std::string endpoint() const override { return m_label.empty() ? m_api.base_url() : m_label; }

private:
    provision::DockerApi& m_api;
    std::string m_label;
};

} // namespace machine::swarm
