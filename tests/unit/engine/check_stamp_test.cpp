// The record of a passed certificate check that lets `machine env` skip OpenSSL: it must match
// only the very files, IP and time it was written for.
#include "engine/check_stamp.h"

#include "machine/support/fs.h"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <cstdlib>
#include <thread>

namespace machine::engine {
namespace {

using namespace std::chrono_literals;
using SysClock = std::chrono::system_clock;

class CheckStamp : public ::testing::Test {
protected:
    void SetUp() override {
        std::string pattern = (fs::temp_directory_path() / "machine-stamp-XXXXXX").string();
        ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
        dir = pattern;
        support::atomic_write(dir / "ca.pem", "ca\n");
        support::atomic_write(dir / "cert.pem", "cert\n");
        checked = {{dir / "ca.pem", dir / "cert.pem"}, "192.0.2.7"};
        stamp = dir / ".env-checked.json";
        write_check_stamp(stamp, snapshot(checked), now - 1h, now + 1h);
    }
    void TearDown() override {
        std::error_code ec;
        fs::remove_all(dir, ec);
    }

    fs::path dir;
    fs::path stamp;
    CheckedFiles checked;
    SysClock::time_point now = SysClock::now();
};

TEST_F(CheckStamp, MatchesTheSameUnchangedFilesAndIp) {
    EXPECT_TRUE(check_stamp_matches(stamp, checked, now));
    EXPECT_TRUE(check_stamp_matches(stamp, checked, now + 59min));
}

TEST_F(CheckStamp, ExpiresAtTheEarliestNotAfter) {
    EXPECT_FALSE(check_stamp_matches(stamp, checked, now + 1h + 1s));
}

TEST_F(CheckStamp, BeforeTheLatestNotBeforeIsAFullCheck) {
    // A clock set back (snapshot restore, a bad RTC): the full check would refuse.
    EXPECT_FALSE(check_stamp_matches(stamp, checked, now - 1h - 1s));
}

TEST_F(CheckStamp, AFileReplacedWhileItWasCheckedDoesNotMatch) {
    auto before = snapshot(checked); // taken before the check read the files
    std::this_thread::sleep_for(10ms);
    support::atomic_write(dir / "cert.pem", "another cert\n"); // replaced during the check
    write_check_stamp(stamp, before, now - 1h, now + 1h);
    EXPECT_FALSE(check_stamp_matches(stamp, checked, now));
}

TEST_F(CheckStamp, AnotherIpIsAFullCheck) {
    checked.ip = "192.0.2.8";
    EXPECT_FALSE(check_stamp_matches(stamp, checked, now));
}

TEST_F(CheckStamp, ARewrittenFileIsAFullCheckEvenWithTheSameContent) {
    std::this_thread::sleep_for(10ms); // a new mtime/ctime even on coarse clocks
    support::atomic_write(dir / "cert.pem", "cert\n");
    EXPECT_FALSE(check_stamp_matches(stamp, checked, now));
}

TEST_F(CheckStamp, APermissionChangeIsAFullCheck) {
    std::this_thread::sleep_for(10ms);
    ASSERT_EQ(::chmod((dir / "ca.pem").c_str(), 0600), 0); // changes ctime only
    EXPECT_FALSE(check_stamp_matches(stamp, checked, now));
}

TEST_F(CheckStamp, ARemovedFileIsAFullCheck) {
    fs::remove(dir / "cert.pem");
    EXPECT_FALSE(check_stamp_matches(stamp, checked, now));
}

TEST_F(CheckStamp, AnotherSetOfFilesIsAFullCheck) {
    support::atomic_write(dir / "server.pem", "server\n");
    checked.files.push_back(dir / "server.pem");
    EXPECT_FALSE(check_stamp_matches(stamp, checked, now));
}

TEST_F(CheckStamp, MissingOrDamagedStampIsAFullCheck) {
    EXPECT_FALSE(check_stamp_matches(dir / "absent.json", checked, now));
    support::atomic_write(stamp, "{not json");
    EXPECT_FALSE(check_stamp_matches(stamp, checked, now));
    support::atomic_write(stamp, "{\"valid_until\": \"tomorrow\"}");
    EXPECT_FALSE(check_stamp_matches(stamp, checked, now));
    // A record of an older format (version 1 had no valid_from) is not trusted.
    auto old = snapshot(checked).identity;
    old["version"] = 1;
    old["valid_until"] = 4102444800; // 2100
    support::atomic_write(stamp, old.dump());
    EXPECT_FALSE(check_stamp_matches(stamp, checked, now));
}

TEST_F(CheckStamp, AnUnwritableFolderIsNotAnError) {
    EXPECT_NO_THROW(
        write_check_stamp(dir / "no-such-folder" / "stamp.json", snapshot(checked), now, now + 1h));
}

} // namespace
} // namespace machine::engine
