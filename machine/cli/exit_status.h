#pragma once

namespace machine::cli {

// Thrown by a command whose result is another program's exit status (ssh, scp): cli::run
// returns it as machine's own status without printing anything.
struct ExitStatus {
    int code;
    explicit ExitStatus(int c) : code(c) {}
};

} // namespace machine::cli
