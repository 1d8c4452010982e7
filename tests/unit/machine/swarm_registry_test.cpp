// The lab registry's files (issue 10): the registry requires a client certificate from its
// client CA, and engines and the host get theirs where dockerd and docker look (certs.d).
#include "machine/swarm_registry.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <fstream>

namespace machine {
namespace {

TEST(RegistryConfig, RequiresAClientCertificateFromTheClientCaItIsGiven) {
    YAML::Node config = YAML::Load(registry_config());
    YAML::Node tls = config["http"]["tls"];
    ASSERT_TRUE(tls.IsMap()) << registry_config();
    EXPECT_EQ(tls["certificate"].as<std::string>(), "/certs/registry.crt");
    EXPECT_EQ(tls["key"].as<std::string>(), "/certs/registry.key");
    ASSERT_TRUE(tls["clientcas"].IsSequence());
    ASSERT_EQ(tls["clientcas"].size(), 1u);
    EXPECT_EQ(tls["clientcas"][0].as<std::string>(), "/certs/client-ca.crt");
    EXPECT_EQ(config["http"]["addr"].as<std::string>(), ":5000");
    // No other way in: no htpasswd or token auth that would admit a client without a cert.
    EXPECT_FALSE(config["auth"].IsDefined());
}

TEST(RegistryConfig, TheContainerGetsTheFilesTheConfigNames) {
    auto files = registry_server_files({"SERVER CERT", "SERVER KEY"}, "CLIENT CA");
    ASSERT_EQ(files.size(), 4u);
    std::map<std::string, std::pair<std::string, int>> by_path;
    for (const auto& f : files)
        by_path[f.path] = {f.content, f.mode};
    EXPECT_EQ(by_path.at("/etc/machine-registry/registry.crt"),
              (std::pair<std::string, int>{"SERVER CERT", 0644}));
    EXPECT_EQ(by_path.at("/etc/machine-registry/registry.key"),
              (std::pair<std::string, int>{"SERVER KEY", 0600}));
    EXPECT_EQ(by_path.at("/etc/machine-registry/client-ca.crt"),
              (std::pair<std::string, int>{"CLIENT CA", 0644}));
    EXPECT_EQ(by_path.at("/etc/machine-registry/config.yml").first, registry_config());
    // Every path the config names (mounted at /certs) is one of the files.
    YAML::Node tls = YAML::Load(registry_config())["http"]["tls"];
    for (const auto& name : {tls["certificate"].as<std::string>(), tls["key"].as<std::string>(),
                             tls["clientcas"][0].as<std::string>()}) {
        ASSERT_EQ(name.rfind("/certs/", 0), 0u) << name;
        EXPECT_TRUE(by_path.count("/etc/machine-registry/" + name.substr(7))) << name;
    }
}

TEST(RegistryClientFiles, AreWhereDockerdReadsThemWithAPrivateKey) {
    auto files = registry_client_files("/etc/docker/certs.d", "192.168.42.10:5000", "MACHINE CA",
                                       {"CLIENT CERT", "CLIENT KEY"});
    ASSERT_EQ(files.size(), 3u);
    EXPECT_EQ(files[0].path, "/etc/docker/certs.d/192.168.42.10:5000/ca.crt");
    EXPECT_EQ(files[0].content, "MACHINE CA");
    EXPECT_EQ(files[0].mode, 0644);
    // dockerd pairs <name>.cert with <name>.key; a .crt would be taken for a CA.
    EXPECT_EQ(files[1].path, "/etc/docker/certs.d/192.168.42.10:5000/client.cert");
    EXPECT_EQ(files[1].content, "CLIENT CERT");
    EXPECT_EQ(files[1].mode, 0644);
    EXPECT_EQ(files[2].path, "/etc/docker/certs.d/192.168.42.10:5000/client.key");
    EXPECT_EQ(files[2].content, "CLIENT KEY");
    EXPECT_EQ(files[2].mode, 0600);
}

TEST(RegistryClientFiles, TheHostsCertsDIsDockersOwn) {
    if (::geteuid() == 0)
        EXPECT_EQ(host_certs_d(), "/etc/docker/certs.d");
    else
        EXPECT_EQ(host_certs_d(), fs::path(std::getenv("HOME")) / ".docker" / "certs.d");
}

TEST(RegistryClientFiles, RemovingThemRemovesOnlyOurFiles) {
    std::string pattern = (fs::temp_directory_path() / "machine-registry-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    fs::path certs_d = pattern;
    fs::path dir = certs_d / "10.0.0.1:5000";
    auto write_ours = [&] {
        fs::create_directories(dir);
        for (const auto& f : registry_client_files(certs_d, "10.0.0.1:5000", "a", {"b", "c"}))
            std::ofstream(f.path) << f.content;
    };
    write_ours();
    remove_registry_client_files(certs_d, "10.0.0.1:5000");
    EXPECT_FALSE(fs::exists(dir));
    // A file of the user's own in that folder stays, and so does the folder.
    write_ours();
    std::ofstream(dir / "mine.crt") << "mine";
    remove_registry_client_files(certs_d, "10.0.0.1:5000");
    EXPECT_TRUE(fs::exists(dir / "mine.crt"));
    EXPECT_FALSE(fs::exists(dir / "client.key"));
    EXPECT_FALSE(fs::exists(dir / "client.cert"));
    EXPECT_FALSE(fs::exists(dir / "ca.crt"));
    fs::remove_all(certs_d);
}

} // namespace
} // namespace machine
