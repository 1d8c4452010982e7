// The built `machine` binary with `--driver virtualbox` against the VBoxManage simulator: parallel
// creates in one store get distinct host-only addresses, and a user's VM that carries a machine's
// name survives create and rm. Nothing boots: the simulator fails `startvm`, after the address
// was chosen and recorded and the VM made, so each create stops there with its record saved.
#include "../../machine/cli_fixture.h"
#include "drivers/virtualbox/parse.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <set>
#include <thread>

namespace machine::testing {
namespace {

using ::testing::HasSubstr;
namespace vb = drivers::virtualbox;

class VirtualBoxCli : public CliTest {
protected:
    void SetUp() override {
        CliTest::SetUp();
        fs::create_directories(tmp() / "images");
        m_image = tmp() / "images" / "mine.vdi";
        std::ofstream(m_image) << "vdi";
    }
    std::map<std::string, std::string> sim_env(const std::string& fail_once = "") const {
        const char* path = std::getenv("PATH");
        return {{"PATH", std::string(MACHINE_SOURCE_DIR) +
                             "/tests/vbox:" + fs::path(MACHINE_BINARY).parent_path().string() +
                             ":" + (path ? path : "/usr/bin:/bin")},
                {"VBOX_SIM_HOME", (tmp() / "sim").string()},
                {"VBOX_SIM_NETWORKS_CONF", (tmp() / "no-networks.conf").string()},
                {"VBOX_SIM_FAIL_ONCE", fail_once},
                {"VBOX_SIM_QEMU", ""}};
    }
    std::vector<std::string> create_args(const std::string& name) const {
        return {"create",
                "--driver",
                "virtualbox",
                "--virtualbox-no-vtx-check",
                "--virtualbox-no-share",
                "--virtualbox-image",
                m_image.string(),
                name};
    }
    // `machine args...` as CliTest::machine, with room for a loaded host: every simulated
    // VBoxManage call is a Python start, and parallel creates take turns at VirtualBox.
    support::ProcessResult run(std::vector<std::string> args,
                               const std::map<std::string, std::string>& extra) const {
        support::ProcessSpec spec{MACHINE_BINARY, std::move(args)};
        spec.env = env();
        for (const auto& [k, v] : extra)
            spec.env[k] = v;
        spec.timeout = std::chrono::minutes(10);
        support::SystemProcessRunner runner;
        return runner.run(spec);
    }
    support::ProcessResult vbox(std::vector<std::string> args) const {
        support::ProcessSpec spec{std::string(MACHINE_SOURCE_DIR) + "/tests/vbox/VBoxManage",
                                  std::move(args)};
        spec.env = sim_env();
        support::SystemProcessRunner runner;
        return runner.run(spec);
    }
    nlohmann::json driver_record(const std::string& name) const {
        std::ifstream in(store() / "machines" / name / "config.json");
        return nlohmann::json::parse(in)["Driver"];
    }
    fs::path m_image;
};

TEST_F(VirtualBoxCli, EightParallelCreatesGetEightDistinctAddressesAndRmRemovesTheirVms) {
    constexpr int n = 8;
    // Every create gets past the address, the record and createvm, then startvm fails.
    auto env = sim_env("startvm:E_ACCESSDENIED:" + std::to_string(n));
    std::vector<support::ProcessResult> results(n);
    std::vector<std::thread> threads;
    for (int i = 0; i < n; ++i)
        threads.emplace_back(
            [&, i] { results[i] = run(create_args("node" + std::to_string(i + 1)), env); });
    for (auto& t : threads)
        t.join();

    std::set<std::string> ips, uuids;
    for (int i = 0; i < n; ++i) {
        std::string name = "node" + std::to_string(i + 1);
        expect_error_line(results[i], 1, "startvm");
        auto d = driver_record(name);
        ips.insert(d["IPAddress"].get<std::string>());
        uuids.insert(d["UUID"].get<std::string>());
        EXPECT_THAT(d["IPAddress"].get<std::string>(), ::testing::StartsWith("192.168.56."));
    }
    EXPECT_EQ(ips.size(), static_cast<size_t>(n)) << "two creates chose the same address";
    std::set<std::string> registered;
    for (const auto& vm : vb::parse_vms(vbox({"list", "vms"}).out))
        registered.insert(vm.uuid);
    EXPECT_EQ(registered, uuids) << "each record names the VM its create made";

    std::vector<std::string> rm = {"rm", "-y"};
    for (int i = 0; i < n; ++i)
        rm.push_back("node" + std::to_string(i + 1));
    auto r = run(rm, sim_env());
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_TRUE(vb::parse_vms(vbox({"list", "vms"}).out).empty());
}

TEST_F(VirtualBoxCli, UsersVmWithTheMachinesNameSurvivesCreateAndRm) {
    auto made = vbox({"createvm", "--name", "web", "--register"});
    ASSERT_EQ(made.exit_code, 0) << made.err;
    std::string user = *vb::parse_created_vm_uuid(made.out);
    ASSERT_EQ(vbox({"startvm", user, "--type", "headless"}).exit_code, 0);
    auto before = vbox({"showvminfo", user, "--machinereadable"}).out;

    // create: one line, exit 2 (bad input, nothing changed), no store made.
    auto r = run(create_args("web"), sim_env());
    expect_one_error(r, 2, "VirtualBox already has a VM named \"web\" ({" + user + "})");
    EXPECT_FALSE(fs::exists(store() / "machines" / "web"));
    EXPECT_EQ(vbox({"showvminfo", user, "--machinereadable"}).out, before);

    // A machine made under another name, whose record is then pointed at "web" as a record
    // from before UUIDs would be: rm must not take the user's VM for it.
    auto env = sim_env("startvm:E_ACCESSDENIED:1");
    r = run(create_args("api"), env);
    expect_error_line(r, 1, "startvm");
    fs::rename(store() / "machines" / "api", store() / "machines" / "web");
    auto path = store() / "machines" / "web" / "config.json";
    auto j = nlohmann::json::parse(std::ifstream(path));
    std::string ours = j["Driver"]["UUID"];
    j["Name"] = "web";
    j["Driver"]["MachineName"] = "web";
    j["Driver"].erase("UUID");
    std::ofstream(path) << j.dump();
    ASSERT_EQ(vbox({"unregistervm", ours, "--delete"}).exit_code, 0);

    r = run({"rm", "-y", "web"}, sim_env());
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_THAT(r.out, HasSubstr("VirtualBox VM \"web\" {" + user + "} left as it is"));
    EXPECT_FALSE(fs::exists(store() / "machines" / "web"));
    auto vms = vb::parse_vms(vbox({"list", "vms"}).out);
    ASSERT_EQ(vms.size(), 1u);
    EXPECT_EQ(vms[0].uuid, user);
    EXPECT_EQ(vbox({"showvminfo", user, "--machinereadable"}).out, before);
}

} // namespace
} // namespace machine::testing
