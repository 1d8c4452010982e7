// The cidata seed: rendered meta-data/user-data, validation, and what write_seed_iso asks xorriso.
#include "machine/support/error.h"
#include "machine/support/fs.h"
#include "provision/seed.h"
#include "tests/fakes/fake_runner.h"

#include <gtest/gtest.h>

#include <unistd.h>

namespace pv = machine::provision;
namespace fs = std::filesystem;
using machine::support::ProcessResult;
using machine::support::ProcessSpec;

namespace {

pv::SeedConfig config() {
    pv::SeedConfig c;
    c.instance_id = "iid-node1-42";
    c.hostname = "node1";
    c.ssh_public_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFake machine@host";
    return c;
}

// Acts like xorriso: remembers the staged seed files and writes the -output file.
struct FakeXorriso : machine::testing::FakeRunner {
    std::map<std::string, std::string> staged;
    FakeXorriso() {
        on({"xorriso"}, [this](const ProcessSpec& spec) {
            fs::path dir = spec.args.back();
            for (const auto& e : fs::directory_iterator(dir))
                staged[e.path().filename().string()] = machine::support::read_file(e.path());
            for (std::size_t i = 0; i + 1 < spec.args.size(); ++i)
                if (spec.args[i] == "-output")
                    machine::support::atomic_write(spec.args[i + 1], "ISO");
            return machine::testing::ok();
        });
    }
};

} // namespace

TEST(Seed, MetaData) {
    EXPECT_EQ(pv::render_meta_data(config()),
              "instance-id: 'iid-node1-42'\nlocal-hostname: 'node1'\n");
}

TEST(Seed, UserDataIsCloudConfigWithTheUserAndKey) {
    EXPECT_EQ(pv::render_user_data(config()),
              "#cloud-config\n"
              "hostname: 'node1'\n"
              "preserve_hostname: false\n"
              "users:\n"
              "  - name: 'docker'\n"
              "    groups: docker\n"
              "    shell: /bin/bash\n"
              "    sudo: 'ALL=(ALL) NOPASSWD:ALL'\n"
              "    lock_passwd: true\n"
              "    ssh_authorized_keys:\n"
              "      - 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFake machine@host'\n"
              "ssh_pwauth: false\n");
}

TEST(Seed, YamlQuoting) {
    EXPECT_EQ(pv::yaml_quote("it's"), "'it''s'");
    auto c = config();
    c.ssh_public_key = "ssh-ed25519 AAAA bob's key";
    EXPECT_NE(pv::render_user_data(c).find("- 'ssh-ed25519 AAAA bob''s key'"), std::string::npos);
}

TEST(Seed, RejectsBadInput) {
    auto bad = [](auto change) {
        auto c = config();
        change(c);
        EXPECT_THROW(pv::validate_seed(c), machine::UsageError);
    };
    EXPECT_NO_THROW(pv::validate_seed(config()));
    bad([](pv::SeedConfig& c) { c.hostname = "bad host"; });
    bad([](pv::SeedConfig& c) { c.hostname = "-x"; });
    bad([](pv::SeedConfig& c) { c.hostname = ""; });
    bad([](pv::SeedConfig& c) { c.user = "Root"; });
    bad([](pv::SeedConfig& c) { c.user = "a b"; });
    bad([](pv::SeedConfig& c) { c.ssh_public_key = "ssh-ed25519 AAAA\nssh-rsa BBBB"; });
    bad([](pv::SeedConfig& c) { c.ssh_public_key = "-----BEGIN OPENSSH PRIVATE KEY-----"; });
    bad([](pv::SeedConfig& c) { c.instance_id = "a\nb"; });
    bad([](pv::SeedConfig& c) { c.network_config = "network:\n  ethernets: {}\n"; });
}

TEST(Seed, WritesTheIsoWithXorrisoLabelledCidata) {
    std::string t = (fs::temp_directory_path() / "seed-test-XXXXXX").string();
    fs::path dir = ::mkdtemp(t.data());
    FakeXorriso runner;
    auto c = config();
    c.network_config = "version: 2\nethernets:\n  eth0:\n    dhcp4: true";
    pv::write_seed_iso(c, dir / "seed.iso", runner);

    ASSERT_EQ(runner.ran.size(), 1u);
    const auto& args = runner.ran[0].args;
    EXPECT_EQ(runner.ran[0].program, "xorriso");
    auto volid = std::find(args.begin(), args.end(), "-volid");
    ASSERT_NE(volid, args.end());
    EXPECT_EQ(*(volid + 1), "cidata");
    EXPECT_EQ(runner.staged["meta-data"], pv::render_meta_data(c));
    EXPECT_EQ(runner.staged["user-data"], pv::render_user_data(c));
    EXPECT_EQ(runner.staged["network-config"], c.network_config + "\n");
    EXPECT_EQ(machine::support::read_file(dir / "seed.iso"), "ISO");
    // Only the ISO is left: the staging folder is gone.
    int entries = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir))
        ++entries;
    EXPECT_EQ(entries, 1);
    fs::remove_all(dir);
}

TEST(Seed, NoXorrisoIsUnavailable) {
    FakeXorriso runner;
    runner.missing.insert("xorriso");
    EXPECT_THROW(pv::write_seed_iso(config(), "/tmp/never.iso", runner), machine::Unavailable);
    EXPECT_TRUE(runner.ran.empty());
}
