#pragma once
// One way to wait (issue 11): try something until it holds or a deadline passes, with a capped
// exponential backoff between tries, each try told how much time is left so the whole wait never
// overshoots its deadline, on an injected clock so tests of timeouts never sleep.
// Nothing else in the tree sleeps: `grep -rn sleep_for --include=*.cpp` finds wait.cpp only.
#include <chrono>
#include <functional>
#include <string>

namespace machine::support {

// The time and the way to let it pass. SteadyClock is the real one; tests use FakeClock
// (tests/fakes/fake_clock.h), whose sleep_for only moves its now() forward.
class Clock {
public:
    using time_point = std::chrono::steady_clock::time_point;
    virtual ~Clock() = default;
    virtual time_point now() = 0;
    virtual void sleep_for(std::chrono::milliseconds d) = 0;
};

// std::chrono::steady_clock and std::this_thread::sleep_for; one per process.
Clock& steady_clock();

// What a wait saw by its end: how many tries, for how long, and the last reason a try gave for
// not being done yet ("no attempt was made" when the deadline had passed before the first).
struct WaitOutcome {
    int attempts = 0;
    std::chrono::milliseconds waited{0};
    std::string last_reason = "no attempt was made";
};

struct WaitSpec {
    std::chrono::steady_clock::time_point deadline;
    std::chrono::milliseconds first_delay{250}; // pause after the first failed try
    std::chrono::milliseconds max_delay{2000};  // the pause doubles up to this
    // The TimeoutError's message, from what the wait saw. Required.
    std::function<std::string(const WaitOutcome&)> timeout_message;
};

// One try: `left` is the time until the deadline (> 0; a try that blocks should not block
// longer). Returns true when done; otherwise sets `reason` to what it saw. A try may throw to
// end the wait at once (an error that waiting cannot fix).
using WaitAttempt = std::function<bool(std::chrono::milliseconds left, std::string& reason)>;

// Tries until done (returns the outcome) or until the deadline, then throws TimeoutError with
// spec.timeout_message(outcome). At least one try is made when the deadline is in the future.
WaitOutcome wait_until(Clock& clock, const WaitSpec& spec, const WaitAttempt& attempt);

// The same wait for callers to whom the deadline is not an error (a shutdown that falls back to
// a power-off): true when done, false at the deadline; `outcome` (if given) says what it saw.
// spec.timeout_message is not used.
bool poll_until(Clock& clock, const WaitSpec& spec, const WaitAttempt& attempt,
                WaitOutcome* outcome = nullptr);

// The time left until `deadline` in whole milliseconds, rounded up, never negative.
std::chrono::milliseconds time_left(Clock& clock, Clock::time_point deadline);

} // namespace machine::support
