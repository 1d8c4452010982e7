// The VM half of create, start and provision, on fakes: a FakeDriver for the hypervisor, a
// FakeSshBackend/FakeGuest for the machine, a FakeRunner for programs, and an HttpsTransport that
// answers for the engine. Certificates are real (the code's own OpenSSL functions).
#include "machine/create.h"
#include "machine/lifecycle.h"
#include "machine/provisioning.h"
#include "machine/remove.h"

#include "engine/tls.h"
#include "machine/support/error.h"
#include "machine/support/fs.h"
#include "temp_dir.h"
#include "tests/fakes/fake_driver.h"
#include "tests/fakes/fake_runner.h"
#include "tests/fakes/fake_ssh.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

namespace machine::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr const char* k_ip = "192.168.122.10";

// What a Debian guest with Docker installed answers; everything else succeeds silently.
void debian_with_docker(FakeGuest& guest) {
    guest.on("cat /etc/os-release", {0, "ID=debian\nVERSION_ID=\"12\"\nPRETTY_NAME=\"Debian\"\n", ""});
    guest.on("mktemp -d", {0, "/tmp/machine-provision.abcd1234\n", ""});
}

class CreateTest : public ::testing::Test {
public: // the failure table below arranges each case through these
    CreateTest() {
        guest_at(k_ip);
        // xorriso writes the ISO named after -output.
        runner.on({"xorriso"}, [](const support::ProcessSpec& spec) {
            for (std::size_t i = 0; i + 1 < spec.args.size(); ++i)
                if (spec.args[i] == "-output")
                    support::atomic_write(spec.args[i + 1], "ISO");
            return ok();
        });
        request.name = "vm1";
        request.driver_name = "fake";
        request.docker_context = false;
    }

    FakeGuest& guest_at(const std::string& ip) {
        auto& g = ssh.guests[ip];
        debian_with_docker(g);
        return g;
    }

    provision::HttpsTransport engine() {
        return [this](const provision::HttpsRequest& r) {
            requests.push_back(r.method + " " + r.base_url + r.path);
            if (!engine_up)
                return provision::HttpsAnswer{"Connection refused", 0, ""};
            return provision::HttpsAnswer{"", 200, "OK"};
        };
    }

    // Runs create and returns what it threw ("" when it did not).
    std::string create() {
        CreateServices services{store, tls, runner, out, {ssh, engine()}};
        try {
            create_machine(request, driver, services);
        } catch (const std::exception& e) {
            return e.what();
        }
        return "";
    }

    // `machine rm vm1`, with the driver rebuilt from config.json as the CLI does; returns what
    // it printed.
    std::string rm() {
        std::ostringstream rm_out;
        remove_machine(
            store, MachineName("vm1"), false,
            [](const Host& h) {
                auto d = std::make_unique<FakeDriver>();
                d->restore(h.driver);
                return std::unique_ptr<drivers::Driver>(std::move(d));
            },
            rm_out);
        return rm_out.str();
    }

    TempDir dir;
    Store store{dir.path()};
    TlsPaths tls = resolve_tls_paths(store, {});
    FakeRunner runner;
    std::ostringstream out;
    FakeSshBackend ssh;
    bool engine_up = true;
    std::vector<std::string> requests;
    FakeDriver driver;
    CreateRequest request;
};

// Each failure leaves a config.json whose Error names the step that failed, and rm removes it
// (with the VM when the driver had made one).
struct Failure {
    const char* what;
    std::function<void(CreateTest&)> arrange;
    const char* step;    // how the record's Error starts
    const char* message; // what the error says after the step
    bool vm_made;
};

void PrintTo(const Failure& f, std::ostream* os) { *os << f.what; }

class CreateFailure : public CreateTest, public ::testing::WithParamInterface<Failure> {};

TEST_P(CreateFailure, LeavesARecordNamingTheStepAndRmCleansIt) {
    const Failure& f = GetParam();
    f.arrange(*this);
    std::string thrown = create();
    ASSERT_NE(thrown, "") << "create succeeded";
    EXPECT_THAT(thrown, HasSubstr(f.message));

    ASSERT_TRUE(store.exists(MachineName("vm1")));
    Host saved = store.load(MachineName("vm1"));
    EXPECT_THAT(saved.error, StartsWith(std::string(f.step) + ": ")) << saved.error;
    EXPECT_THAT(saved.error, HasSubstr(f.message));
    EXPECT_THAT(out.str(), HasSubstr(std::string(f.step) + " ... failed after"));

    std::string said = rm();
    if (f.vm_made)
        EXPECT_THAT(said, HasSubstr("  Removed the fake VM\n"));
    else
        EXPECT_THAT(said, ::testing::Not(HasSubstr("Removed the fake VM")));
    EXPECT_THAT(said, HasSubstr("Successfully removed vm1\n"));
    EXPECT_FALSE(store.exists(MachineName("vm1")));
    EXPECT_TRUE(store.list().empty());
}

INSTANTIATE_TEST_SUITE_P(
    EachStep, CreateFailure,
    ::testing::Values(
        Failure{"image",
                [](CreateTest& t) {
                    t.driver.bundled_image = true;
                    t.runner.missing = {"mmdebstrap"};
                },
                "Preparing the bundled image", "mmdebstrap", false},
        Failure{"seed", [](CreateTest& t) { t.runner.missing = {"xorriso"}; },
                "Writing the first-boot seed", "xorriso", false},
        Failure{"driver_create", [](CreateTest& t) { t.driver.fail_at = "create"; },
                "Creating and booting the fake VM", "fake create failed", true},
        Failure{"ssh", [](CreateTest& t) { t.ssh.host_key_changed[k_ip] = true; },
                "Waiting for SSH", "host key", true},
        Failure{"ip", [](CreateTest& t) { t.driver.ip_unknown = true; },
                "Issuing the server certificate", "IP address is unknown", true},
        Failure{"provision",
                [](CreateTest& t) {
                    t.ssh.guests[k_ip].rules.clear();
                    t.ssh.guests[k_ip].on("cat /etc/os-release", {1, "", "no os-release"});
                },
                "Detect OS", "no os-release", true}),
    [](const auto& info) { return std::string(info.param.what); });

