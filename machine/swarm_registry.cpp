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
// clientcas makes the registry require a client certificate and verify it against that CA.
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
    clientcas:
      - /certs/client-ca.crt
)";
constexpr const char* k_files_label = "machine.registry.files";

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
    auto api = engine_api(manager, s.remote.https, 10min);
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

// The registry's certificates, kept in the manager's folder and reused while they still fit:
// its server certificate from the machine CA (for the manager's IP), its own client CA, and
// client certificates from that CA for each node and for this host.
class RegistryCerts {
public:
    RegistryCerts(const Host& manager, RegistryServices& s)
        : m_dir(s.store.machine_dir(manager.name) / "registry"), m_client_ca{
                                                                     m_dir / "client-ca.crt",
                                                                     m_dir / "client-ca.key"} {
        fs::create_directories(m_dir);
        fs::path cert = m_dir / "registry.crt", key = m_dir / "registry.key";
        if (!fs::exists(key) || !engine::check_server_cert(s.tls.ca_cert, cert, manager.ip()).ok)
            engine::issue_server_cert({s.tls.ca_cert, s.tls.ca_key}, cert, key, "machine",
                                      {manager.ip(), manager.name, "localhost"});
        m_server = {support::read_file(cert), support::read_file(key)};
        engine::ensure_ca(m_client_ca, "machine registry clients");
    }
    const PemPair& server() const { return m_server; }
    std::string client_ca() const { return support::read_file(m_client_ca.cert); }
    // The client certificate of a node ("node-<name>") or of this host ("host").
    PemPair client(const std::string& who) const {
        auto [cert, key] = client_files(who);
        if (!fs::exists(key) || !engine::check_client_cert(m_client_ca.cert, cert).ok ||
            !engine::key_matches_cert(key, cert))
            engine::issue_client_cert(m_client_ca, cert, key, "machine registry");
        return {support::read_file(cert), support::read_file(key)};
    }
    std::pair<fs::path, fs::path> client_files(const std::string& who) const {
        return {m_dir / (who + ".crt"), m_dir / (who + ".key")};
    }

private:
    fs::path m_dir;
    engine::CaFiles m_client_ca;
    PemPair m_server;
};

// Runs `command` on the node; throws with its output when it fails.
void remote(provision::SshSession& ssh, const Host& h, const std::string& what,
            const std::string& command) {
    auto r = ssh.exec(command, std::nullopt, 60s);
    if (!r.ok())
        throw ProvisionError(fmt::format("machine \"{}\": {}: exit {}: {}", h.name, what,
                                         r.exit_code, r.err.empty() ? r.out : r.err));
}

// Writes `content` to root-owned `target` on the node (SFTP to a private staging folder, then
// `sudo install`), creating its folder.
void install_remote(provision::SshSession& ssh, const Host& h, const std::string& target,
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
                       support::shell_quote(parent), mode, support::shell_quote(file),
                       support::shell_quote(target), support::shell_quote(dir)));
}

std::unique_ptr<provision::SshSession> ssh_to(const Host& h, RegistryServices& s) {
    auto driver = s.driver_for(h);
    return s.remote.ssh.connect(ssh_target(h, *driver), 30s);
}

