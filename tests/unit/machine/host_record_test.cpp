// The Host's driver record through the store: a docker-machine 0.16.2 config.json loads with the
// right fields, and Store::save(host, driver), the one place a driver's record is taken, keeps
// the fields no driver of ours writes.
#include "drivers/none/none_driver.h"
#include "machine/store.h"
#include "machine/support/error.h"
#include "machine/support/fs.h"
#include "temp_dir.h"

#include <gtest/gtest.h>

namespace machine {
namespace {

using machine::testing::TempDir;

fs::path fixture_store() {
    fs::path p =
        fs::path(MACHINE_SOURCE_DIR) / ".." / "shared" / "fixtures" / "docker-machine-0.16.2-store";
    return fs::exists(p) ? p : fs::path("/work/shared/fixtures/docker-machine-0.16.2-store");
}

TEST(HostRecord, DockerMachineNoneConfigLoads) {
    const fs::path file = fixture_store() / "machines" / "dm4" / "config.json";
    ASSERT_TRUE(fs::exists(file)) << file;
    Host h = host_from_config(support::read_file(file), file, "/home/student/.docker/machine");
    EXPECT_EQ(h.name, "dm4");
    EXPECT_EQ(h.driver_name, "none");
    EXPECT_EQ(h.ip(), "127.0.0.1:2377") << "docker-machine's none records host:port";
    EXPECT_EQ(h.driver.machine_name, "dm4");
    EXPECT_EQ(h.driver.ssh_port, 0) << "docker-machine's none: no SSH";
    EXPECT_EQ(h.driver.ssh_user, "");
    EXPECT_EQ(h.driver.ssh_key_path, "");
    EXPECT_EQ(h.driver.store_path, "/home/student/.docker/machine");
    EXPECT_EQ(h.url(), "tcp://127.0.0.1:2377") << "the recorded URL, not IP + TLS port";
    EXPECT_EQ(h.driver.own["SwarmHost"], "") << "fields machine does not know are kept";
    nlohmann::json again = h;
    EXPECT_EQ(again["Driver"], nlohmann::json::parse(support::read_file(file))["Driver"])
        << "written back with the fields and values docker-machine wrote";
}

TEST(HostRecord, AWrongTypeNamesTheFileAndTheField) {
    try {
        host_from_config(R"({"Name": "m1", "Driver": {"SSHPort": "22"}})", "/s/m1/config.json",
                         "/s");
        FAIL() << "a string port was accepted";
    } catch (const StoreError& e) {
        EXPECT_STREQ(e.what(), "/s/m1/config.json: field \"Driver.SSHPort\": expected a port "
                               "number, got string");
    }
}

TEST(HostRecord, SaveWithTheDriverKeepsFieldsNoDriverWrites) {
    TempDir dir;
    Store store(dir.path() / "store");
    auto lock = store.reserve("ext");
    Host h;
    h.name = "ext";
    h.driver_name = "none";
    h.driver = drivers::decode_record({{"IPAddress", "127.0.0.1"},
                                       {"URL", "tcp://127.0.0.1:2376"},
                                       {"SwarmMaster", false},
                                       {"Future", {{"x", 1}}}});
    store.save(h);

    Host loaded = store.load("ext");
    drivers::none::NoneDriver d({"ext", store.machine_dir("ext"), store.root(), nullptr});
    d.restore(loaded.driver);
    d.configure(drivers::FlagValues(drivers::none::NoneDriver::create_flags(),
                                    {{"url", {"tcp://10.0.0.9:2376"}}}));
    store.save(loaded, d);

    const auto j = nlohmann::json::parse(
        support::read_file(store.machine_dir("ext") / "config.json"))["Driver"];
    EXPECT_EQ(j["IPAddress"], "10.0.0.9") << "what the driver knows now";
    EXPECT_EQ(j["URL"], "tcp://10.0.0.9:2376");
    EXPECT_EQ(j["MachineName"], "ext");
    EXPECT_EQ(j["StorePath"], ".") << "paths relative to the store, as before";
    EXPECT_EQ(j["SwarmMaster"], false);
    EXPECT_EQ(j["Future"], (nlohmann::json{{"x", 1}}));
    EXPECT_FALSE(j.contains("SSHPort")) << "none records no SSH, as before";
    EXPECT_EQ(store.load("ext").url(), "tcp://10.0.0.9:2376");
}

} // namespace
} // namespace machine
