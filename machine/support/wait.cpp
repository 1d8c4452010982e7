#include "machine/support/wait.h"

#include "machine/support/error.h"

#include <algorithm>
#include <thread>

namespace machine::support {

namespace {

class RealClock final : public Clock {
public:
    time_point now() override { return std::chrono::steady_clock::now(); }
    void sleep_for(std::chrono::milliseconds d) override {
        if (d > std::chrono::milliseconds(0))
            std::this_thread::sleep_for(d);
    }
};

} // namespace

Clock& steady_clock() {
    static RealClock clock;
    return clock;
}

std::chrono::milliseconds time_left(Clock& clock, Clock::time_point deadline) {
    // Rounded up: a wait that gives up at "0 ms left" while 0.8 ms remain ends before its
    // deadline (a 300 ms lock wait ended after 299.8 ms).
    auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - clock.now());
    return std::max(left, std::chrono::milliseconds(0));
}

bool poll_until(Clock& clock, const WaitSpec& spec, const WaitAttempt& attempt,
                WaitOutcome* seen) {
    using std::chrono::milliseconds;
    const auto start = clock.now();
    WaitOutcome local;
    WaitOutcome& outcome = seen ? *seen : local;
    outcome = WaitOutcome{};
    auto delay = std::max(spec.first_delay, milliseconds(1));
    for (;;) {
        auto left = time_left(clock, spec.deadline);
        if (left <= milliseconds(0))
            break;
        ++outcome.attempts;
        std::string reason;
        bool done = attempt(left, reason);
        outcome.waited = std::chrono::duration_cast<milliseconds>(clock.now() - start);
        if (done)
            return true;
        if (!reason.empty())
            outcome.last_reason = std::move(reason);
        left = time_left(clock, spec.deadline);
        if (left <= milliseconds(0))
            break;
        clock.sleep_for(std::min(delay, left));
        delay = std::min(delay * 2, std::max(spec.max_delay, spec.first_delay));
    }
    outcome.waited = std::chrono::duration_cast<milliseconds>(clock.now() - start);
    return false;
}

WaitOutcome wait_until(Clock& clock, const WaitSpec& spec, const WaitAttempt& attempt) {
    WaitOutcome outcome;
    if (poll_until(clock, spec, attempt, &outcome))
        return outcome;
    throw TimeoutError(spec.timeout_message ? spec.timeout_message(outcome)
                                            : "gave up waiting: " + outcome.last_reason);
}

} // namespace machine::support
