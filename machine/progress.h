#pragma once
// Names each pipeline step as it starts and prints its elapsed time when it ends:
//   (3/9) Booting the VM ... 24.1s
#include <chrono>
#include <ostream>
#include <string>
#include <vector>

namespace machine {

class Progress {
public:
    explicit Progress(std::ostream& out, int total_steps = 0) : m_out(out), m_total(total_steps) {}
    ~Progress();
    // Ends the running step (printing its time) and starts `name`.
    void step(const std::string& name);
    // Ends the running step; `ok` false marks it failed.
    void finish(bool ok = true);
    // Name and seconds of every finished step, for timings in notes and --debug.
    const std::vector<std::pair<std::string, double>>& timings() const { return m_timings; }
    double total_seconds() const;
    // The running step's name; "" between steps.
    const std::string& current() const { return m_current; }

private:
    std::ostream& m_out;
    int m_total;
    int m_index = 0;
    std::string m_current;
    std::chrono::steady_clock::time_point m_started{};
    std::chrono::steady_clock::time_point m_first{};
    std::vector<std::pair<std::string, double>> m_timings;
};

} // namespace machine
