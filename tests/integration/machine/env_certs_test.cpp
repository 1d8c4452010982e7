// `machine env` checks the certificates locally and refuses, naming the command to run, when a
// docker client would fail against them.
#include "cli_fixture.h"

#include "engine/tls.h"
#include "machine/support/fs.h"

#include <nlohmann/json.hpp>

namespace machine::testing {
namespace {

class EnvCerts : public CliTest {
protected:
    fs::path machine_dir() const { return store() / "machines" / "m1"; }
    engine::CaFiles store_ca() const {
        return {store() / "certs" / "ca.pem", store() / "certs" / "ca-key.pem"};
    }
    void place_server_cert(const std::vector<std::string>& sans) {
        engine::issue_server_cert(store_ca(), machine_dir() / "server.pem",
                                  machine_dir() / "server-key.pem", "machine", sans);
    }
    support::ProcessResult env_m1() const { return machine({"env", "--shell", "bash", "m1"}); }
    // `env m1` refuses with one line naming the regenerate-certs command that mends it.
    void expect_regenerate(const std::string& flags = "") const {
        expect_one_error(env_m1(), 1, "run `machine regenerate-certs " + flags + "m1`");
    }
    // What a user editing config.json by hand does.
    void hand_edit_ip(const std::string& ip) {
        fs::path config = machine_dir() / "config.json";
        auto j = nlohmann::json::parse(support::read_file(config));
        j["Driver"]["IPAddress"] = ip;
        support::atomic_write(config, j.dump(4), 0600);
    }
};

TEST_F(EnvCerts, ServerCertCoveringTheIpIsAccepted) {
    create_none("m1");
    place_server_cert({"127.0.0.1", "m1"});
    auto r = env_m1();
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("export DOCKER_HOST=\"tcp://127.0.0.1:2376\""), std::string::npos)
        << r.out;
}

TEST_F(EnvCerts, ServerCertForAnotherIpIsRefused) {
    create_none("m1");
    place_server_cert({"127.0.0.2", "m1"});
    auto r = env_m1();
    expect_one_error(r, 1, "run `machine regenerate-certs m1`");
    EXPECT_NE(r.err.find("127.0.0.1"), std::string::npos) << "names the IP: " << r.err;
    EXPECT_EQ(r.out, "") << "nothing to evaluate";
}

TEST_F(EnvCerts, HandEditedIpOutsideTheCertIsRefused) {
    create_none("m1");
    place_server_cert({"127.0.0.1", "m1"});
    hand_edit_ip("127.0.0.2");
    expect_regenerate();
}

TEST_F(EnvCerts, ClientCertFromAnotherCaIsRefused) {
    create_none("m1");
    engine::CaFiles other{tmp() / "other-ca.pem", tmp() / "other-ca-key.pem"};
    engine::ensure_ca(other, "someone-else");
    engine::issue_client_cert(other, machine_dir() / "cert.pem", machine_dir() / "key.pem",
                              "someone-else");
    expect_regenerate("--client-certs ");
}

TEST_F(EnvCerts, MissingClientCertIsRefused) {
    create_none("m1");
    fs::remove(machine_dir() / "cert.pem");
    expect_one_error(env_m1(), 1, "regenerate-certs");
}

// A passed check is recorded (engine/check_stamp.h) so later runs skip OpenSSL; the record must
// never let through what a full check would refuse.
TEST_F(EnvCerts, APassedCheckIsRecordedNextToTheCertificates) {
    create_none("m1");
    place_server_cert({"127.0.0.1", "m1"});
    ASSERT_EQ(env_m1().exit_code, 0);
    EXPECT_TRUE(fs::exists(machine_dir() / ".env-checked.json"));
    auto again = machine({"--debug", "env", "--shell", "bash", "m1"});
    EXPECT_EQ(again.exit_code, 0) << again.err;
    EXPECT_NE(again.out.find("export DOCKER_HOST=\"tcp://127.0.0.1:2376\""), std::string::npos);
    EXPECT_NE(again.err.find("certificates unchanged since the check recorded"),
              std::string::npos)
        << "the second run skipped OpenSSL: " << again.err;
}

TEST_F(EnvCerts, ServerCertAppearingAfterAPassedCheckIsChecked) {
    create_none("m1");
    ASSERT_EQ(env_m1().exit_code, 0); // no server cert yet
    place_server_cert({"127.0.0.2", "m1"});
    expect_regenerate();
}

TEST_F(EnvCerts, HandEditedIpAfterAPassedCheckIsRefused) {
    create_none("m1");
    place_server_cert({"127.0.0.1", "m1"});
    ASSERT_EQ(env_m1().exit_code, 0);
    hand_edit_ip("127.0.0.2");
    expect_regenerate();
}

TEST_F(EnvCerts, ServerCertReplacedAfterAPassedCheckIsRefused) {
    create_none("m1");
    place_server_cert({"127.0.0.1", "m1"});
    ASSERT_EQ(env_m1().exit_code, 0);
    place_server_cert({"127.0.0.2", "m1"});
    expect_regenerate();
}

TEST_F(EnvCerts, ClientCertReplacedAfterAPassedCheckIsRefused) {
    create_none("m1");
    ASSERT_EQ(env_m1().exit_code, 0);
    engine::CaFiles other{tmp() / "other-ca.pem", tmp() / "other-ca-key.pem"};
    engine::ensure_ca(other, "someone-else");
    engine::issue_client_cert(other, machine_dir() / "cert.pem", machine_dir() / "key.pem",
                              "someone-else");
    expect_regenerate("--client-certs ");
}

} // namespace
} // namespace machine::testing
