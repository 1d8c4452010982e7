#pragma once
// A clock for tests of waits and timeouts: now() starts at an arbitrary point and moves only
// when the code under test sleeps (or the test calls advance()). Every sleep is recorded, so a
// test asserts the backoff it expects, and a ten-minute timeout takes no real time.
#include "machine/support/wait.h"

#include <functional>
#include <vector>

namespace machine::testing {

class FakeClock final : public support::Clock {
public:
    time_point now() override { return m_now; }
    void sleep_for(std::chrono::milliseconds d) override {
        sleeps.push_back(d);
        m_now += d;
        if (on_sleep)
            on_sleep(d);
    }
    void advance(std::chrono::milliseconds d) { m_now += d; }
    std::chrono::milliseconds slept() const {
        std::chrono::milliseconds total{0};
        for (auto d : sleeps)
            total += d;
        return total;
    }

    std::vector<std::chrono::milliseconds> sleeps;
    std::function<void(std::chrono::milliseconds)> on_sleep; // e.g. change the world meanwhile

private:
    time_point m_now = time_point{} + std::chrono::hours(1000);
};

} // namespace machine::testing