// A running registry container made from exactly these files is kept; otherwise the files are
// installed and the container is made again (its data volume stays).
void ensure_container(const Host& manager, const std::vector<RegistryFile>& files,
                      RegistryServices& s) {
    std::string all;
    for (const auto& f : files)
        all += f.path + "\n" + f.content + "\n";
    std::string hash = sha256_hex(all);
    auto api = engine_api(manager, s.remote.https, 2min);
    auto existing = api.request("GET", fmt::format("/containers/{}/json", k_container));
    if (existing.ok() && existing.body.value("/State/Running"_json_pointer, false) &&
        existing.body.value(json::json_pointer("/Config/Labels/" + std::string(k_files_label)),
                            std::string()) == hash)
        return; // running with the files it has: nothing to do
    auto ssh = ssh_to(manager, s);
    for (const auto& f : files)
        install_remote(*ssh, manager, f.path, f.content, f.mode);
    if (existing.ok()) {
        auto r = api.request("DELETE", fmt::format("/containers/{}?force=1", k_container));
        if (!r.ok() && r.status != 404)
            api_fail(manager, "removing the old registry container", r);
    }
    json spec = {{"Image", k_image},
                 {"Cmd", {"/usr/bin/docker-registry", "serve", "/certs/config.yml"}},
                 {"Labels", {{k_files_label, hash}}},
                 {"ExposedPorts", {{"5000/tcp", json::object()}}},
                 {"HostConfig",
                  {{"Binds",
                    {std::string(k_remote_cert_dir) + ":/certs:ro",
                     "machine-registry-data:/var/lib/docker-registry"}},
                   {"PortBindings", {{"5000/tcp", {{{"HostPort", "5000"}}}}}},
                   {"RestartPolicy", {{"Name", "always"}}}}}};
    auto r =
        api.request("POST", fmt::format("/containers/create?name={}", k_container), spec.dump());
    if (!r.ok())
        api_fail(manager, "creating the registry container", r);
    r = api.request("POST", fmt::format("/containers/{}/start", k_container));
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

std::string registry_config() {
    return k_config;
}

std::vector<RegistryFile> registry_server_files(const PemPair& server,
                                                const std::string& client_ca) {
    std::string dir = k_remote_cert_dir;
    return {{dir + "/registry.crt", server.cert, 0644},
            {dir + "/registry.key", server.key, 0600},
            {dir + "/client-ca.crt", client_ca, 0644},
            {dir + "/config.yml", registry_config(), 0644}};
}

std::vector<RegistryFile> registry_client_files(const fs::path& certs_d, const std::string& addr,
                                                const std::string& ca, const PemPair& client) {
    fs::path dir = certs_d / addr;
    return {{(dir / "ca.crt").string(), ca, 0644},
            {(dir / "client.cert").string(), client.cert, 0644},
            {(dir / "client.key").string(), client.key, 0600}};
}

fs::path host_certs_d() {
    if (::geteuid() == 0)
        return "/etc/docker/certs.d";
    const char* home = std::getenv("HOME");
    return fs::path(home ? home : ".") / ".docker" / "certs.d";
}

void remove_registry_client_files(const fs::path& certs_d, const std::string& registry_addr) {
    std::error_code ec;
    for (const auto& f : registry_client_files(certs_d, registry_addr, "", {}))
        fs::remove(f.path, ec);
    fs::remove(certs_d / registry_addr, ec); // only when empty
}

std::string ensure_registry(const Host& manager, const std::vector<Host>& nodes,
                            RegistryServices& s) {
    if (manager.ip().empty())
        throw Error(fmt::format("machine \"{}\" has no IP address", manager.name));
    std::string addr = fmt::format("{}:{}", manager.ip(), k_registry_port);
    ensure_image(manager, s);
    RegistryCerts certs(manager, s);
    ensure_container(manager, registry_server_files(certs.server(), certs.client_ca()), s);

    std::string ca = support::read_file(s.tls.ca_cert);
    std::vector<Host> trusting = nodes;
    bool has_manager = false;
    for (const auto& n : nodes)
        has_manager |= n.name == manager.name;
    if (!has_manager)
        trusting.push_back(manager);
    for (const auto& n : trusting) {
        auto ssh = ssh_to(n, s);
        for (const auto& f :
             registry_client_files("/etc/docker/certs.d", addr, ca, certs.client("node-" + n.name)))
            install_remote(*ssh, n, f.path, f.content, f.mode);
    }
    const fs::path certs_d = s.certs_d.empty() ? host_certs_d() : s.certs_d;
    fs::path host_dir = certs_d / addr;
    fs::create_directories(host_dir);
    for (const auto& f : registry_client_files(certs_d, addr, ca, certs.client("host")))
        support::atomic_write(f.path, f.content, f.mode);

    // The registry answers on TLS with the CA's certificate to this host's client certificate
    // (as `docker push` from this host would).
    auto [host_cert, host_key] = certs.client_files("host");
    provision::DockerApi probe(fmt::format("https://{}", addr),
                               {s.tls.ca_cert, host_cert, host_key}, s.remote.https, 5s);
    support::Clock& clock = s.clock ? *s.clock : support::steady_clock();
    support::WaitSpec spec;
    spec.deadline = clock.now() + 30s;
    spec.first_delay = spec.max_delay = 1s;
    spec.timeout_message = [&](const support::WaitOutcome& o) {
        return fmt::format("the registry on \"{}\" did not answer at https://{}/v2/ within {} s: {}",
                           manager.name, addr,
                           std::chrono::duration_cast<std::chrono::seconds>(o.waited).count(),
                           o.last_reason);
    };
    support::wait_until(clock, spec, [&](std::chrono::milliseconds, std::string& reason) {
        try {
            auto r = probe.request("GET", "/v2/");
            if (r.ok())
                return true;
            reason = fmt::format("HTTP {}", r.status);
        } catch (const Error& e) {
            reason = e.what();
        }
        return false;
    });
    fmt::print(s.out,
               "Registry at {} (only for client certificates it issued: {} node(s) and this "
               "host's docker, {}).\n"
               "Push with: docker tag IMAGE {}/NAME:TAG && docker push {}/NAME:TAG\n",
               addr, trusting.size(), host_dir.string(), addr, addr);
    return addr;
}

} // namespace machine
