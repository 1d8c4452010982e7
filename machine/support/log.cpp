#include "machine/support/log.h"

#include <atomic>
#include <cstdio>
#include <mutex>

namespace machine::support {
namespace {
std::atomic<bool> g_debug{false};
std::mutex g_stderr_mutex;
} // namespace

void set_debug(bool on) { g_debug = on; }
bool debug_enabled() { return g_debug; }

void write_stderr(const std::string& line) {
    std::lock_guard lock(g_stderr_mutex);
    std::fputs(line.c_str(), stderr);
    std::fputc('\n', stderr);
    std::fflush(stderr);
}

} // namespace machine::support
