// The Host model in config.json / `inspect`: docker-machine's field names, a lossless round
// trip, and the path rewriting that makes a store movable.
#include "machine/host.h"

#include <gtest/gtest.h>

namespace machine {
namespace {

Host sample_host() {
    Host h;
    h.name = "web1";
    h.driver_name = "libvirt";
    h.driver = machine::drivers::decode_record({{"IPAddress", "192.0.2.10"},
                                                {"MachineName", "web1"},
                                                {"SSHUser", "docker"},
                                                {"SSHPort", 22},
                                                {"SSHKeyPath", "/store/machines/web1/id_ed25519"},
                                                {"StorePath", "/store"}});
    h.created_at = "2024-05-01T10:00:00Z";
    h.options.engine.labels = {"env=test", "tier=web"};
    h.options.engine.arbitrary_flags = {"log-level=debug"};
    h.options.engine.insecure_registry = {"registry.local:5000"};
    h.options.engine.storage_driver = "overlay2";
    h.options.swarm.manager = true;
    auto& a = h.options.auth;
    a.cert_dir = "/store/certs";
    a.ca_cert = "/store/certs/ca.pem";
    a.ca_key = "/store/certs/ca-key.pem";
    a.client_cert = "/store/certs/cert.pem";
    a.client_key = "/store/certs/key.pem";
    a.server_cert = "/store/machines/web1/server.pem";
    a.server_key = "/store/machines/web1/server-key.pem";
    a.store_path = "/store/machines/web1";
    a.server_cert_sans = {"web1.example", "198.51.100.4"};
    return h;
}

TEST(HostJson, UsesDockerMachineFieldNames) {
    nlohmann::json j = sample_host();
    EXPECT_EQ(j["Name"], "web1");
    EXPECT_EQ(j["DriverName"], "libvirt");
    EXPECT_EQ(j["ConfigVersion"], k_config_version);
    EXPECT_EQ(j["Driver"]["IPAddress"], "192.0.2.10");
    EXPECT_EQ(j["Driver"]["MachineName"], "web1");
    EXPECT_EQ(j["Driver"]["SSHUser"], "docker");
    EXPECT_EQ(j["Driver"]["SSHPort"], 22);
    const auto& o = j["HostOptions"];
    EXPECT_EQ(o["EngineOptions"]["Labels"], nlohmann::json({"env=test", "tier=web"}));
    EXPECT_EQ(o["EngineOptions"]["ArbitraryFlags"], nlohmann::json({"log-level=debug"}));
    EXPECT_EQ(o["EngineOptions"]["InsecureRegistry"], nlohmann::json({"registry.local:5000"}));
    EXPECT_EQ(o["EngineOptions"]["StorageDriver"], "overlay2");
    EXPECT_EQ(o["EngineOptions"]["TlsVerify"], true);
    EXPECT_EQ(o["SwarmOptions"]["IsSwarm"], true);
    EXPECT_EQ(o["SwarmOptions"]["Master"], true);
    const auto& a = o["AuthOptions"];
    EXPECT_EQ(a["CertDir"], "/store/certs");
    EXPECT_EQ(a["CaCertPath"], "/store/certs/ca.pem");
    EXPECT_EQ(a["CaPrivateKeyPath"], "/store/certs/ca-key.pem");
    EXPECT_EQ(a["ClientCertPath"], "/store/certs/cert.pem");
    EXPECT_EQ(a["ClientKeyPath"], "/store/certs/key.pem");
    EXPECT_EQ(a["ServerCertPath"], "/store/machines/web1/server.pem");
    EXPECT_EQ(a["ServerKeyPath"], "/store/machines/web1/server-key.pem");
    EXPECT_EQ(a["StorePath"], "/store/machines/web1");
    EXPECT_EQ(a["CaCertRemotePath"], "/etc/docker/ca.pem");
    EXPECT_EQ(a["ServerCertRemotePath"], "/etc/docker/server.pem");
    EXPECT_EQ(a["ServerKeyRemotePath"], "/etc/docker/server-key.pem");
    EXPECT_EQ(a["ServerCertSANs"], nlohmann::json({"web1.example", "198.51.100.4"}));
}

TEST(HostJson, RoundTripIsLossless) {
    Host original = sample_host();
    nlohmann::json first = original;
    Host back = first.get<Host>();
    nlohmann::json second = back;
    EXPECT_EQ(first, second);
    EXPECT_EQ(back.name, "web1");
    EXPECT_EQ(back.ip(), "192.0.2.10");
    EXPECT_EQ(back.options.auth.ca_cert, original.options.auth.ca_cert);
    EXPECT_EQ(back.options.auth.store_path, original.options.auth.store_path);
    EXPECT_EQ(back.options.auth.server_cert_sans, original.options.auth.server_cert_sans);
    EXPECT_EQ(back.options.engine.labels, original.options.engine.labels);
    EXPECT_TRUE(back.options.swarm.manager);
    EXPECT_EQ(back.created_at, original.created_at);
}

TEST(HostJson, ReadsADockerMachineConfig) {
    // Trimmed from a config.json docker-machine 0.16 wrote (ConfigVersion 3, absolute paths).
    auto j = nlohmann::json::parse(R"({
        "ConfigVersion": 3,
        "Driver": {"IPAddress": "192.168.99.100", "MachineName": "default", "SSHUser": "docker",
                   "SSHPort": 41891, "StorePath": "/home/u/.docker/machine"},
        "DriverName": "virtualbox",
        "HostOptions": {
            "Driver": "",
            "EngineOptions": {"Labels": ["a=b"], "TlsVerify": true, "InstallURL": "x"},
            "SwarmOptions": {"IsSwarm": false, "Master": false},
            "AuthOptions": {"CertDir": "/home/u/.docker/machine/certs",
                            "CaCertPath": "/home/u/.docker/machine/certs/ca.pem",
                            "StorePath": "/home/u/.docker/machine/machines/default"}
        },
        "Name": "default"
    })");
    Host h = j.get<Host>();
    EXPECT_EQ(h.config_version, 3);
    EXPECT_EQ(h.name, "default");
    EXPECT_EQ(h.driver_name, "virtualbox");
    EXPECT_EQ(h.ip(), "192.168.99.100");
    EXPECT_EQ(h.options.engine.labels, std::vector<std::string>{"a=b"});
    EXPECT_EQ(h.options.engine.tls_port, 2376);
    EXPECT_EQ(h.options.auth.ca_cert, "/home/u/.docker/machine/certs/ca.pem");
    EXPECT_EQ(h.options.auth.ca_cert_remote, "/etc/docker/ca.pem");
    EXPECT_EQ(h.error, "");
    EXPECT_EQ(h.url(), "tcp://192.168.99.100:2376");
}

TEST(HostUrl, FromIpAndPort) {
    Host h;
    h.driver_name = "libvirt";
    EXPECT_EQ(h.url(), "") << "no IP yet";
    h.driver.ip = "192.0.2.10";
    EXPECT_EQ(h.url(), "tcp://192.0.2.10:2376");
    h.options.engine.tls_port = 12376;
    EXPECT_EQ(h.url(), "tcp://192.0.2.10:12376");
    h.driver.ip = "fd00::5";
    EXPECT_EQ(h.url(), "tcp://[fd00::5]:12376");
}

TEST(HostUrl, NoneDriverKeepsTheGivenUrl) {
    Host h;
    h.driver_name = "none";
    h.driver = machine::drivers::decode_record(
        {{"IPAddress", "127.0.0.1"}, {"URL", "tcp://127.0.0.1:12345"}});
    EXPECT_EQ(h.url(), "tcp://127.0.0.1:12345");
}

TEST(StorePaths, UnderTheRootBecomeRelativeAndBack) {
    nlohmann::json j = sample_host();
    relativize_paths(j, "/store");
    const auto& a = j["HostOptions"]["AuthOptions"];
    EXPECT_EQ(a["CertDir"], "certs");
    EXPECT_EQ(a["CaCertPath"], "certs/ca.pem");
    EXPECT_EQ(a["ServerCertPath"], "machines/web1/server.pem");
    EXPECT_EQ(a["StorePath"], "machines/web1");
    EXPECT_EQ(j["Driver"]["SSHKeyPath"], "machines/web1/id_ed25519");
    EXPECT_EQ(j["Driver"]["StorePath"], ".") << "the root itself";

    absolutize_paths(j, "/elsewhere/moved");
    const auto& b = j["HostOptions"]["AuthOptions"];
    EXPECT_EQ(b["CertDir"], "/elsewhere/moved/certs");
    EXPECT_EQ(b["CaCertPath"], "/elsewhere/moved/certs/ca.pem");
    EXPECT_EQ(b["StorePath"], "/elsewhere/moved/machines/web1");
    EXPECT_EQ(j["Driver"]["SSHKeyPath"], "/elsewhere/moved/machines/web1/id_ed25519");
    EXPECT_EQ(j["Driver"]["StorePath"], "/elsewhere/moved");
}

TEST(StorePaths, RemoteAndOutsidePathsAreUntouched) {
    Host h = sample_host();
    h.options.auth.ca_cert = "/opt/corp-ca/ca.pem";    // --tls-ca-cert outside the store
    h.options.auth.ca_key = "/store-other/ca-key.pem"; // shares a prefix, still outside
    nlohmann::json j = h;
    relativize_paths(j, "/store");
    const auto& a = j["HostOptions"]["AuthOptions"];
    EXPECT_EQ(a["CaCertPath"], "/opt/corp-ca/ca.pem");
    EXPECT_EQ(a["CaPrivateKeyPath"], "/store-other/ca-key.pem");
    EXPECT_EQ(a["CaCertRemotePath"], "/etc/docker/ca.pem");
    EXPECT_EQ(a["ServerCertRemotePath"], "/etc/docker/server.pem");
    EXPECT_EQ(a["ServerKeyRemotePath"], "/etc/docker/server-key.pem");
    EXPECT_EQ(j["Name"], "web1") << "only path keys are rewritten";
    EXPECT_EQ(j["Driver"]["IPAddress"], "192.0.2.10");

    absolutize_paths(j, "/moved");
    EXPECT_EQ(j["HostOptions"]["AuthOptions"]["CaCertPath"], "/opt/corp-ca/ca.pem");
    EXPECT_EQ(j["HostOptions"]["AuthOptions"]["CaCertRemotePath"], "/etc/docker/ca.pem");
}

TEST(StorePaths, EmptyAndTrailingSlashRoots) {
    nlohmann::json j = {{"StorePath", ""}, {"DiskPath", "/store/machines/m/disk.qcow2"}};
    relativize_paths(j, "/store/");
    EXPECT_EQ(j["StorePath"], "") << "empty stays empty";
    EXPECT_EQ(j["DiskPath"], "machines/m/disk.qcow2");
    absolutize_paths(j, "/new/");
    EXPECT_EQ(j["StorePath"], "");
    EXPECT_EQ(j["DiskPath"], "/new/machines/m/disk.qcow2");
}

TEST(StorePaths, ArraysUnderPathKeysAreRewritten) {
    // The header promises "the string elements of such arrays" too.
    nlohmann::json j = {
        {"Driver", {{"ExtraDiskPaths", {"/store/machines/m/a.img", "/opt/b.img"}}}}};
    relativize_paths(j, "/store");
    EXPECT_EQ(j["Driver"]["ExtraDiskPaths"], nlohmann::json({"machines/m/a.img", "/opt/b.img"}));
    absolutize_paths(j, "/new");
    EXPECT_EQ(j["Driver"]["ExtraDiskPaths"],
              nlohmann::json({"/new/machines/m/a.img", "/opt/b.img"}));
}

} // namespace
} // namespace machine
