#include "machine/swarm_registry.h"

#include "engine/tls.h"
#include "machine/ssh_access.h"
#include "machine/support/error.h"
#include "machine/support/fs.h"
#include "machine/swarm_membership.h"
#include "provision/provisioner.h"
#include "provision/ssh_client.h"

#include <fmt/format.h>
#include <fmt/ostream.h>
#include <openssl/evp.h>

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

namespace machine {

namespace {

using namespace std::chrono_literals;
using nlohmann::json;

// The registry image's recipe: Debian packages, and the image config given to the import.
constexpr const char* k_suite = "bookworm";
constexpr const char* k_packages = "docker-registry,ca-certificates";
const std::vector<std::string> k_changes = {
    "EXPOSE 5000", "VOLUME /var/lib/docker-registry",
    R"(CMD ["/usr/bin/docker-registry", "serve", "/etc/docker/registry/config.yml"])"};
constexpr const char* k_image = "machine-registry:latest";
constexpr const char* k_container = "machine-registry";
constexpr const char* k_remote_cert_dir = "/etc/machine-registry";
// Our own config: Debian's /etc/docker/registry/config.yml turns on htpasswd authentication.
constexpr const char* k_config = R"(version: 0.1
log:
  fields:
    service: registry
storage:
  filesystem:
    rootdirectory: /var/lib/docker-registry
  delete:
    enabled: true
http:
  addr: :5000
  tls:
    certificate: /certs/registry.crt
    key: /certs/registry.key
)";

std::string sha256_hex(const std::string& text) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(text.data(), text.size(), md, &len, EVP_sha256(), nullptr);
    std::string out;
    for (unsigned int i = 0; i < len; ++i)
        out += fmt::format("{:02x}", md[i]);
    return out;
}

std::string recipe_hash() {
    std::string text = std::string(k_suite) + "\n" + k_packages + "\n";
    for (const auto& c : k_changes)
        text += c + "\n";
    return sha256_hex(text).substr(0, 16);
}

// The root filesystem tarball, built with mmdebstrap on the host once per recipe.
} // namespace

fs::path prepare_registry_image(RegistryServices& s) {
    fs::path dir = s.store.cache_dir() / "testapps";
    fs::create_directories(dir);
    fs::path out = dir / fmt::format("registry-{}.tar", recipe_hash());
    if (fs::exists(out) && fs::file_size(out) > 0)
        return out;
    if (!s.runner.available("mmdebstrap"))
        throw Unavailable("the lab registry's image is built from Debian packages with mmdebstrap: "
                          "install it (apt-get install mmdebstrap)");
    fmt::print(s.out, "Building the registry image from Debian's docker-registry (once) ...\n");
    fs::path tmp = out;
    tmp += fmt::format(".tmp.{}", ::getpid());
    support::ProcessSpec spec;
    spec.program = "mmdebstrap";
    spec.args = {"--quiet",
                 "--variant=essential",
                 std::string("--include=") + k_packages,
                 "--format=tar",
                 "--dpkgopt=path-exclude=/usr/share/doc/*",
                 "--dpkgopt=path-exclude=/usr/share/man/*",
                 "--dpkgopt=path-exclude=/usr/share/locale/*",
                 "--customize-hook=rm -rf \"$1\"/var/cache/apt/* \"$1\"/var/lib/apt/lists/*",
                 k_suite,
                 tmp.string()};
    spec.env = {{"LC_ALL", "C.UTF-8"}};
    spec.timeout = 30min;
    auto r = s.runner.run(spec);
    if (!r.ok()) {
        std::error_code ec;
        fs::remove(tmp, ec);
        throw Error(fmt::format("building the registry image: {} failed ({}):\n{}",
                                support::describe(spec),
                                r.timed_out ? "timed out" : fmt::format("exit {}", r.exit_code),
                                r.err.size() > 2000 ? r.err.substr(r.err.size() - 2000) : r.err));
    }
    fs::rename(tmp, out);
    return out;
}

