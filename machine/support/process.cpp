#include "machine/support/process.h"

#include "machine/support/error.h"
#include "machine/support/log.h"

#include <boost/asio/io_context.hpp>
#include <boost/process.hpp>
#include <fmt/format.h>

#include <future>

namespace bp = boost::process;

namespace machine::support {
namespace {

boost::filesystem::path resolve(const std::string& program) {
    if (program.find('/') != std::string::npos) {
        boost::filesystem::path p(program);
        if (!boost::filesystem::exists(p))
            throw Unavailable(fmt::format("{}: no such program", program));
        return p;
    }
    auto p = bp::search_path(program);
    if (p.empty())
        throw Unavailable(fmt::format("{}: not found on PATH", program));
    return p;
}

bp::environment make_env(const ProcessSpec& spec) {
    bp::environment env = boost::this_process::environment();
    // set(), not env[k]: Boost 1.74's basic_environment::find compares "KEY=" against each
    // entry with std::equal and reads past the end of any entry shorter than that (ASan:
    // heap-buffer-overflow in make_env); the implementation's set() checks the length first.
    for (const auto& [k, v] : spec.env)
        env.set(k, v);
    return env;
}

} // namespace

std::string shell_quote(const std::string& word) {
    if (!word.empty() &&
        word.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                               "_-./=:,+@%") == std::string::npos)
        return word;
    std::string out = "'";
    for (char c : word) {
        if (c == '\'')
            out += "'\\''";
        else
            out += c;
    }
    return out + "'";
}

std::string describe(const ProcessSpec& spec) {
    std::string out = shell_quote(spec.program);
    if (spec.secret_args)
        return out + " <arguments hidden>";
    for (const auto& a : spec.args)
        out += " " + shell_quote(a);
    return out;
}

ProcessResult SystemProcessRunner::run(const ProcessSpec& spec) {
    auto exe = resolve(spec.program);
    debug("run: {}", describe(spec));
    boost::asio::io_context ios;
    std::future<std::string> out, err;
    std::string input = spec.stdin_data.value_or("");
    std::string cwd = spec.cwd.empty() ? boost::filesystem::current_path().string() : spec.cwd;
    bp::child child(exe, bp::args(spec.args), make_env(spec), bp::start_dir(cwd),
                    bp::std_out > out, bp::std_err > err, bp::std_in < boost::asio::buffer(input),
                    ios);
    ProcessResult result;
    if (spec.timeout.count() > 0) {
        ios.run_for(spec.timeout);
        if (!ios.stopped()) {
            result.timed_out = true;
            std::error_code ec;
            child.terminate(ec);
            ios.run_for(std::chrono::seconds(2));
        }
    } else {
        ios.run();
    }
    std::error_code ec;
    child.wait(ec);
    result.exit_code = result.timed_out ? -1 : child.exit_code();
    if (out.valid() && out.wait_for(std::chrono::seconds(0)) == std::future_status::ready)
        result.out = out.get();
    if (err.valid() && err.wait_for(std::chrono::seconds(0)) == std::future_status::ready)
        result.err = err.get();
    debug("exit {}{}", result.exit_code, result.timed_out ? " (timed out)" : "");
    return result;
}

int SystemProcessRunner::run_attached(const ProcessSpec& spec) {
    auto exe = resolve(spec.program);
    debug("run: {}", describe(spec));
    std::string cwd = spec.cwd.empty() ? boost::filesystem::current_path().string() : spec.cwd;
    bp::child child(exe, bp::args(spec.args), make_env(spec), bp::start_dir(cwd));
    child.wait();
    return child.exit_code();
}

bool SystemProcessRunner::available(const std::string& program) {
    if (program.find('/') != std::string::npos)
        return boost::filesystem::exists(program);
    return !bp::search_path(program).empty();
}

} // namespace machine::support
