#include "machine/progress.h"

#include <fmt/format.h>
#include <fmt/ostream.h>

namespace machine {

Progress::~Progress() {
    if (!m_current.empty())
        finish(false);
}

void Progress::step(const std::string& name) {
    if (!m_current.empty())
        finish();
    auto now = std::chrono::steady_clock::now();
    if (m_index == 0)
        m_first = now;
    ++m_index;
    m_current = name;
    m_started = now;
    if (m_total > 0)
        fmt::print(m_out, "({}/{}) {} ... ", m_index, m_total, name);
    else
        fmt::print(m_out, "{} ... ", name);
    m_out.flush();
}

void Progress::finish(bool ok) {
    if (m_current.empty())
        return;
    double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - m_started).count();
    if (ok)
        fmt::print(m_out, "{:.1f}s\n", secs);
    else
        fmt::print(m_out, "failed after {:.1f}s\n", secs);
    m_out.flush();
    m_timings.emplace_back(m_current, secs);
    m_current.clear();
}

double Progress::total_seconds() const {
    if (m_index == 0)
        return 0;
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - m_first).count();
}

} // namespace machine
