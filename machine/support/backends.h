#pragma once
// The parts of `machine` that need heavy shared libraries (the libvirt driver: libvirt, libxml2
// and glib; the Docker API transport: libcurl; SSH: libssh and Kerberos; lab files: yaml-cpp)
// live in one loadable module, machine-backends.so. Loading those libraries costs ~10 ms per
// process, which every `env`, `ip` or `inspect` paid before although none of them uses them.
//
// The route: the module has one entry point, machine_backends_v1(), which returns the table
// below (machine/backends_table.cpp fills it). Only the CLI opens it: cli::Context holds a
// BackendsModule, loads it on the first use of a piece (so env, ip, inspect never do) and hands
// each piece down through constructors and parameters -- the libvirt maker to make_driver
// (drivers/factory.h), the HTTPS transport to DockerApi (provision/docker_api.h), the SSH
// backend to wait_for_ssh and the pipelines (provision/ssh_client.h), the lab reader to
// load_lab (swarm/lab.h), the multi transport to `ls`. Layers below the CLI see those
// interfaces only and never look anything up. Test binaries link the backends in and use the
// pieces directly (or call machine_backends_v1()).
//
// The module is found at $MACHINE_BACKENDS when set (that file only), else at the first of
// <dir of the binary>/machine-backends.so and <dir of the binary>/../lib/machine/ that exists.
// It must come from the same build as the binary (Backends::build_id equals the binary's
// MACHINE_BUILD_ID): the module's code calls the binary's and shares its types, so another is
// refused.
//
// Declarations only: this header names the pieces' types without including their layers.
#include <memory>
#include <mutex>
#include <string>

namespace machine::drivers {
class Driver;
struct DriverContext;
} // namespace machine::drivers
namespace machine::provision {
struct HttpsRequest;
struct HttpsAnswer;
class HttpsMulti;
class SshBackend;
} // namespace machine::provision
namespace machine::swarm {
struct LabSpec;
struct LabRules;
} // namespace machine::swarm

namespace machine::support {

inline constexpr const char* k_backends_module = "machine-backends.so";

// What machine-backends.so provides. Append new members at the end; build_id stays first (it is
// read before anything else, from a module of any build).
struct Backends {
    const char* build_id; // MACHINE_BUILD_ID of the build that made the module
    // A libvirt driver (drivers/libvirt/libvirt_driver.h).
    std::unique_ptr<drivers::Driver> (*make_libvirt_driver)(const drivers::DriverContext& ctx);
    // One HTTPS request over libcurl; never throws (provision/https_transport.h).
    provision::HttpsAnswer (*https_request)(const provision::HttpsRequest& request);
    // A libcurl multi transport for `ls`; null when libcurl cannot make one.
    std::unique_ptr<provision::HttpsMulti> (*make_https_multi)();
    // SSH sessions and keys over libssh (provision/ssh_client.h).
    provision::SshBackend* ssh;
    // Reads a lab file's text with yaml-cpp (swarm/lab.h: parse_lab).
    swarm::LabSpec (*parse_lab)(const std::string& text, const std::string& source,
                                const swarm::LabRules& rules);
};

// machine-backends.so, opened on the first get() and never closed. One per program (the CLI's
// Context holds it); safe to use from several threads.
class BackendsModule {
public:
    // The module's table. Throws Unavailable ("<what> is in machine-backends.so, which cannot be
    // used: ...", naming the places looked in) when the module is missing, cannot be loaded or
    // is from another build; on every call once that is known. `what`: the piece wanted.
    const Backends& get(const char* what);

private:
    std::once_flag m_once;
    const Backends* m_table = nullptr;
    std::string m_problem; // why there is no table
};

} // namespace machine::support

// The module's one entry point.
extern "C" const machine::support::Backends* machine_backends_v1();
