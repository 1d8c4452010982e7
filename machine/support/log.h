#pragma once
// Diagnostics on stderr: debug lines (--debug / MACHINE_DEBUG) and warnings. Output meant for
// the user's stdout (env blocks, ls tables) never goes through here.
#include <fmt/format.h>

#include <string>

namespace machine::support {

void set_debug(bool on);
bool debug_enabled();
void write_stderr(const std::string& line);

template <class... Args>
void debug(fmt::format_string<Args...> f, Args&&... args) {
    if (debug_enabled())
        write_stderr("debug: " + fmt::format(f, std::forward<Args>(args)...));
}

template <class... Args>
void warn(fmt::format_string<Args...> f, Args&&... args) {
    write_stderr("warning: " + fmt::format(f, std::forward<Args>(args)...));
}

template <class... Args>
void info(fmt::format_string<Args...> f, Args&&... args) {
    write_stderr(fmt::format(f, std::forward<Args>(args)...));
}

} // namespace machine::support
