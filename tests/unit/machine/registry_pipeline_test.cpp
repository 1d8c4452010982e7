// ensure_registry (machine/swarm_registry.cpp) end to end on fakes: the manager's engine is an
// HttpsTransport function, the nodes are FakeGuests, mmdebstrap is a FakeRunner answer, and the
// wait for the registry runs on a FakeClock. Certificates are real.
#include "machine/swarm_registry.h"

#include "engine/tls.h"
#include "machine/support/error.h"
#include "machine/support/fs.h"
#include "temp_dir.h"
#include "tests/fakes/fake_clock.h"
#include "tests/fakes/fake_driver.h"
#include "tests/fakes/fake_runner.h"
#include "tests/fakes/fake_ssh.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

namespace machine::testing {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

constexpr const char* k_mgr_ip = "192.168.122.11";
constexpr const char* k_node_ip = "192.168.122.12";
const std::string k_addr = std::string(k_mgr_ip) + ":5000";
const std::string k_staging = "/tmp/machine-registry.abcd1234";

class RegistryPipeline : public ::testing::Test {
protected:
    RegistryPipeline() {
        ensure_store_certs(tls);
        mgr = save("mgr", k_mgr_ip);
        node = save("n1", k_node_ip);
        for (const char* ip : {k_mgr_ip, k_node_ip})
            ssh.guests[ip].on("mktemp -d /tmp/machine-registry.", {0, k_staging + "\n", ""});
        // mmdebstrap writes the tarball named by its last argument.
        runner.on({"mmdebstrap"}, [](const support::ProcessSpec& spec) {
            support::atomic_write(spec.args.back(), "rootfs tar");
            return ok();
        });
    }
    Host save(const std::string& name, const std::string& ip) {
        Host h;
        h.name = name;
        h.driver_name = "fake";
        h.driver = drivers::decode_record({{"IPAddress", ip}, {"SSHUser", "docker"}});
        h.options.auth.store_path = store.machine_dir(MachineName(name));
        fs::create_directories(h.options.auth.store_path);
        store.save(h);
        return h;
    }

    // The manager's engine (:2376) and the registry (:5000) as far as ensure_registry asks.
    provision::HttpsAnswer answer(const provision::HttpsRequest& r) {
        std::string call = r.method + " " + r.base_url + r.path;
        calls.push_back(call);
        if (r.base_url == "https://" + k_addr) {
            if (registry_refusals > 0) {
                --registry_refusals;
                return {"Failed to connect to " + k_addr + ": Connection refused", 0, ""};
            }
            return {"", 200, "{}"};
        }
        if (r.method == "GET") // no image, no container yet
            return {"", 404, R"({"message":"No such image or container"})"};
        if (r.path.rfind("/containers/create", 0) == 0)
            return {"", 201, R"({"Id":"c1"})"};
        return {"", 204, ""};
    }

    std::string ensure() {
        RegistryServices services{store, tls, runner, out,
                                  [](const Host& h) {
                                      auto d = std::make_unique<FakeDriver>();
                                      d->restore(h.driver);
                                      return std::unique_ptr<drivers::Driver>(std::move(d));
                                  },
                                  {ssh, [this](const auto& r) { return answer(r); }},
                                  &clock,
                                  dir.path() / "host-certs.d"};
        return ensure_registry(mgr, {mgr, node}, services);
    }

    // Whether `cert` (PEM text) is a client certificate `ca_cert` signed.
    bool signed_by(const std::string& cert, const fs::path& ca_cert) {
        fs::path file = dir.path() / "check.pem";
        support::atomic_write(file, cert);
        return engine::check_client_cert(ca_cert, file).ok;
    }

    TempDir dir;
    Store store{dir.path() / "store"};
    TlsPaths tls = resolve_tls_paths(store, {});
    FakeRunner runner;
    FakeSshBackend ssh;
    FakeClock clock;
    std::ostringstream out;
    std::vector<std::string> calls;
    int registry_refusals = 0;
    Host mgr, node;
};

TEST_F(RegistryPipeline, EveryNodeGetsTheCaAndItsOwnClientCertificateFromTheRegistrysCa) {
    registry_refusals = 3; // the container takes a moment to listen
    EXPECT_EQ(ensure(), k_addr);

    const fs::path registry_dir = store.machine_dir(MachineName("mgr")) / "registry";
    const std::string machine_ca = support::read_file(tls.ca_cert);
    std::map<std::string, std::string> client_certs;
    for (const char* ip : {k_mgr_ip, k_node_ip}) {
        const FakeGuest& g = ssh.guests[ip];
        SCOPED_TRACE(ip);
        // Each file went to a private staging folder, then into certs.d as root.
        EXPECT_EQ(g.files.at(k_staging + "/ca.crt"), machine_ca);
        EXPECT_EQ(g.modes.at(k_staging + "/client.key"), 0600);
        const std::string cert = g.files.at(k_staging + "/client.cert");
        client_certs[ip] = cert;
        EXPECT_TRUE(signed_by(cert, registry_dir / "client-ca.crt"));
        EXPECT_FALSE(signed_by(cert, tls.ca_cert)) << "a node key must not open the engines";
        int installs = 0;
        for (const auto& c : g.commands)
            installs += c.find("/etc/docker/certs.d/") != std::string::npos &&
                        c.rfind("sudo -n install -d -m 0755 ", 0) == 0;
        EXPECT_EQ(installs, 3);
    }
    EXPECT_NE(client_certs[k_mgr_ip], client_certs[k_node_ip]) << "one certificate per node";
    // Only the manager runs the registry: its certificate, key and config are there.
    EXPECT_EQ(ssh.guests[k_mgr_ip].files.count(k_staging + "/config.yml"), 1u);
    EXPECT_EQ(ssh.guests[k_mgr_ip].modes.at(k_staging + "/registry.key"), 0600);
    EXPECT_EQ(ssh.guests[k_node_ip].files.count(k_staging + "/config.yml"), 0u);

    // This host's docker: the same three files, in the folder it was given.
    const fs::path host = dir.path() / "host-certs.d" / k_addr;
    EXPECT_EQ(support::read_file(host / "ca.crt"), machine_ca);
    EXPECT_TRUE(signed_by(support::read_file(host / "client.cert"), registry_dir / "client-ca.crt"));

    // The image was built once and imported; the wait paced itself on the clock.
    EXPECT_EQ(runner.count({"mmdebstrap"}), 1);
    EXPECT_THAT(calls, ::testing::Contains(::testing::StartsWith(
                           "POST https://192.168.122.11:2376/images/create?fromSrc=-")));
    EXPECT_EQ(clock.sleeps, (std::vector<std::chrono::milliseconds>{1s, 1s, 1s}));
    EXPECT_THAT(out.str(), HasSubstr("Registry at 192.168.122.11:5000 (only for client "
                                     "certificates it issued: 2 node(s)"));
}

TEST_F(RegistryPipeline, ARegistryThatNeverAnswersTimesOutOnTheClockSayingWhy) {
    registry_refusals = 1000;
    try {
        ensure();
        FAIL() << "the registry answered";
    } catch (const Error& e) {
        EXPECT_THAT(e.what(), HasSubstr("the registry on \"mgr\" did not answer at "
                                        "https://192.168.122.11:5000/v2/ within "));
        EXPECT_THAT(e.what(), HasSubstr("Connection refused"));
    }
    // Thirty seconds of waiting, none of it real.
    EXPECT_GE(clock.slept(), 29s);
    EXPECT_LE(clock.slept(), 30s);
}

} // namespace
} // namespace machine::testing
