#pragma once

namespace machine::cli {

// Parses the command line, runs one command, and maps every error to a message on stderr
// ("machine: error: ...") and a documented exit code.
int run(int argc, char** argv);

} // namespace machine::cli
