#include "machine/create.h"

#include "engine/dockerd_config.h"
#include "machine/docker_contexts.h"
#include "engine/san.h"
#include "machine/names.h"
#include "machine/progress.h"
#include "machine/provisioning.h"
#include "machine/support/error.h"
#include "machine/support/log.h"
#include "machine/swarm_membership.h"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <ctime>

namespace machine {

namespace {
// A user's value as it may appear in a one-line message: control characters escaped, bounded.
std::string printable(const std::string& s) {
    std::string out;
    for (unsigned char c : s.substr(0, 100))
        out += (c < 0x20 || c == 0x7f) ? fmt::format("\\x{:02x}", c) : std::string(1, char(c));
    return s.size() > 100 ? out + "..." : out;
}
} // namespace

std::string now_rfc3339() {
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

void write_machine_context(const Store& store, const Host& host, std::ostream& out) {
    try {
        DockerContexts contexts(store, docker_config_dir());
        switch (contexts.write(host.name, host)) {
        case ContextWrite::Written:
            fmt::print(out,
                       "Wrote docker context \"{}\" (docker --context {} ps, or machine use "
                       "{})\n",
                       host.name, host.name, host.name);
            break;
        case ContextWrite::NotOurs:
            fmt::print(out,
                       "Did not write a docker context: \"{}\" already exists in {} and "
                       "machine did not make it\n",
                       host.name, contexts.config_dir().string());
            break;
        case ContextWrite::BadName:
            fmt::print(out,
                       "Did not write a docker context: docker does not accept the name "
                       "\"{}\"\n",
                       host.name);
            break;
        }
    } catch (const std::exception& e) {
        support::warn("could not write docker context \"{}\": {}", host.name, e.what());
    }
}

Host create_machine(const CreateRequest& request, drivers::Driver& driver,
                    CreateServices& services) {
    const Store& store = services.store;
    // Everything that can be checked without changing anything, first.
    const MachineName name(request.name);
    // The server certificate will carry every --tls-san (and the name, when it is a DNS name):
    // check them now, not after a VM was made.
    for (const auto& san : request.tls_sans) {
        if (engine::canonical_ip(san).empty() && !engine::is_dns_name(san))
            throw UsageError(fmt::format("--tls-san \"{}\" is neither an IP address nor a DNS name",
                                         printable(san)));
    }
    if (store.exists(name))
        throw UsageError(fmt::format("machine \"{}\" already exists", request.name));
    engine::validate(request.engine);
    driver.configure(request.driver_flags);

    const bool is_vm = driver.has_vm();
    Progress progress(services.out);
    fmt::print(services.out, "Creating machine \"{}\" with the {} driver\n", request.name,
               driver.driver_name());

    progress.step("Checking certificates");
    if (ensure_store_certs(services.tls))
        support::info("Created a CA and client certificate in {}",
                      services.tls.ca_cert.parent_path().string());

    auto lock = store.reserve(name);
    Host host;
    host.name = request.name;
    host.driver_name = driver.driver_name();
    host.created_at = now_rfc3339();
    host.options.engine = request.engine;
    host.options.swarm = request.swarm;
    host.options.auth = make_auth_options(store, services.tls, request.name, request.tls_sans);
    host.error = "create did not finish";
    store.save(host, driver);

    try {
        install_client_certs(host.options.auth);
        if (is_vm) {
            provision_new_vm(host, driver, progress, services);
        } else {
            progress.step("Recording the engine");
        }
        host.error.clear();
        store.save(host, driver);
        progress.finish();
    } catch (const std::exception& e) {
        // The record names the step that failed: `ls` shows it, and the message alone
        // ("connection refused") does not say whether the VM, SSH or the engine refused.
        const std::string step = progress.current();
        progress.finish(false);
        host.error = step.empty() ? e.what() : fmt::format("{}: {}", step, e.what());
        try {
            store.save(host, driver);
        } catch (const std::exception& save_error) {
            support::warn("could not record the failure: {}", save_error.what());
        }
        throw;
    }
    if (is_vm) {
        fmt::print(services.out, "Docker is up and running! ({:.0f}s)\n", progress.total_seconds());
    }
    if (request.docker_context)
        write_machine_context(store, host, services.out);
    apply_swarm_options(host, store, services.remote.https, services.out); // --swarm-*
    fmt::print(services.out, "To point your Docker client at it, run: eval $(machine env {})\n",
               host.name);
    return host;
}

} // namespace machine
