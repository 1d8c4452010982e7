#include "machine/machine_env.h"

#include "engine/check_stamp.h"
#include "engine/tls.h"
#include "env/no_proxy.h"
#include "env/render.h"
#include "machine/support/error.h"
#include "machine/support/log.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <vector>

namespace machine {

namespace {

// Next to the certificates, so it goes with the machine (rm, a moved store).
constexpr const char* k_check_stamp = ".env-checked.json";

} // namespace

void check_env_certs(const Host& host) {
    const auto& a = host.options.auth;
    fs::path dir = a.store_path;
    const bool check_server = !host.driver_name.empty() && std::filesystem::exists(a.server_cert);
    engine::CheckedFiles checked{{dir / "ca.pem", dir / "cert.pem"}, host.ip()};
    if (check_server) {
        checked.files.push_back(a.ca_cert);
        checked.files.push_back(a.server_cert);
    }
    const fs::path stamp = dir / k_check_stamp;
    if (engine::check_stamp_matches(stamp, checked, std::chrono::system_clock::now())) {
        support::debug("env: certificates unchanged since the check recorded in {}",
                       stamp.string());
        return;
    }
    const auto before = engine::snapshot(checked);

    auto client = engine::check_client_cert(dir / "ca.pem", dir / "cert.pem");
    if (!client.ok)
        throw Error(fmt::format("machine \"{}\": {}; run `machine regenerate-certs --client-certs "
                                "{}`",
                                host.name, client.problem, host.name));
    auto valid_from = client.valid_from;
    auto valid_until = client.valid_until;
    if (check_server) {
        auto server = engine::check_server_cert(a.ca_cert, a.server_cert, host.ip());
        if (!server.ok)
            throw Error(fmt::format("machine \"{}\": {}; run `machine regenerate-certs {}`",
                                    host.name, server.problem, host.name));
        valid_from = std::max(valid_from, server.valid_from);
        valid_until = std::min(valid_until, server.valid_until);
    }
    engine::write_check_stamp(stamp, before, valid_from, valid_until);
}

std::string env_unset_lines(const EnvRequest& request) {
    std::vector<env::EnvVar> vars;
    for (const char* v :
         {"DOCKER_TLS_VERIFY", "DOCKER_HOST", "DOCKER_CERT_PATH", "DOCKER_MACHINE_NAME"})
        vars.push_back({v, std::nullopt});
    if (request.no_proxy) {
        vars.push_back({"NO_PROXY", std::nullopt});
        vars.push_back({"no_proxy", std::nullopt});
    }
    return env::render(request.shell, vars, "machine env -u" + request.shell_flag);
}

std::string env_lines(const Host& host, const EnvRequest& request) {
    if (!host.error.empty())
        throw Error(fmt::format("machine \"{}\" is not ready: {} (`machine provision {}` "
                                "retries, `machine rm {}` removes it)",
                                host.name, host.error, host.name, host.name));
    std::string url = host.url();
    if (url.empty())
        throw Error(fmt::format("machine \"{}\" has no IP address", host.name));
    check_env_certs(host);
    std::vector<env::EnvVar> vars = {{"DOCKER_TLS_VERIFY", "1"},
                                     {"DOCKER_HOST", url},
                                     {"DOCKER_CERT_PATH", host.options.auth.store_path.string()},
                                     {"DOCKER_MACHINE_NAME", host.name}};
    if (request.no_proxy) {
        // Keep the spelling the user already has; docker reads both.
        const auto& environment = request.environment;
        std::string key = environment.count("no_proxy") && !environment.count("NO_PROXY")
                              ? "no_proxy"
                              : "NO_PROXY";
        std::string existing = environment.count(key) ? environment.at(key) : "";
        vars.push_back({key, env::merge_no_proxy(existing, host.ip())});
    }
    return env::render(request.shell, vars, "machine env" + request.shell_flag + " " + host.name);
}

} // namespace machine
