#include "machine/support/error.h"
#include "machine/support/wait.h"
#include "tests/fakes/fake_clock.h"

#include <gtest/gtest.h>

using namespace std::chrono_literals;
using machine::support::WaitOutcome;
using machine::support::WaitSpec;
using machine::support::wait_until;
using machine::testing::FakeClock;

namespace {

WaitSpec spec_for(FakeClock& clock, std::chrono::milliseconds timeout) {
    WaitSpec spec;
    spec.deadline = clock.now() + timeout;
    spec.timeout_message = [](const WaitOutcome& o) {
        return "never: " + std::to_string(o.attempts) + " tries in " +
               std::to_string(o.waited.count()) + " ms, last: " + o.last_reason;
    };
    return spec;
}

} // namespace

TEST(Wait, DoneAtTheFirstTryNeitherSleepsNorThrows) {
    FakeClock clock;
    auto outcome = wait_until(clock, spec_for(clock, 10s), [](auto, std::string&) { return true; });
    EXPECT_EQ(outcome.attempts, 1);
    EXPECT_TRUE(clock.sleeps.empty());
}

TEST(Wait, BacksOffDoublingUpToTheCapUntilDone) {
    FakeClock clock;
    int tries = 0;
    auto outcome = wait_until(clock, spec_for(clock, 60s), [&](auto, std::string& why) {
        why = "not yet";
        return ++tries == 7;
    });
    EXPECT_EQ(outcome.attempts, 7);
    std::vector<std::chrono::milliseconds> expected{250ms, 500ms, 1000ms, 2000ms, 2000ms, 2000ms};
    EXPECT_EQ(clock.sleeps, expected);
    EXPECT_EQ(outcome.waited, 7750ms);
}

TEST(Wait, TimesOutAtTheDeadlineExactlyWithTheLastReason) {
    FakeClock clock;
    int tries = 0;
    std::vector<std::chrono::milliseconds> lefts;
    try {
        wait_until(clock, spec_for(clock, 5s), [&](std::chrono::milliseconds left, std::string& why) {
            lefts.push_back(left);
            why = "refused #" + std::to_string(++tries);
            return false;
        });
        FAIL() << "no timeout";
    } catch (const machine::TimeoutError& e) {
        EXPECT_EQ(e.exit_code(), machine::k_exit_timeout);
        // 250 + 500 + 1000 + 2000 = 3750, then the last pause is cut to the 1250 ms left.
        EXPECT_EQ(std::string(e.what()), "never: 5 tries in 5000 ms, last: refused #5");
    }
    EXPECT_EQ(clock.slept(), 5000ms);
    ASSERT_EQ(lefts.size(), 5u);
    EXPECT_EQ(lefts.front(), 5000ms);
    EXPECT_EQ(lefts.back(), 1250ms);
}

TEST(Wait, ATryThatTakesTimeIsCountedAndNeverOvershoots) {
    FakeClock clock;
    try {
        wait_until(clock, spec_for(clock, 3s), [&](std::chrono::milliseconds left, std::string&) {
            clock.advance(std::min<std::chrono::milliseconds>(left, 2s)); // a slow connect
            return false;
        });
        FAIL() << "no timeout";
    } catch (const machine::TimeoutError& e) {
        EXPECT_NE(std::string(e.what()).find("in 3000 ms"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("last: no attempt was made"), std::string::npos)
            << "a try that gave no reason keeps the default";
    }
}

TEST(Wait, ADeadlineInThePastMakesNoTry) {
    FakeClock clock;
    int tries = 0;
    auto spec = spec_for(clock, 0ms);
    EXPECT_THROW(wait_until(clock, spec, [&](auto, std::string&) { return ++tries > 0; }),
                 machine::TimeoutError);
    EXPECT_EQ(tries, 0);
}

TEST(Wait, AnErrorFromATryEndsTheWaitAtOnce) {
    FakeClock clock;
    int tries = 0;
    EXPECT_THROW(wait_until(clock, spec_for(clock, 60s),
                            [&](auto, std::string&) -> bool {
                                if (++tries == 2)
                                    throw machine::UsageError("bad key");
                                return false;
                            }),
                 machine::UsageError);
    EXPECT_EQ(tries, 2);
    EXPECT_EQ(clock.slept(), 250ms);
}