namespace {

[[noreturn]] void api_fail(const Host& h, const std::string& what, const swarm::ApiResponse& r) {
    throw Error(fmt::format("machine \"{}\": {}: {}", h.name, what, swarm::engine_message(r)));
}

void ensure_image(const Host& manager, RegistryServices& s) {
    auto api = engine_api(manager, 10min);
    if (api.request("GET", fmt::format("/images/{}/json", k_image)).ok())
        return;
    fs::path tar = prepare_registry_image(s);
    fmt::print(s.out, "Importing the registry image into \"{}\" ...\n", manager.name);
    std::string query = "/images/create?fromSrc=-&repo=machine-registry&tag=latest";
    for (const auto& c : k_changes)
        query += "&changes=" + url_encode(c);
    auto r = api.request("POST", query, support::read_file(tar));
    if (!r.ok())
        api_fail(manager, "importing the registry image", r);
}

// A certificate from the machine CA for the manager's IP, reused while it still fits.
struct RegistryCert {
    std::string cert, key;
    bool renewed = false; // issued now: the manager must get it
};

RegistryCert registry_cert(const Host& manager, RegistryServices& s) {
    fs::path dir = s.store.machine_dir(manager.name) / "registry";
    fs::path cert = dir / "registry.crt", key = dir / "registry.key";
    bool renewed = false;
    if (!fs::exists(cert) || !fs::exists(key) ||
        !engine::check_server_cert(s.tls.ca_cert, cert, manager.ip()).ok) {
        renewed = true;
        fs::create_directories(dir);
        engine::issue_server_cert({s.tls.ca_cert, s.tls.ca_key}, cert, key, "machine",
                                  {manager.ip(), manager.name, "localhost"});
    }
    return {support::read_file(cert), support::read_file(key), renewed};
}

// Runs `command` on the node; throws with its output when it fails.
void remote(provision::SshClient& ssh, const Host& h, const std::string& what,
            const std::string& command) {
    auto r = ssh.exec(command, std::nullopt, 60s);
    if (!r.ok())
        throw ProvisionError(fmt::format("machine \"{}\": {}: exit {}: {}", h.name, what,
                                         r.exit_code, r.err.empty() ? r.out : r.err));
}

// Writes `content` to root-owned `target` on the node (SFTP to a private staging folder, then
// `sudo install`), creating its folder.
void install_remote(provision::SshClient& ssh, const Host& h, const std::string& target,
                    const std::string& content, int mode) {
    auto staged = ssh.exec("mktemp -d /tmp/machine-registry.XXXXXXXX", std::nullopt, 30s);
    std::string dir = staged.out.substr(0, staged.out.find('\n'));
    if (!staged.ok() || dir.rfind("/tmp/machine-registry.", 0) != 0)
        throw ProvisionError(
            fmt::format("machine \"{}\": cannot stage a file: {}", h.name, staged.err));
    std::string file = dir + "/" + fs::path(target).filename().string();
    ssh.upload(file, content, mode);
    std::string parent = fs::path(target).parent_path().string();
    remote(ssh, h, "install " + target,
           fmt::format("sudo -n install -d -m 0755 {} && sudo -n install -m {:04o} -o root -g "
                       "root {} {}; rc=$?; rm -rf {}; exit $rc",
                       provision::shell_quote(parent), mode, provision::shell_quote(file),
                       provision::shell_quote(target), provision::shell_quote(dir)));
}

std::unique_ptr<provision::SshClient> ssh_to(const Host& h, RegistryServices& s) {
    auto driver = s.driver_for(h);
    return std::make_unique<provision::SshClient>(ssh_target(h, *driver), 30s);
}

void ensure_container(const Host& manager, const RegistryCert& pem, RegistryServices& s) {
    auto api = engine_api(manager, 2min);
    auto existing = api.request("GET", fmt::format("/containers/{}/json", k_container));
    if (existing.ok() && !pem.renewed && existing.body.value("/State/Running"_json_pointer, false))
        return; // running with the certificate it has: nothing to do
    auto ssh = ssh_to(manager, s);
    install_remote(*ssh, manager, std::string(k_remote_cert_dir) + "/registry.crt", pem.cert, 0644);
    install_remote(*ssh, manager, std::string(k_remote_cert_dir) + "/registry.key", pem.key, 0600);
    install_remote(*ssh, manager, std::string(k_remote_cert_dir) + "/config.yml", k_config, 0644);
    if (existing.ok()) {
        if (existing.body.value("/State/Running"_json_pointer, false)) {
            // Restart so a renewed certificate is read.
            auto r = api.request("POST", fmt::format("/containers/{}/restart?t=5", k_container));
            if (!r.ok())
                api_fail(manager, "restarting the registry", r);
            return;
        }
    } else {
        json spec = {{"Image", k_image},
                     {"Cmd", {"/usr/bin/docker-registry", "serve", "/certs/config.yml"}},
                     {"ExposedPorts", {{"5000/tcp", json::object()}}},
                     {"HostConfig",
                      {{"Binds",
                        {std::string(k_remote_cert_dir) + ":/certs:ro",
                         "machine-registry-data:/var/lib/docker-registry"}},
                       {"PortBindings", {{"5000/tcp", {{{"HostPort", "5000"}}}}}},
                       {"RestartPolicy", {{"Name", "always"}}}}}};
        auto r = api.request("POST", fmt::format("/containers/create?name={}", k_container),
                             spec.dump());
        if (!r.ok())
            api_fail(manager, "creating the registry container", r);
    }
    auto r = api.request("POST", fmt::format("/containers/{}/start", k_container));
    if (!r.ok() && r.status != 304)
        api_fail(manager, "starting the registry", r);
}

} // namespace

