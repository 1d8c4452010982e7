// The seed as the guest sees it: a real ISO written by xorriso (label, files), and the image's
// machine-seed script reading the user-data and network-config that seed.cpp renders.
#include "machine/support/fs.h"
#include "machine/support/process.h"
#include "provision/seed.h"

#include <gtest/gtest.h>

#include <unistd.h>

namespace pv = machine::provision;
namespace fs = std::filesystem;
using machine::support::ProcessSpec;

namespace {

struct TempDir {
    fs::path path;
    TempDir() {
        std::string t = (fs::temp_directory_path() / "seed-it-XXXXXX").string();
        path = ::mkdtemp(t.data());
    }
    ~TempDir() { fs::remove_all(path); }
};

pv::SeedConfig config() {
    pv::SeedConfig c;
    c.instance_id = "iid-it-1";
    c.hostname = "it-node";
    c.ssh_public_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAITest it@host";
    c.network_config = "version: 2\n"
                       "ethernets:\n"
                       "  lan0:\n"
                       "    match:\n"
                       "      macaddress: \"52:54:00:12:34:56\"\n"
                       "    addresses: [192.0.2.10/24]\n"
                       "    gateway4: 192.0.2.1\n"
                       "    nameservers:\n"
                       "      addresses: [192.0.2.53]\n";
    return c;
}

const fs::path k_script = fs::path(MACHINE_SOURCE_DIR) / "engine/image/recipe/machine-seed.sh";

std::string seed_function(machine::support::ProcessRunner& runner, const std::string& call) {
    auto r = runner.run({.program = "sh",
                         .args = {"-c", ". \"$0\"; " + call, k_script.string()},
                         .env = {{"MACHINE_SEED_FUNCTIONS_ONLY", "1"}}});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
}

} // namespace

TEST(SeedIso, HasTheCidataLabelAndTheFiles) {
    machine::support::SystemProcessRunner runner;
    if (!runner.available("xorriso"))
        GTEST_SKIP() << "xorriso not installed";
    TempDir dir;
    auto iso = dir.path / "seed.iso";
    pv::write_seed_iso(config(), iso, runner);

    auto pvd = runner.run({.program = "xorriso", .args = {"-indev", iso.string(), "-pvd_info"}});
    ASSERT_TRUE(pvd.ok()) << pvd.err;
    EXPECT_NE(pvd.out.find("Volume Id    : cidata"), std::string::npos) << pvd.out;

    auto out = dir.path / "out";
    auto x = runner.run({.program = "xorriso",
                         .args = {"-osirrox", "on", "-indev", iso.string(), "-extract", "/",
                                  out.string()}});
    ASSERT_TRUE(x.ok()) << x.err;
    EXPECT_EQ(machine::support::read_file(out / "meta-data"), pv::render_meta_data(config()));
    EXPECT_EQ(machine::support::read_file(out / "user-data"), pv::render_user_data(config()));
    EXPECT_EQ(machine::support::read_file(out / "network-config"), config().network_config);
}

TEST(SeedScript, ReadsTheUserAndKeyFromRenderedUserData) {
    machine::support::SystemProcessRunner runner;
    TempDir dir;
    auto c = config();
    c.user = "ops";
    c.ssh_public_key = "ssh-ed25519 AAAAC3Nza bob's laptop";
    machine::support::atomic_write(dir.path / "user-data", pv::render_user_data(c));
    machine::support::atomic_write(dir.path / "meta-data", pv::render_meta_data(c));
    auto ud = (dir.path / "user-data").string();
    auto md = (dir.path / "meta-data").string();

    EXPECT_EQ(seed_function(runner, "seed_values " + md + " " + ud),
              "iid iid-it-1\nhost it-node\nuhost it-node\nuser ops\n"
              "key ssh-ed25519 AAAAC3Nza bob's laptop\n");
    // Without user-data: the meta-data values only.
    EXPECT_EQ(seed_function(runner, "seed_values " + md), "iid iid-it-1\nhost it-node\n");
    // Hand-written seeds: double-quoted scalars with escapes, plain scalars, later users ignored.
    machine::support::atomic_write(dir.path / "user-data",
                                   "#cloud-config\nusers:\n  - name: ops\n"
                                   "    ssh_authorized_keys:\n      - \"ssh-ed25519 A \\\"q\\\" x\"\n"
                                   "      - ssh-ed25519 B\n  - name: other\n"
                                   "    ssh_authorized_keys:\n      - ssh-ed25519 C\n");
    EXPECT_EQ(seed_function(runner, "seed_values " + md + " " + ud),
              "iid iid-it-1\nhost it-node\nuser ops\nkey ssh-ed25519 A \"q\" x\n"
              "key ssh-ed25519 B\n");
}

TEST(SeedScript, TurnsNetworkConfigIntoNetworkd) {
    machine::support::SystemProcessRunner runner;
    TempDir dir;
    machine::support::atomic_write(dir.path / "network-config", config().network_config);
    seed_function(runner, "netdir=" + dir.path.string() + "; write_network " +
                              (dir.path / "network-config").string());
    auto file = machine::support::try_read_file(dir.path / "10-machine-seed-lan0.network");
    ASSERT_TRUE(file);
    EXPECT_NE(file->find("[Match]\nMACAddress=52:54:00:12:34:56\n"), std::string::npos) << *file;
    EXPECT_NE(file->find("Address=192.0.2.10/24\n"), std::string::npos) << *file;
    EXPECT_NE(file->find("Gateway=192.0.2.1\n"), std::string::npos) << *file;
    EXPECT_NE(file->find("DNS=192.0.2.53\n"), std::string::npos) << *file;
    EXPECT_EQ(file->find("DHCP="), std::string::npos) << *file;
}
