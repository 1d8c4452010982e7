#pragma once
// A Docker registry for labs without internet: Debian's docker-registry, as a container on a
// swarm manager, serving TLS on <manager-ip>:5000 with a certificate from the machine CA. It
// admits only the lab: every connection must present a client certificate from the registry's
// own client CA (http.tls.clientcas), which is made for this registry and kept beside its
// certificate in the manager's folder. Every engine of the lab gets one and the registry's CA
// in /etc/docker/certs.d/<ip>:5000/ (client.cert, client.key, ca.crt), and so does this host's
// docker, so `docker push <manager-ip>:5000/app:1` works as in the seeds and another VM on the
// network can neither push nor pull.
//
// Why not client certificates from the machine CA itself: every engine of the store accepts
// any clientAuth certificate that CA signs on its API (:2376). A key on a lab node that the
// machine CA signed would let that node (or whoever takes it) drive every engine of the store;
// a key from the registry's client CA opens the registry and nothing else.
#include "drivers/driver.h"
#include "machine/certs.h"
#include "machine/host.h"
#include "machine/remote_access.h"
#include "machine/store.h"
#include "machine/support/process.h"
#include "machine/support/wait.h"

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

namespace machine {

inline constexpr int k_registry_port = 5000;

struct RegistryServices {
    const Store& store;
    TlsPaths tls;
    support::ProcessRunner& runner; // mmdebstrap on the host, once per recipe (cached)
    std::ostream& out;
    std::function<std::unique_ptr<drivers::Driver>(const Host&)> driver_for; // SSH to nodes
    RemoteAccess remote; // SSH to nodes, the manager's engine, the registry
    support::Clock* clock = nullptr; // paces the wait for the registry; null: the steady clock
    // Where this host's docker gets its client files; empty: host_certs_d(). A test's own
    // folder, so that running the tests as root leaves /etc/docker alone.
    std::filesystem::path certs_d = {};
};

// Idempotent: reuses the cached image tarball, the image on the manager, a running registry
// container and a certificate that still covers the manager's IP. Returns "<ip>:5000".
std::string ensure_registry(const Host& manager, const std::vector<Host>& nodes,
                            RegistryServices& services);

// Builds (once, cached under <store>/cache/testapps) the registry image's root filesystem with
// mmdebstrap, which needs Debian's mirror: run it before going offline. Returns the tarball.
std::filesystem::path prepare_registry_image(RegistryServices& services);

// A file for a registry node or a docker client: absolute path, content and mode.
struct RegistryFile {
    std::string path;
    std::string content;
    int mode = 0644;
};

// PEM text of a certificate and its private key.
struct PemPair {
    std::string cert, key;
};

// The registry's configuration (config.yml): storage on its data volume, TLS with its
// certificate, and a client certificate required and verified against the client CA
// (http.tls.clientcas), read from /certs in the container.
std::string registry_config();

// What the registry container reads from /etc/machine-registry on the manager (mounted at
// /certs): its certificate and key (0600), the client CA and config.yml.
std::vector<RegistryFile> registry_server_files(const PemPair& server,
                                                const std::string& client_ca);

// What a docker engine, or this host's docker, needs in <certs_d>/<addr>/ to push to and pull
// from the registry: ca.crt (the CA that signed the registry's certificate), client.cert and
// client.key (0600), the names dockerd reads from certs.d.
std::vector<RegistryFile> registry_client_files(const std::filesystem::path& certs_d,
                                                const std::string& addr, const std::string& ca,
                                                const PemPair& client);

// The certs.d folder of this host's docker: /etc/docker/certs.d as root, else
// ~/.docker/certs.d.
std::filesystem::path host_certs_d();

// Removes from <certs_d>/<addr>/ exactly the files ensure_registry wrote there (this host's
// certs.d: host_certs_d()), then the folder if it is empty. Never throws.
void remove_registry_client_files(const std::filesystem::path& certs_d,
                                  const std::string& registry_addr);

// "a b&c" -> "a%20b%26c" (query parameter values).
std::string url_encode(const std::string& text);

} // namespace machine