std::string url_encode(const std::string& text) {
    std::string out;
    for (unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~')
            out += static_cast<char>(c);
        else
            out += fmt::format("%{:02X}", c);
    }
    return out;
}

std::filesystem::path host_registry_ca_path(const std::string& registry_addr) {
    fs::path system_dir = "/etc/docker/certs.d";
    if (::geteuid() == 0)
        return system_dir / registry_addr / "ca.crt";
    const char* home = std::getenv("HOME");
    return fs::path(home ? home : ".") / ".docker" / "certs.d" / registry_addr / "ca.crt";
}

std::string ensure_registry(const Host& manager, const std::vector<Host>& nodes,
                            RegistryServices& s) {
    if (manager.ip().empty())
        throw Error(fmt::format("machine \"{}\" has no IP address", manager.name));
    std::string addr = fmt::format("{}:{}", manager.ip(), k_registry_port);
    ensure_image(manager, s);
    ensure_container(manager, registry_cert(manager, s), s);

    std::string ca = support::read_file(s.tls.ca_cert);
    std::vector<Host> trusting = nodes;
    bool has_manager = false;
    for (const auto& n : nodes)
        has_manager |= n.name == manager.name;
    if (!has_manager)
        trusting.push_back(manager);
    for (const auto& n : trusting) {
        auto ssh = ssh_to(n, s);
        install_remote(*ssh, n, fmt::format("/etc/docker/certs.d/{}/ca.crt", addr), ca, 0644);
    }
    fs::path host_ca = host_registry_ca_path(addr);
    fs::create_directories(host_ca.parent_path());
    support::atomic_write(host_ca, ca, 0644);

    // The registry answers on TLS with the CA's certificate (from the host, like `docker push`).
    provision::DockerApi probe(fmt::format("https://{}", addr),
                               {s.tls.ca_cert, s.tls.client_cert, s.tls.client_key}, 5s);
    std::string last;
    for (int attempt = 0; attempt < 30; ++attempt) {
        try {
            auto r = probe.request("GET", "/v2/");
            if (r.ok())
                break;
            last = fmt::format("HTTP {}", r.status);
        } catch (const Error& e) {
            last = e.what();
        }
        if (attempt == 29)
            throw Error(fmt::format("the registry on \"{}\" did not answer at https://{}/v2/: {}",
                                    manager.name, addr, last));
        std::this_thread::sleep_for(1s);
    }
    fmt::print(s.out,
               "Registry at {} (trusted by {} node(s) and by this host's docker: {}).\n"
               "Push with: docker tag IMAGE {}/NAME:TAG && docker push {}/NAME:TAG\n",
               addr, trusting.size(), host_ca.string(), addr, addr);
    return addr;
}

} // namespace machine
