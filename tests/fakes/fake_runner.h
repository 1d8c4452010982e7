#pragma once
// The one fake ProcessRunner: answers from a script keyed by argument-vector prefix
// ({program, args...}; the longest matching prefix answers) and records every command it was
// given, so a test asserts what ran (ninja's FakeCommandRunner::commands_ran_) and what the code
// made of each answer (docker-machine's VBoxManagerMock tables). Unscripted commands succeed
// with no output unless `fallback` says otherwise.
#include "machine/support/process.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace machine::testing {

using Argv = std::vector<std::string>;

inline support::ProcessResult ok(std::string out = "") {
    support::ProcessResult r;
    r.exit_code = 0;
    r.out = std::move(out);
    return r;
}

inline support::ProcessResult fail(std::string err, int code = 1) {
    support::ProcessResult r;
    r.exit_code = code;
    r.err = std::move(err);
    return r;
}

class FakeRunner : public support::ProcessRunner {
public:
    using Answer = std::function<support::ProcessResult(const support::ProcessSpec&)>;

    // Commands starting with `prefix` ({program, args...}) get `results` in turn; the last one
    // repeats. A later rule with the same prefix replaces an earlier one.
    void on(const Argv& prefix, std::vector<support::ProcessResult> results) {
        std::deque<support::ProcessResult> q(results.begin(), results.end());
        rule(prefix).queue = std::move(q);
    }
    // Commands starting with `prefix` are answered by `answer` (which may act like the program:
    // write its output file, read its input).
    void on(const Argv& prefix, Answer answer) { rule(prefix).answer = std::move(answer); }

    support::ProcessResult run(const support::ProcessSpec& spec) override {
        int now = ++m_in_flight;
        if (now > max_in_flight)
            max_in_flight = now;
        support::ProcessResult r;
        {
            std::lock_guard<std::mutex> g(m_mutex);
            if (delay_ms > 0) // time each run() takes, to expose overlapping calls
                std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
            ran.push_back(spec);
            r = answer(spec);
        }
        --m_in_flight;
        return r;
    }
    int run_attached(const support::ProcessSpec& spec) override { return run(spec).exit_code; }
    bool available(const std::string& program) override { return !missing.count(program); }

    // Every command line, as {program, args...}.
    std::vector<Argv> commands() const {
        std::vector<Argv> out;
        for (const auto& s : ran)
            out.push_back(argv(s));
        return out;
    }
    // The argument vectors `program` was run with.
    std::vector<Argv> args_of(const std::string& program) const {
        std::vector<Argv> out;
        for (const auto& s : ran)
            if (s.program == program)
                out.push_back(s.args);
        return out;
    }
    // How many commands started with `prefix`.
    int count(const Argv& prefix) const {
        return int(std::count_if(ran.begin(), ran.end(),
                                 [&](const auto& s) { return starts_with(argv(s), prefix); }));
    }
    void clear() { ran.clear(); }

    std::vector<support::ProcessSpec> ran;     // every command, in order
    std::set<std::string> missing;             // programs available() denies
    support::ProcessResult fallback = ok();    // the answer to an unscripted command
    int delay_ms = 0;
    std::atomic<int> max_in_flight{0};         // most run() calls seen at once

private:
    struct Rule {
        Argv prefix;
        std::deque<support::ProcessResult> queue;
        Answer answer;
    };
    static Argv argv(const support::ProcessSpec& s) {
        Argv a{s.program};
        a.insert(a.end(), s.args.begin(), s.args.end());
        return a;
    }
    static bool starts_with(const Argv& a, const Argv& prefix) {
        return a.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), a.begin());
    }
    Rule& rule(const Argv& prefix) {
        for (auto& r : m_rules)
            if (r.prefix == prefix)
                return r = Rule{prefix, {}, {}};
        return m_rules.emplace_back(Rule{prefix, {}, {}});
    }
    support::ProcessResult answer(const support::ProcessSpec& spec) {
        Argv a = argv(spec);
        Rule* best = nullptr;
        for (auto& r : m_rules)
            if (starts_with(a, r.prefix) && (!best || r.prefix.size() > best->prefix.size()))
                best = &r;
        if (!best)
            return fallback;
        if (best->answer)
            return best->answer(spec);
        if (best->queue.empty())
            return fallback;
        auto r = best->queue.front();
        if (best->queue.size() > 1)
            best->queue.pop_front();
        return r;
    }

    std::mutex m_mutex;
    std::atomic<int> m_in_flight{0};
    std::vector<Rule> m_rules;
};

} // namespace machine::testing
