// docker-machine's driver sections as machine's drivers' records (drivers/docker_machine.h).
#include "drivers/docker_machine.h"
#include "machine/support/error.h"

#include <gtest/gtest.h>

using namespace machine::drivers;

namespace {

DockerMachinePaths paths() {
    return {"dev", "/store", "/store/machines/dev/id_rsa", "/dm/machines/dev", "/dm/machines/dev/disk.img"};
}

} // namespace

TEST(DockerMachineDrivers, EachOfItsDriversBecomesOneOfOurs) {
    nlohmann::json vm = {{"IPAddress", "192.168.99.100"}, {"SSHUser", "docker"}, {"SSHPort", 22}};
    auto vbox = from_docker_machine("virtualbox", vm, paths());
    EXPECT_EQ(vbox.driver_name, "virtualbox");
    EXPECT_TRUE(vbox.boot2docker);
    EXPECT_EQ(vbox.record.ip, "192.168.99.100");
    EXPECT_EQ(vbox.record.ssh_key_path, "/store/machines/dev/id_rsa");
    EXPECT_EQ(vbox.record.own.value("VMFolder", ""), "/dm/machines/dev");

    auto kvm = from_docker_machine("kvm", vm, paths());
    EXPECT_EQ(kvm.driver_name, "libvirt");
    EXPECT_TRUE(kvm.boot2docker);
    EXPECT_EQ(kvm.record.own.value("DiskPath", ""), "/dm/machines/dev/disk.img");
    EXPECT_EQ(kvm.record.own.value("URI", ""), "qemu:///system");

    auto none = from_docker_machine("none", {{"URL", "tcp://10.0.0.5:2376"}}, paths());
    EXPECT_EQ(none.driver_name, "none");
    EXPECT_FALSE(none.boot2docker);
    EXPECT_EQ(none.record.url, "tcp://10.0.0.5:2376");
    EXPECT_EQ(none.record.ip, "10.0.0.5");
    EXPECT_FALSE(none.engine_port);
}

TEST(DockerMachineDrivers, GenericKeepsItsEnginePortAndSaysWhatItLoses) {
    auto g = from_docker_machine("generic",
                                 {{"IPAddress", "10.0.0.9"}, {"EnginePort", 3376}, {"SSHUser", "ops"}},
                                 paths());
    EXPECT_EQ(g.driver_name, "none");
    EXPECT_EQ(g.record.url, "tcp://10.0.0.9:3376");
    ASSERT_TRUE(g.engine_port);
    EXPECT_EQ(*g.engine_port, 3376);
    ASSERT_EQ(g.limits.size(), 1u);
    EXPECT_NE(g.limits[0].find("ssh -i /store/machines/dev/id_rsa -p 22 ops@10.0.0.9"),
              std::string::npos) << g.limits[0];
}

TEST(DockerMachineDrivers, ADriverWeDoNotHaveIsRefusedByName) {
    try {
        from_docker_machine("amazonec2", {{"IPAddress", "1.2.3.4"}}, paths());
        FAIL() << "imported";
    } catch (const machine::UsageError& e) {
        EXPECT_NE(std::string(e.what()).find("\"amazonec2\" is not one machine has"), std::string::npos)
            << e.what();
    }
    EXPECT_THROW(from_docker_machine("none", {{"URL", "unix:///var/run/docker.sock"}}, paths()),
                 machine::UsageError);
}