TEST_F(CreateTest, ProvisionsTheGuestAndRecordsAHealthyMachine) {
    ASSERT_EQ(create(), "");
    Host saved = store.load(MachineName("vm1"));
    EXPECT_EQ(saved.error, "");
    EXPECT_EQ(saved.ip(), k_ip);
    EXPECT_EQ(driver.calls.front(), "configure");
    EXPECT_EQ(driver.created.seed_iso, store.machine_dir(MachineName("vm1")) / "seed.iso");
    EXPECT_EQ(ssh.keys, std::vector<fs::path>{driver.created.ssh_key_path});
    // The seed went through xorriso once.
    EXPECT_EQ(runner.count({"xorriso"}), 1);

    // The server certificate is made for the VM's IP, and what the guest got is that file.
    const auto& auth = saved.options.auth;
    EXPECT_TRUE(engine::check_server_cert(auth.ca_cert, auth.server_cert, k_ip).ok);
    const FakeGuest& guest = ssh.guests[k_ip];
    const std::string staged = "/tmp/machine-provision.abcd1234/";
    EXPECT_EQ(guest.files.at(staged + "server.pem"), support::read_file(auth.server_cert));
    EXPECT_EQ(guest.files.at(staged + "server-key.pem"), support::read_file(auth.server_key));
    EXPECT_EQ(guest.modes.at(staged + "server-key.pem"), 0600);
    EXPECT_EQ(guest.files.at(staged + "ca.pem"), support::read_file(auth.ca_cert));
    // Docker was there: nothing installed; the files are put in place as root, then the engine
    // restarts and is waited for on TLS.
    EXPECT_EQ(guest.count("sudo -n apt-get"), 0);
    EXPECT_EQ(guest.count("sudo -n install -m 0600 -o root -g root " + staged +
                          "server-key.pem /etc/docker/server-key.pem"),
              1);
    EXPECT_EQ(guest.count("sudo -n systemctl restart docker.service"), 1);
    EXPECT_THAT(requests, ::testing::Contains("GET https://" + std::string(k_ip) + ":2376/_ping"));
}

TEST_F(CreateTest, StartWithANewIpRegeneratesAndPushesTheServerCertificate) {
    ASSERT_EQ(create(), "");
    Host host = store.load(MachineName("vm1"));
    const auto& auth = host.options.auth;
    std::string old_cert = support::read_file(auth.server_cert);

    driver.vm_state = drivers::State::Stopped;
    driver.ip_after_start = "192.168.122.77";
    FakeGuest& moved = guest_at("192.168.122.77");
    LifecycleServices services{store, tls, runner, out, {ssh, engine()}};
    run_action(Action::Start, host, driver, services);

    EXPECT_THAT(out.str(), HasSubstr("The machine's IP is now 192.168.122.77 (was " +
                                     std::string(k_ip) + "): regenerating"));
    EXPECT_NE(support::read_file(auth.server_cert), old_cert);
    EXPECT_TRUE(engine::check_server_cert(auth.ca_cert, auth.server_cert, "192.168.122.77").ok);
    EXPECT_FALSE(engine::check_server_cert(auth.ca_cert, auth.server_cert, k_ip).ok);
    EXPECT_EQ(moved.files.at("/tmp/machine-provision.abcd1234/server.pem"),
              support::read_file(auth.server_cert));
    EXPECT_EQ(moved.count("sudo -n systemctl restart docker.service"), 1);
    EXPECT_EQ(store.load(MachineName("vm1")).ip(), "192.168.122.77");
}

TEST_F(CreateTest, StartWithTheSameIpKeepsTheCertificateAndTouchesNoGuest) {
    ASSERT_EQ(create(), "");
    Host host = store.load(MachineName("vm1"));
    std::string old_cert = support::read_file(host.options.auth.server_cert);
    int commands_before = int(ssh.guests[k_ip].commands.size());

    driver.vm_state = drivers::State::Stopped;
    LifecycleServices services{store, tls, runner, out, {ssh, engine()}};
    run_action(Action::Start, host, driver, services);

    EXPECT_EQ(support::read_file(host.options.auth.server_cert), old_cert);
    EXPECT_EQ(int(ssh.guests[k_ip].commands.size()), commands_before);
    EXPECT_THAT(out.str(), HasSubstr("Machine \"vm1\" was started."));
}

TEST_F(CreateTest, ReprovisionClearsARecordedError) {
    ssh.guests[k_ip].on("sudo -n systemctl restart docker.service", {1, "", "failed"}, 1);
    std::string thrown = create();
    ASSERT_THAT(thrown, HasSubstr("restart engine"));
    Host host = store.load(MachineName("vm1"));
    EXPECT_THAT(host.error, StartsWith("Restart engine: "));

    reprovision(host, driver, store, {ssh, engine()}, out);
    EXPECT_EQ(store.load(MachineName("vm1")).error, "");
    EXPECT_EQ(ssh.guests[k_ip].count("sudo -n systemctl restart docker.service"), 2);
}

} // namespace
} // namespace machine::testing
