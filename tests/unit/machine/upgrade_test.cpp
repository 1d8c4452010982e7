// upgrade_engine against a fake guest shell that answers like Debian's apt would: offline
// (nothing changes, the error says why), nothing newer, and a newer docker.io.
#include "machine/upgrade.h"

#include "machine/support/error.h"

#include <gtest/gtest.h>

#include <map>
#include <vector>

namespace machine {
namespace {

std::string policy(const std::string& installed, const std::string& candidate) {
    return "docker.io:\n  Installed: " + installed + "\n  Candidate: " + candidate +
           "\n  Version table:\n *** " + installed + " 100\n";
}

// Records every command; answers by the command's first words.
class FakeGuest : public provision::RemoteShell {
public:
    std::vector<std::string> ran;
    std::string update_out = "Hit:1 http://deb.debian.org/debian bookworm InRelease\n";
    int update_code = 0;
    std::vector<std::string> policies; // successive answers of apt-cache policy
    int install_code = 0;

    provision::ExecResult exec(const std::string& command, const std::optional<std::string>&,
                               std::chrono::milliseconds) override {
        ran.push_back(command);
        if (command.rfind("apt-cache policy", 0) == 0) {
            std::string p = policies.size() > 1 ? policies.front() : policies.back();
            if (policies.size() > 1)
                policies.erase(policies.begin());
            return {0, p, ""};
        }
        if (command.find("apt-get update") != std::string::npos)
            return {update_code, update_out, ""};
        if (command.find("apt-get install") != std::string::npos)
            return {install_code, "Setting up docker.io ...\n", ""};
        return {127, "", "unknown command"};
    }
    void upload(const std::string&, const std::string&, int) override {}
};

struct Harness {
    FakeGuest guest;
    std::vector<std::string> versions{"20.10.24+dfsg1"};
    int waited = 0;
    UpgradeServices services{guest,
                             [this] {
                                 std::string v = versions.front();
                                 if (versions.size() > 1)
                                     versions.erase(versions.begin());
                                 return v;
                             },
                             [this] { ++waited; }};
    bool installed() const {
        for (const auto& c : guest.ran)
            if (c.find("apt-get install") != std::string::npos)
                return true;
        return false;
    }
};

TEST(Upgrade, OfflineGuestChangesNothingAndSaysWhy) {
    Harness h;
    h.guest.policies = {policy("20.10.24+dfsg1-1", "20.10.24+dfsg1-1")};
    h.guest.update_out =
        "Err:1 http://deb.debian.org/debian bookworm InRelease\n"
        "  Temporary failure resolving 'deb.debian.org'\n"
        "W: Failed to fetch http://deb.debian.org/debian/dists/bookworm/InRelease\n"
        "W: Some index files failed to download.\n";
    try {
        upgrade_engine("m1", h.services);
        FAIL() << "an offline upgrade must not succeed";
    } catch (const Error& e) {
        std::string what = e.what();
        EXPECT_NE(what.find("cannot upgrade \"m1\""), std::string::npos) << what;
        EXPECT_NE(what.find("docker.io 20.10.24+dfsg1-1"), std::string::npos) << what;
        EXPECT_NE(what.find("reaches no package source"), std::string::npos) << what;
        EXPECT_NE(what.find("Err:1 http://deb.debian.org"), std::string::npos) << what;
        EXPECT_NE(what.find("nothing was changed"), std::string::npos) << what;
    }
    EXPECT_FALSE(h.installed());
    EXPECT_EQ(h.waited, 0);
}

TEST(Upgrade, NothingNewerIsSuccessWithoutInstalling) {
    Harness h;
    h.guest.policies = {policy("20.10.24+dfsg1-1", "20.10.24+dfsg1-1")};
    auto out = upgrade_engine("m1", h.services);
    EXPECT_FALSE(out.changed);
    EXPECT_EQ(out.package_before, "20.10.24+dfsg1-1");
    EXPECT_EQ(out.package_after, "20.10.24+dfsg1-1");
    EXPECT_FALSE(h.installed());
}

TEST(Upgrade, NewerCandidateIsInstalledAndTheEngineAskedAgain) {
    Harness h;
    h.guest.policies = {policy("20.10.24+dfsg1-1", "20.10.24+dfsg1-1"),
                        policy("20.10.24+dfsg1-1", "26.1.5+dfsg1-4"),
                        policy("26.1.5+dfsg1-4", "26.1.5+dfsg1-4")};
    h.versions = {"20.10.24+dfsg1", "26.1.5+dfsg1"};
    auto out = upgrade_engine("m1", h.services);
    EXPECT_TRUE(out.changed);
    EXPECT_EQ(out.package_before, "20.10.24+dfsg1-1");
    EXPECT_EQ(out.package_after, "26.1.5+dfsg1-4");
    EXPECT_EQ(out.engine_before, "20.10.24+dfsg1");
    EXPECT_EQ(out.engine_after, "26.1.5+dfsg1");
    EXPECT_TRUE(h.installed());
    EXPECT_EQ(h.waited, 1);
}

TEST(Upgrade, AnEngineNotFromDebianPackagesIsRefused) {
    Harness h;
    h.guest.policies = {policy("(none)", "20.10.24+dfsg1-1")};
    EXPECT_THROW(upgrade_engine("m1", h.services), Error);
    EXPECT_FALSE(h.installed());
}

TEST(Upgrade, ParsesAptPolicy) {
    auto p = parse_apt_policy(policy("(none)", "1.2-3"));
    ASSERT_TRUE(p);
    EXPECT_FALSE(p->installed);
    EXPECT_EQ(p->candidate, "1.2-3");
    EXPECT_FALSE(parse_apt_policy("N: Unable to locate package docker.io\n"));
}

} // namespace
} // namespace machine
