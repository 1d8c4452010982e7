#pragma once
// CliTest plus what docker-machine's suites do that the shared fixture has no helper for:
// feeding stdin (`echo y | machine rm NAME`).
#include "../machine/cli_fixture.h"

namespace machine::testing {

class CompatTest : public CliTest {
protected:
    support::ProcessResult machine_with_stdin(std::vector<std::string> args,
                                              const std::string& input) const {
        support::ProcessSpec spec;
        spec.program = MACHINE_BINARY;
        spec.args = std::move(args);
        spec.env = env();
        spec.stdin_data = input;
        spec.timeout = std::chrono::seconds(60);
        support::SystemProcessRunner runner;
        return runner.run(spec);
    }
};

} // namespace machine::testing
