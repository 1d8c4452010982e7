#pragma once
// A recording ProcessRunner: keeps every command line it was given and answers from a table
// (exact argument vector -> queue of results; the last result repeats), else exit 0 and no
// output. Like docker-machine's VBoxManagerMock tables, but it records what ran.
#include "machine/support/process.h"

#include <atomic>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace machine::drivers::virtualbox::testing {

using Args = std::vector<std::string>;

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
    // Answers `program args...` with `results` in turn; the last one repeats.
    void on(const Args& args, std::vector<support::ProcessResult> results,
            const std::string& program = "VBoxManage") {
        auto& q = m_table[key(program, args)];
        q.assign(results.begin(), results.end());
    }

    support::ProcessResult run(const support::ProcessSpec& spec) override {
        int now = ++m_in_flight;
        if (now > m_max_in_flight)
            m_max_in_flight = now;
        std::lock_guard<std::mutex> g(m_mutex);
        if (m_delay_ms > 0)
            std::this_thread::sleep_for(std::chrono::milliseconds(m_delay_ms));
        m_specs.push_back(spec);
        // qemu-img convert writes its output file; the fake does too, so rename() works.
        if (spec.program == "qemu-img" && spec.args.size() == 5)
            std::ofstream(spec.args[4]) << "vdi";
        support::ProcessResult r = ok();
        auto it = m_table.find(key(spec.program, spec.args));
        if (it != m_table.end() && !it->second.empty()) {
            r = it->second.front();
            if (it->second.size() > 1)
                it->second.pop_front();
        }
        --m_in_flight;
        return r;
    }
    int run_attached(const support::ProcessSpec& spec) override { return run(spec).exit_code; }
    bool available(const std::string& program) override {
        return !(program == "VBoxManage" && m_no_vboxmanage);
    }

    // Every command line, as {program, args...}.
    std::vector<Args> commands() const {
        std::vector<Args> out;
        for (const auto& s : m_specs) {
            Args a{s.program};
            a.insert(a.end(), s.args.begin(), s.args.end());
            out.push_back(a);
        }
        return out;
    }
    // Only VBoxManage's argument vectors.
    std::vector<Args> vbox() const {
        std::vector<Args> out;
        for (const auto& s : m_specs)
            if (s.program == "VBoxManage")
                out.push_back(s.args);
        return out;
    }
    void clear() { m_specs.clear(); }

    bool m_no_vboxmanage = false;
    int m_delay_ms = 0; // time each run() takes, to expose overlapping calls
    std::atomic<int> m_in_flight{0};
    std::atomic<int> m_max_in_flight{0};

private:
    static std::string key(const std::string& program, const Args& args) {
        std::string k = program;
        for (const auto& a : args)
            k += '\x1f' + a;
        return k;
    }
    std::mutex m_mutex;
    std::vector<support::ProcessSpec> m_specs;
    std::map<std::string, std::deque<support::ProcessResult>> m_table;
};

} // namespace machine::drivers::virtualbox::testing
