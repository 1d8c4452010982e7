#pragma once
// The one way this tool runs another program (VBoxManage, qemu-img, mmdebstrap, xorriso, ssh).
// Abstract so drivers can be tested with a fake that records the command lines it was given.
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace machine::support {

struct ProcessSpec {
    std::string program;                       // a name looked up on PATH, or a path
    std::vector<std::string> args;             // never a shell string
    std::map<std::string, std::string> env;    // added to (or overriding) the inherited environment
    std::optional<std::string> stdin_data;     // fed to the child's stdin, then closed
    std::chrono::milliseconds timeout{0};      // 0: no limit
    std::string cwd;                           // empty: inherit
    bool secret_args = false;                  // do not echo the arguments under --debug
};

struct ProcessResult {
    int exit_code = -1;
    std::string out;
    std::string err;
    bool timed_out = false;
    bool ok() const { return exit_code == 0 && !timed_out; }
};

class ProcessRunner {
public:
    virtual ~ProcessRunner() = default;
    // Runs to completion (or timeout), capturing stdout and stderr. Throws Unavailable if the
    // program cannot be found.
    virtual ProcessResult run(const ProcessSpec& spec) = 0;
    // Runs with the terminal attached (stdin/stdout/stderr inherited); returns the exit code.
    virtual int run_attached(const ProcessSpec& spec) = 0;
    // Whether `program` can be found (on PATH or as a path).
    virtual bool available(const std::string& program) = 0;
};

// Boost.Process implementation.
class SystemProcessRunner : public ProcessRunner {
public:
    ProcessResult run(const ProcessSpec& spec) override;
    int run_attached(const ProcessSpec& spec) override;
    bool available(const std::string& program) override;
};

// One word for a POSIX shell: unchanged when it has only safe characters, else single-quoted
// ('it'\''s'). For remote commands over SSH, mmdebstrap hooks and logs; never for user input
// that could be passed as an argument vector instead.
std::string shell_quote(const std::string& word);

// "prog arg1 'arg 2'" for logs and error messages.
std::string describe(const ProcessSpec& spec);

} // namespace machine::support
