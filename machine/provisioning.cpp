#include "machine/provisioning.h"

#include "engine/image/image_cache.h"
#include "engine/tls.h"
#include "machine/engine_status.h"
#include "machine/ssh_access.h"
#include "machine/support/error.h"
#include "machine/support/fs.h"
#include "machine/support/log.h"
#include "provision/docker_api.h"
#include "provision/provisioner.h"
#include "provision/seed.h"
#include "provision/ssh_client.h"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <random>

namespace machine {

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto k_ssh_wait = std::chrono::minutes(5);

// The last lines of the machine's serial console, for timeouts.
std::string console_tail(const fs::path& machine_dir, size_t lines = 15) {
    auto text = support::try_read_file(machine_dir / "console.log");
    if (!text || text->empty())
        return "(no serial console output recorded)";
    size_t pos = text->size();
    for (size_t n = 0; n <= lines && pos > 0; ++n)
        pos = text->rfind('\n', pos - 1);
    std::string tail = text->substr(pos == std::string::npos ? 0 : pos + 1);
    return "last lines of the serial console:\n" + tail;
}

provision::ServerCerts server_certs(const Host& host) {
    const auto& a = host.options.auth;
    return {support::read_file(a.ca_cert), support::read_file(a.server_cert),
            support::read_file(a.server_key)};
}

std::unique_ptr<provision::SshSession> connect(const Host& host, drivers::Driver& driver,
                                               provision::SshBackend& ssh) {
    auto target = ssh_target(host, driver);
    fs::path dir = host.options.auth.store_path;
    return provision::wait_for_ssh(ssh, target, Clock::now() + k_ssh_wait,
                                   [dir] { return console_tail(dir); });
}

provision::ProvisionOptions provision_options(const Host& host) {
    provision::ProvisionOptions o;
    o.engine = host.options.engine;
    if (!host.options.engine.apt_source.empty())
        o.apt_source_line = host.options.engine.apt_source;
    return o;
}

std::string random_suffix() {
    std::mt19937_64 rng{std::random_device{}()};
    return fmt::format("{:08x}", rng() & 0xffffffffu);
}

// Prints the provisioner's own steps as sub-steps of the pipeline.
provision::ProgressFn step_printer(Progress& progress) {
    return [&progress](const std::string& step) {
        std::string name = step;
        if (!name.empty())
            name[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(name[0])));
        progress.step(name);
    };
}

void record_ip(Host& host, drivers::Driver& driver, const Store& store) {
    store.save(host, driver);
}

} // namespace

void provision_new_vm(Host& host, drivers::Driver& driver, Progress& progress,
                      CreateServices& services) {
    const Store& store = services.store;
    fs::path dir = store.machine_dir(host.name);

    drivers::CreateSpec spec;
    spec.machine_name = host.name;
    spec.machine_dir = dir;
    if (driver.uses_bundled_image()) {
        progress.step("Preparing the bundled image");
        engine::image::ImageCache cache(store.root(), services.runner);
        spec.base_image = cache.ensure([](const std::string& s) { support::info("  {}", s); }).disk;
    }

    progress.step("Creating the SSH key");
    spec.ssh_key_path = dir / "id_ed25519";
    std::string public_key =
        services.remote.ssh.generate_ed25519_key(spec.ssh_key_path, "machine@" + host.name);

    progress.step("Writing the first-boot seed");
    provision::SeedConfig seed;
    seed.instance_id = host.name + "-" + random_suffix();
    seed.hostname = host.name;
    seed.ssh_public_key = public_key;
    seed.network_config = driver.seed_network_config();
    spec.seed_iso = dir / "seed.iso";
    provision::write_seed_iso(seed, spec.seed_iso, services.runner);

    progress.step(fmt::format("Creating and booting the {} VM", driver.driver_name()));
    try {
        driver.create(spec);
    } catch (...) {
        record_ip(host, driver, store); // whatever it made, so rm can clean it
        throw;
    }
    record_ip(host, driver, store);

    progress.step("Waiting for SSH");
    auto ssh = connect(host, driver, services.remote.ssh);

    progress.step("Issuing the server certificate");
    std::string ip = driver.ip();
    if (ip.empty())
        throw DriverError("the VM booted but its IP address is unknown");
    issue_server_cert(host, ip);

    auto api = engine_api(host, services.remote.https);
    provision::Provisioner provisioner(*ssh, api, step_printer(progress));
    provisioner.provision(server_certs(host), provision_options(host));
}

void after_start(Host& host, drivers::Driver& driver, const Store& store,
                 const RemoteAccess& remote, std::ostream& out) {
    std::string ip = driver.ip();
    std::string old_ip = host.ip();
    record_ip(host, driver, store);
    if (ip.empty())
        return;
    auto check = engine::check_server_cert(host.options.auth.ca_cert,
                                           host.options.auth.server_cert, ip);
    if (!check.ok) {
        fmt::print(out, "The machine's IP is now {} (was {}): regenerating its server "
                        "certificate\n",
                   ip, old_ip.empty() ? "unknown" : old_ip);
        regenerate_server_cert(host, driver, store, remote, out);
        return;
    }
    fmt::print(out, "Waiting for the engine to answer on TLS...\n");
    engine_api(host, remote.https).wait_for_ping(Clock::now() + k_ssh_wait);
}

namespace {

// Shared by provision and regenerate-certs: reach the machine, record its IP, issue a server
// certificate for it, then hand a Provisioner to `work`.
template <class Work>
void with_fresh_server_cert(Host& host, drivers::Driver& driver, const Store& store,
                            const RemoteAccess& remote, std::ostream& out, Work&& work) {
    Progress progress(out);
    progress.step("Waiting for SSH");
    auto ssh = connect(host, driver, remote.ssh);
    record_ip(host, driver, store);
    progress.step("Issuing the server certificate");
    issue_server_cert(host, driver.ip());
    auto api = engine_api(host, remote.https);
    provision::Provisioner provisioner(*ssh, api, step_printer(progress));
    work(provisioner);
    progress.finish();
}

} // namespace

void reprovision(Host& host, drivers::Driver& driver, const Store& store,
                 const RemoteAccess& remote, std::ostream& out) {
    with_fresh_server_cert(host, driver, store, remote, out, [&](provision::Provisioner& p) {
        p.provision(server_certs(host), provision_options(host));
    });
    host.error.clear();
    store.save(host);
}

void regenerate_server_cert(Host& host, drivers::Driver& driver, const Store& store,
                            const RemoteAccess& remote, std::ostream& out) {
    with_fresh_server_cert(host, driver, store, remote, out, [&](provision::Provisioner& p) {
        p.push_certs_and_restart(server_certs(host), provision_options(host));
    });
}

} // namespace machine
