#include "drivers/driver.h"

#include "machine/support/error.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

namespace machine::drivers {

std::string to_string(State s) {
    switch (s) {
    case State::None: return "";
    case State::Running: return "Running";
    case State::Paused: return "Paused";
    case State::Saved: return "Saved";
    case State::Stopped: return "Stopped";
    case State::Stopping: return "Stopping";
    case State::Starting: return "Starting";
    case State::Error: return "Error";
    }
    return "";
}

FlagValues::FlagValues(std::vector<FlagSpec> specs,
                       std::map<std::string, std::vector<std::string>> given)
    : m_specs(std::move(specs)), m_given(std::move(given)) {}

const FlagSpec* FlagValues::spec(const std::string& name) const {
    auto it = std::find_if(m_specs.begin(), m_specs.end(),
                           [&](const FlagSpec& s) { return s.name == name; });
    return it == m_specs.end() ? nullptr : &*it;
}

bool FlagValues::is_set(const std::string& name) const {
    auto it = m_given.find(name);
    return it != m_given.end() && !it->second.empty();
}

std::string FlagValues::get(const std::string& name) const {
    if (is_set(name))
        return m_given.at(name).back();
    const FlagSpec* s = spec(name);
    return s ? s->default_value : std::string{};
}

std::vector<std::string> FlagValues::get_all(const std::string& name) const {
    if (is_set(name))
        return m_given.at(name);
    return {};
}

bool FlagValues::get_bool(const std::string& name) const {
    std::string v = get(name);
    return v == "true" || v == "1" || v == "yes";
}

long FlagValues::get_int(const std::string& name, long min, long max) const {
    std::string v = get(name);
    long out = 0;
    auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
    if (v.empty() || ec != std::errc{} || ptr != v.data() + v.size())
        throw UsageError(fmt::format("--{}: \"{}\" is not a whole number", name, v));
    if (out < min || out > max)
        throw UsageError(fmt::format("--{}: {} is out of range ({}..{})", name, out, min, max));
    return out;
}

} // namespace machine::drivers
