// wait_for_ssh over a fake backend and a fake clock: a booting machine is retried with backoff,
// a changed host key is not, and a machine that never answers times out at the deadline with the
// last error and the console tail, said once.
#include "provision/ssh_client.h"
#include "tests/fakes/fake_clock.h"
#include "tests/fakes/fake_ssh.h"

#include <gtest/gtest.h>

using namespace std::chrono_literals;
using machine::testing::FakeClock;
using machine::testing::FakeSshBackend;
using machine::provision::SshTarget;
using machine::provision::wait_for_ssh;

namespace {

SshTarget target() { return {"192.168.42.7", 22, "docker", "/store/machines/m/id_ed25519", "/store/kh"}; }

} // namespace

TEST(WaitForSsh, RetriesABootingMachineUntilItsSshdAnswers) {
    FakeClock clock;
    FakeSshBackend ssh;
    ssh.guests["192.168.42.7"];
    ssh.refusals["192.168.42.7"] = 4;
    auto session = wait_for_ssh(ssh, target(), clock.now() + 5min, {}, clock);
    ASSERT_NE(session, nullptr);
    EXPECT_EQ(session->exec("hostname", std::nullopt, 1s).exit_code, 0);
    EXPECT_EQ(ssh.connects.size(), 5u);
    EXPECT_EQ(ssh.connects.front().second, 10s) << "each try bounded at 10 s";
    EXPECT_EQ(clock.sleeps, (std::vector<std::chrono::milliseconds>{250ms, 500ms, 1s, 2s}));
}

TEST(WaitForSsh, AChangedHostKeyIsNeverRetried) {
    FakeClock clock;
    FakeSshBackend ssh;
    ssh.guests["192.168.42.7"];
    ssh.host_key_changed["192.168.42.7"] = true;
    EXPECT_THROW(wait_for_ssh(ssh, target(), clock.now() + 5min, {}, clock),
                 machine::provision::HostKeyMismatch);
    EXPECT_EQ(ssh.connects.size(), 1u);
    EXPECT_TRUE(clock.sleeps.empty());
}

TEST(WaitForSsh, AMachineThatNeverAnswersTimesOutWithTheLastErrorAndTheConsoleOnce) {
    FakeClock clock;
    FakeSshBackend ssh; // no guest: no route to host
    ssh.on_connect = [&](std::chrono::milliseconds t) { clock.advance(std::min(t, 3000ms)); };
    auto start = clock.now();
    try {
        wait_for_ssh(ssh, target(), start + 2min,
                     [] { return "last lines of the serial console:\nLogin timed out\n\n"; }, clock);
        FAIL() << "no timeout";
    } catch (const machine::TimeoutError& e) {
        std::string what = e.what();
        EXPECT_NE(what.find("SSH on 192.168.42.7:22 did not accept the machine's key within 120 s"),
                  std::string::npos) << what;
        EXPECT_NE(what.find("last error: 192.168.42.7: no route to host)"), std::string::npos) << what;
        EXPECT_NE(what.find(")\nlast lines of the serial console:\nLogin timed out"), std::string::npos)
            << what;
        auto first = what.find("serial console");
        EXPECT_EQ(what.find("serial console", first + 1), std::string::npos) << "said twice: " << what;
        EXPECT_EQ(what.back(), 't') << "trailing newlines trimmed";
    }
    EXPECT_EQ(clock.now(), start + 2min);
}

TEST(WaitForSsh, AMissingKeyFailsAtOnceWithoutTrying) {
    FakeClock clock;
    FakeSshBackend ssh;
    auto t = target();
    t.key_path.clear();
    EXPECT_THROW(wait_for_ssh(ssh, t, clock.now() + 5min, {}, clock), machine::NotFound);
    EXPECT_TRUE(ssh.connects.empty());
}
