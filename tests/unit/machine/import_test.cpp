// translate_docker_machine_config: docker-machine's ConfigVersion 3 into machine's Host, per
// driver, with paths moved from where the store was made to where it is now.
#include "machine/import.h"

#include "machine/support/error.h"

#include <gtest/gtest.h>

namespace machine {
namespace {

nlohmann::json dm_config(const std::string& driver_name, nlohmann::json driver) {
    const std::string root = "/home/student/.docker/machine";
    driver["MachineName"] = "vm1";
    driver["StorePath"] = root;
    return {{"ConfigVersion", 3},
            {"Driver", driver},
            {"DriverName", driver_name},
            {"HostOptions",
             {{"EngineOptions",
               {{"Labels", {"a=b"}},
                {"InstallURL", "https://get.docker.com"},
                {"ArbitraryFlags", nlohmann::json::array()}}},
              {"SwarmOptions", {{"IsSwarm", false}}},
              {"AuthOptions",
               {{"CertDir", root + "/certs"},
                {"CaCertPath", root + "/certs/ca.pem"},
                {"CaPrivateKeyPath", root + "/certs/ca-key.pem"},
                {"ClientCertPath", root + "/certs/cert.pem"},
                {"ClientKeyPath", root + "/certs/key.pem"},
                {"ServerCertSANs", {"vm1.example"}},
                {"StorePath", root + "/machines/vm1"}}}}},
            {"Name", "vm1"}};
}

const fs::path k_dm = "/tmp/copy/dm";
const Store k_store("/tmp/copy/store");

TEST(ImportTranslate, NoneKeepsUrlAndMovesPathsIntoThisStore) {
    Host h = translate_docker_machine_config(
        dm_config("none", {{"URL", "tcp://10.0.0.5:2376"}, {"IPAddress", "10.0.0.5:2376"}}), k_dm,
        k_store);
    EXPECT_EQ(h.name, "vm1");
    EXPECT_EQ(h.driver_name, "none");
    EXPECT_EQ(h.driver.url, "tcp://10.0.0.5:2376");
    EXPECT_EQ(h.driver.ip, "10.0.0.5") << "docker-machine's none records host:port";
    EXPECT_EQ(h.url(), "tcp://10.0.0.5:2376");
    EXPECT_EQ(h.options.engine.labels, std::vector<std::string>{"a=b"});
    EXPECT_EQ(h.options.auth.store_path, "/tmp/copy/store/machines/vm1");
    EXPECT_EQ(h.options.auth.ca_cert, "/tmp/copy/store/certs/ca.pem");
    EXPECT_EQ(h.options.auth.server_cert_sans, std::vector<std::string>{"vm1.example"});
    ASSERT_TRUE(h.imported);
    EXPECT_EQ(h.imported->from, k_dm / "machines" / "vm1");
    EXPECT_EQ(h.imported->install_url, "https://get.docker.com");
    EXPECT_TRUE(h.imported->limits.empty());
    nlohmann::json j = h;
    EXPECT_EQ(j["HostOptions"]["EngineOptions"]["InstallURL"], "https://get.docker.com");
    EXPECT_EQ(j["Imported"]["DriverName"], "none");
    Host back = j.get<Host>();
    ASSERT_TRUE(back.imported);
    EXPECT_EQ(back.imported->install_url, "https://get.docker.com");
}

TEST(ImportTranslate, GenericBecomesNoneWithTheEnginePortAndSaysWhatIsLost) {
    Host h = translate_docker_machine_config(dm_config("generic", {{"IPAddress", "192.168.1.9"},
                                                                   {"EnginePort", 2380},
                                                                   {"SSHUser", "ubuntu"},
                                                                   {"SSHPort", 22}}),
                                             k_dm, k_store);
    EXPECT_EQ(h.driver_name, "none");
    EXPECT_EQ(h.url(), "tcp://192.168.1.9:2380");
    ASSERT_TRUE(h.imported);
    EXPECT_EQ(h.imported->driver_name, "generic");
    ASSERT_EQ(h.imported->limits.size(), 1u);
    EXPECT_NE(h.imported->limits[0].find("no generic driver"), std::string::npos);
    EXPECT_NE(h.imported->limits[0].find("ubuntu@192.168.1.9"), std::string::npos);
}

TEST(ImportTranslate, KvmBecomesLibvirtOnItsNetworkWithItsDiskWhereTheStoreIsNow) {
    Host h = translate_docker_machine_config(
        dm_config("kvm", {{"IPAddress", "192.168.42.10"},
                          {"Memory", 2048},
                          {"CPU", 2},
                          {"DiskSize", 30000},
                          {"PrivateNetwork", "docker-machines"},
                          {"DiskPath", "/home/student/.docker/machine/machines/vm1/vm1.img"},
                          {"SSHUser", "docker"}}),
        k_dm, k_store);
    EXPECT_EQ(h.driver_name, "libvirt");
    EXPECT_EQ(h.driver.own["Memory"], 2048);
    EXPECT_EQ(h.driver.own["CPU"], 2);
    EXPECT_EQ(h.driver.own["DiskSize"], 30000);
    EXPECT_EQ(h.driver.own["Network"], "docker-machines");
    EXPECT_EQ(h.driver.own["NetworkCreated"], false) << "machine never removes that network";
    EXPECT_EQ(h.driver.own["DiskPath"], "/tmp/copy/dm/machines/vm1/vm1.img");
    EXPECT_EQ(h.driver.ssh_key_path, "/tmp/copy/store/machines/vm1/id_rsa");
    EXPECT_EQ(h.url(), "tcp://192.168.42.10:2376");
    ASSERT_TRUE(h.imported);
    EXPECT_EQ(h.imported->limits.size(), 2u);
}

TEST(ImportTranslate, VirtualBoxKeepsItsSizesAndItsVmName) {
    Host h = translate_docker_machine_config(
        dm_config("virtualbox", {{"IPAddress", "192.168.99.100"},
                                 {"Memory", 1024},
                                 {"CPU", 1},
                                 {"DiskSize", 20000},
                                 {"HostOnlyCIDR", "192.168.99.1/24"},
                                 {"SSHPort", 40022}}),
        k_dm, k_store);
    EXPECT_EQ(h.driver_name, "virtualbox");
    EXPECT_EQ(h.driver.machine_name, "vm1");
    EXPECT_EQ(h.driver.ssh_port, 40022);
    EXPECT_EQ(h.driver.own["HostOnlyCIDR"], "192.168.99.1/24");
    EXPECT_EQ(h.driver.own["DiskPath"], "")
        << "the VM's own disk goes with the VM, not as machine's";
}

TEST(ImportTranslate, RefusesWhatItCannotCarry) {
    EXPECT_THROW(translate_docker_machine_config(dm_config("amazonec2", {}), k_dm, k_store),
                 UsageError);
    auto old = dm_config("none", {{"URL", "tcp://1.2.3.4:2376"}});
    old["ConfigVersion"] = 1;
    EXPECT_THROW(translate_docker_machine_config(old, k_dm, k_store), UsageError);
    auto bad_name = dm_config("none", {{"URL", "tcp://1.2.3.4:2376"}});
    bad_name["Name"] = "../etc";
    EXPECT_THROW(translate_docker_machine_config(bad_name, k_dm, k_store), UsageError);
    auto bad_url = dm_config("none", {{"URL", "none"}});
    EXPECT_THROW(translate_docker_machine_config(bad_url, k_dm, k_store), UsageError);
}

TEST(ImportTranslate, ClassicSwarmIsNamedAsALimit) {
    auto c = dm_config("none", {{"URL", "tcp://1.2.3.4:2376"}});
    c["HostOptions"]["SwarmOptions"]["IsSwarm"] = true;
    Host h = translate_docker_machine_config(c, k_dm, k_store);
    ASSERT_TRUE(h.imported);
    ASSERT_EQ(h.imported->limits.size(), 1u);
    EXPECT_NE(h.imported->limits[0].find("classic Swarm"), std::string::npos);
}

} // namespace
} // namespace machine
