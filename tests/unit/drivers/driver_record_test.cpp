// The typed driver record: config.json's "Driver" section decoded and encoded in one place, with
// docker-machine's field names, one policy for a wrong type, and unknown fields kept.
#include "drivers/driver_record.h"
#include "drivers/none/none_driver.h"
#include "machine/support/error.h"

#include <gtest/gtest.h>

#include <set>

namespace machine::drivers {
namespace {

std::set<std::string> keys(const nlohmann::json& j) {
    std::set<std::string> out;
    for (auto it = j.begin(); it != j.end(); ++it)
        out.insert(it.key());
    return out;
}

std::string error_of(const nlohmann::json& j) {
    try {
        decode_record(j);
    } catch (const StoreError& e) {
        return e.what();
    }
    return "";
}

// The Driver section docker-machine 0.16.2's virtualbox driver writes (config.json's own order).
const char* const k_docker_machine_virtualbox = R"({
    "IPAddress": "192.168.99.100",
    "MachineName": "default",
    "SSHUser": "docker",
    "SSHPort": 41009,
    "SSHKeyPath": "/home/u/.docker/machine/machines/default/id_rsa",
    "StorePath": "/home/u/.docker/machine",
    "SwarmMaster": false,
    "SwarmHost": "tcp://0.0.0.0:3376",
    "SwarmDiscovery": "",
    "VBoxManager": {},
    "HostInterfaces": {},
    "CPU": 1,
    "Memory": 1024,
    "DiskSize": 20000,
    "NatNicType": "82540EM",
    "Boot2DockerURL": "",
    "Boot2DockerImportVM": "",
    "HostDNSResolver": false,
    "HostOnlyCIDR": "192.168.99.1/24",
    "HostOnlyNicType": "82540EM",
    "HostOnlyPromiscMode": "deny",
    "UIType": "headless",
    "HostOnlyNoDHCP": false,
    "NoShare": false,
    "DNSProxy": true,
    "NoVTXCheck": false,
    "ShareFolder": ""
})";

TEST(DriverRecord, DecodesDockerMachinesCommonFields) {
    const auto j = nlohmann::json::parse(k_docker_machine_virtualbox);
    DriverRecord r = decode_record(j);
    EXPECT_EQ(r.ip, "192.168.99.100");
    EXPECT_EQ(r.machine_name, "default");
    EXPECT_EQ(r.ssh_user, "docker");
    EXPECT_EQ(r.ssh_port, 41009);
    EXPECT_EQ(r.ssh_key_path, "/home/u/.docker/machine/machines/default/id_rsa");
    EXPECT_EQ(r.store_path, "/home/u/.docker/machine");
    EXPECT_EQ(r.url, "");
    EXPECT_TRUE(r.has_ssh);
    EXPECT_EQ(r.own["HostOnlyCIDR"], "192.168.99.1/24");
    EXPECT_FALSE(r.own.contains("SSHPort")) << "a common field lives in the record only";
    EXPECT_EQ(encode_record(r), j) << "every field written back, the unknown ones too";
}

TEST(DriverRecord, NoneRecordsNoSshFields) {
    DriverRecord r;
    r.ip = "127.0.0.1";
    r.machine_name = "ext";
    r.store_path = "/store";
    r.url = "tcp://127.0.0.1:2376";
    EXPECT_EQ(keys(encode_record(r)),
              (std::set<std::string>{"IPAddress", "MachineName", "StorePath", "URL"}));
    r.url.clear();
    r.has_ssh = true;
    r.ssh_user = "docker";
    r.ssh_port = 22;
    r.ssh_key_path = "/store/machines/ext/id_ed25519";
    EXPECT_EQ(keys(encode_record(r)),
              (std::set<std::string>{"IPAddress", "MachineName", "StorePath", "SSHUser", "SSHPort",
                                     "SSHKeyPath"}));
}

TEST(DriverRecord, WrongTypeNamesTheField) {
    EXPECT_EQ(error_of({{"SSHPort", "22"}}),
              "field \"Driver.SSHPort\": expected a port number, got string");
    EXPECT_EQ(error_of({{"SSHPort", 70000}}),
              "field \"Driver.SSHPort\": expected a port number 0-65535, got 70000");
    EXPECT_EQ(error_of({{"IPAddress", 10}}),
              "field \"Driver.IPAddress\": expected a string, got number");
    EXPECT_EQ(error_of({{"SSHKeyPath", nullptr}}),
              "field \"Driver.SSHKeyPath\": expected a string, got null");
    EXPECT_EQ(error_of({{"URL", {{"x", 1}}}}),
              "field \"Driver.URL\": expected a string, got object");
    EXPECT_EQ(error_of(nlohmann::json::array()), "field \"Driver\": expected an object, got array");
    EXPECT_EQ(error_of(nlohmann::json::object()), "") << "absent fields are their defaults";
}

TEST(DriverRecord, OwnFieldsReadWithTheSamePolicy) {
    const nlohmann::json own = {{"Memory", "2048"}, {"CPU", 2}, {"NoShare", 1}, {"Big", 1e12}};
    long memory = 1024;
    EXPECT_THROW(read_own(own, "Memory", memory), StoreError);
    try {
        read_own(own, "Memory", memory);
    } catch (const StoreError& e) {
        EXPECT_STREQ(e.what(), "field \"Driver.Memory\": expected an integer, got string");
    }
    EXPECT_EQ(memory, 1024);
    long cpus = 1;
    read_own(own, "CPU", cpus);
    EXPECT_EQ(cpus, 2);
    bool no_share = false;
    EXPECT_THROW(read_own(own, "NoShare", no_share), StoreError);
    long big = 0;
    EXPECT_THROW(read_own(own, "Big", big), StoreError);
    std::string absent = "kept";
    read_own(own, "Absent", absent);
    EXPECT_EQ(absent, "kept");
}

TEST(DriverRecord, NoneDriverRoundTripsThroughConfigText) {
    DriverContext ctx{"ext", "/store/machines/ext", "/store", nullptr};
    none::NoneDriver d(ctx);
    d.configure(FlagValues(none::NoneDriver::create_flags(), {{"url", {"tcp://[fd00::5]:2376"}}}));
    const std::string text = encode_record(d.record()).dump(4);
    EXPECT_EQ(keys(nlohmann::json::parse(text)),
              (std::set<std::string>{"IPAddress", "MachineName", "StorePath", "URL"}))
        << "the names config.json had before the record";
    none::NoneDriver restored(ctx);
    restored.restore(decode_record(nlohmann::json::parse(text)));
    EXPECT_EQ(restored.ip(), "fd00::5");
    EXPECT_EQ(restored.url(), "tcp://[fd00::5]:2376");
    EXPECT_EQ(encode_record(restored.record()).dump(4), text);
}

} // namespace
} // namespace machine::drivers
