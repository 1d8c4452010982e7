#pragma once
// A Docker registry for labs without internet: Debian's docker-registry, as a container on a
// swarm manager, serving TLS on <manager-ip>:5000 with a certificate from the machine CA. Every
// engine of the lab trusts it (/etc/docker/certs.d/<ip>:5000/ca.crt), and so does the host's
// docker (certs.d as well), so `docker push <manager-ip>:5000/app:1` works as in the seeds.
#include "drivers/driver.h"
#include "machine/certs.h"
#include "machine/host.h"
#include "machine/store.h"
#include "machine/support/process.h"

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
};

// Idempotent: reuses the cached image tarball, the image on the manager, a running registry
// container and a certificate that still covers the manager's IP. Returns "<ip>:5000".
std::string ensure_registry(const Host& manager, const std::vector<Host>& nodes,
                            RegistryServices& services);

// Builds (once, cached under <store>/cache/testapps) the registry image's root filesystem with
// mmdebstrap, which needs Debian's mirror: run it before going offline. Returns the tarball.
std::filesystem::path prepare_registry_image(RegistryServices& services);

// Where the host's docker looks for the registry's CA: /etc/docker/certs.d/<addr>/ca.crt when
// that folder can be written, else ~/.docker/certs.d/<addr>/ca.crt.
std::filesystem::path host_registry_ca_path(const std::string& registry_addr);

// "a b&c" -> "a%20b%26c" (query parameter values).
std::string url_encode(const std::string& text);

} // namespace machine
