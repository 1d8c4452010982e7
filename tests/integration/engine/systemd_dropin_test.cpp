// systemd itself (systemd-analyze verify) reads the drop-in we render, with hostile flag and
// environment values, next to a unit shaped like Debian's docker.service.
#include "engine/dockerd_config.h"

#include "machine/support/fs.h"
#include "machine/support/process.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

using namespace machine::engine;
namespace fs = std::filesystem;

namespace {

class SystemdDropin : public ::testing::Test {
protected:
    void SetUp() override {
        if (!runner.available("systemd-analyze"))
            GTEST_SKIP() << "systemd-analyze is not installed";
        std::string tmpl = (fs::temp_directory_path() / "machine-systemd-XXXXXX").string();
        ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
        dir = tmpl;
        fs::create_directories(dir / "docker.service.d");
        machine::support::atomic_write(dir / "docker.service",
                                       "[Unit]\nDescription=Docker Application Container Engine\n"
                                       "[Service]\nType=notify\n"
                                       "ExecStart=/usr/sbin/dockerd -H fd:// "
                                       "--containerd=/run/containerd/containerd.sock\n"
                                       "[Install]\nWantedBy=multi-user.target\n");
    }
    void TearDown() override {
        if (!dir.empty())
            fs::remove_all(dir);
    }

    // systemd's complaints about the unit with `dropin`, "" when none.
    std::string verify(std::string dropin) {
        // dockerd may not be installed here; systemd would stop at "not executable" before
        // parsing further, so stand in a program that is (the other words are what we test).
        auto at = dropin.find("ExecStart=dockerd ");
        if (at != std::string::npos)
            dropin.replace(at, std::string("ExecStart=dockerd").size(), "ExecStart=echo");
        machine::support::atomic_write(dir / "docker.service.d" / "10-machine.conf", dropin);
        auto r = runner.run({"systemd-analyze",
                             {"verify", (dir / "docker.service").string()},
                             {{"SYSTEMD_LOG_LEVEL", "warning"}},
                             std::nullopt,
                             std::chrono::seconds(30)});
        return r.ok() && r.err.empty() ? "" : "exit " + std::to_string(r.exit_code) + ": " + r.err;
    }

    machine::support::SystemProcessRunner runner;
    fs::path dir;
};

TEST_F(SystemdDropin, DefaultAndHostileValuesParseCleanly) {
    EXPECT_EQ(verify(render_systemd_dropin(EngineOptions{})), "");
    EngineOptions o;
    o.arbitrary_flags = {"debug", "data-root=/srv/my docker", "exec-opt=100%$HOME\"x\\",
                         "log-opt=tag={{.Name}} 'q'", "l=info"};
    o.env = {"HTTP_PROXY=http://proxy:3128", "NOTE=a \"b\" 50% \\ $HOME ;#"};
    EXPECT_EQ(verify(render_systemd_dropin(o)), "");
}

TEST_F(SystemdDropin, TheCheckCanFail) {
    EXPECT_NE(verify("[Service]\nExecStart=\nExecStart=echo \"unbalanced\n"), "");
    EXPECT_NE(verify("[Service]\nExecStart=\nExecStart=echo %Q\n"), ""); // unknown specifier
}

} // namespace
