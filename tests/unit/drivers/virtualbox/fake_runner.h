#pragma once
// The shared FakeRunner (tests/fakes/fake_runner.h) spoken in VBoxManage's terms: a script line
// is VBoxManage's argument vector unless another program is named, and qemu-img convert writes
// its output file, so the driver's rename() works.
#include "tests/fakes/fake_runner.h"

#include <fstream>

namespace machine::drivers::virtualbox::testing {

using Args = machine::testing::Argv;
using machine::testing::fail;
using machine::testing::ok;

class FakeRunner : public machine::testing::FakeRunner {
public:
    FakeRunner() {
        machine::testing::FakeRunner::on({"qemu-img", "convert"}, [](const support::ProcessSpec& s) {
            if (s.args.size() == 5)
                std::ofstream(s.args[4]) << "vdi";
            return ok();
        });
    }
    // Answers `program args...` with `results` in turn; the last one repeats.
    void on(const Args& args, std::vector<support::ProcessResult> results,
            const std::string& program = "VBoxManage") {
        Args argv{program};
        argv.insert(argv.end(), args.begin(), args.end());
        machine::testing::FakeRunner::on(argv, std::move(results));
    }
    // Only VBoxManage's argument vectors.
    std::vector<Args> vbox() const { return args_of("VBoxManage"); }
};

} // namespace machine::drivers::virtualbox::testing
