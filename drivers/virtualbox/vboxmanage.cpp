#include "drivers/virtualbox/vboxmanage.h"

#include "drivers/virtualbox/parse.h"
#include "machine/support/fs.h"
#include "machine/support/log.h"

#include <fmt/format.h>

#include <mutex>
#include <optional>

namespace machine::drivers::virtualbox {
namespace {

std::mutex& host_mutex() {
    static std::mutex m;
    return m;
}

std::string first_line(const std::string& s) {
    auto pos = s.find('\n');
    return pos == std::string::npos ? s : s.substr(0, pos);
}

} // namespace

bool vboxmanage_failed(const support::ProcessResult& r) {
    return !r.ok() || r.err.find("error:") != std::string::npos;
}

VBoxManage::VBoxManage(support::ProcessRunner& runner, fs::path lock_path,
                       VBoxManageOptions options)
    : m_runner(runner), m_lock_path(std::move(lock_path)), m_options(std::move(options)) {
    if (!m_options.clock)
        m_options.clock = &support::steady_clock();
    if (m_options.attempts < 1)
        m_options.attempts = 1;
}

bool VBoxManage::available() {
    return m_runner.available(m_options.program);
}

support::ProcessResult VBoxManage::run_once(const std::vector<std::string>& args) {
    support::ProcessSpec spec;
    spec.program = m_options.program;
    spec.args = args;
    spec.timeout = m_options.timeout;
    std::lock_guard<std::mutex> guard(host_mutex());
    std::optional<support::FileLock> lock;
    // Before a store's first machine its folder does not exist yet, and the checks that run
    // then (--version) must not create it: with no store there is nothing to serialize against.
    std::error_code ec;
    if (!m_lock_path.empty() && fs::is_directory(m_lock_path.parent_path(), ec))
        lock.emplace(m_lock_path);
    return m_runner.run(spec);
}

support::ProcessResult VBoxManage::run_result(const std::vector<std::string>& args) {
    auto delay = m_options.backoff;
    for (int attempt = 1;; ++attempt) {
        auto r = run_once(args);
        if (!vboxmanage_failed(r) || attempt >= m_options.attempts || !is_retryable_error(r.err))
            return r;
        support::debug("VBoxManage {}: {}; retrying in {} ms", args.empty() ? "" : args[0],
                       first_line(r.err), delay.count());
        m_options.clock->sleep_for(delay);
        delay *= 2;
    }
}

std::string VBoxManage::run(const std::vector<std::string>& args) {
    auto r = run_result(args);
    if (!vboxmanage_failed(r))
        return r.out;
    support::ProcessSpec spec{m_options.program, args};
    std::string command = support::describe(spec);
    if (r.timed_out)
        throw VBoxManageError(
            fmt::format(
                "{} did not finish within {} s", command,
                std::chrono::duration_cast<std::chrono::seconds>(m_options.timeout).count()),
            "");
    auto info = parse_error(r.err);
    std::string detail;
    if (info && !info->message.empty())
        detail = info->message;
    else if (!r.err.empty())
        detail = first_line(r.err);
    else
        detail = fmt::format("exit status {}", r.exit_code);
    if (info && !info->code.empty() && detail.find(info->code) == std::string::npos)
        detail += fmt::format(" ({})", info->code);
    throw VBoxManageError(fmt::format("{} failed: {}", command, detail), info ? info->code : "");
}

} // namespace machine::drivers::virtualbox
