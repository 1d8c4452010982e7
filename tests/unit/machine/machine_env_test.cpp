// What `machine env` prints, as a function: the unset block, and the refusals that come before
// any certificate is read.
#include "machine/machine_env.h"

#include "machine/support/error.h"

#include <gtest/gtest.h>

namespace machine {
namespace {

std::string error_of(const Host& host, const EnvRequest& request) {
    try {
        env_lines(host, request);
    } catch (const Error& e) {
        return e.what();
    }
    return "(printed)";
}

TEST(EnvLines, UnsetNamesTheFourVariablesAndNoProxyOnlyWhenAsked) {
    EnvRequest r;
    r.shell = env::Shell::Bash;
    r.shell_flag = " --shell bash";
    std::string out = env_unset_lines(r);
    for (const char* v :
         {"DOCKER_TLS_VERIFY", "DOCKER_HOST", "DOCKER_CERT_PATH", "DOCKER_MACHINE_NAME"})
        EXPECT_NE(out.find(std::string("unset ") + v + "\n"), std::string::npos) << out;
    EXPECT_EQ(out.find("NO_PROXY"), std::string::npos) << out;
    EXPECT_NE(out.find("machine env -u --shell bash"), std::string::npos) << out;
    r.no_proxy = true;
    r.shell = env::Shell::Fish;
    out = env_unset_lines(r);
    EXPECT_NE(out.find("set -e NO_PROXY;\n"), std::string::npos) << out;
    EXPECT_NE(out.find("set -e no_proxy;\n"), std::string::npos) << out;
}

TEST(EnvLines, AMachineWithAnErrorOrWithoutAnIpIsRefusedWithWhatToRun) {
    Host h;
    h.name = "m1";
    h.driver_name = "none";
    h.error = "SSH did not answer";
    EXPECT_EQ(error_of(h, {}), "machine \"m1\" is not ready: SSH did not answer (`machine "
                               "provision m1` retries, `machine rm m1` removes it)");
    h.error.clear();
    EXPECT_EQ(error_of(h, {}), "machine \"m1\" has no IP address");
}

} // namespace
} // namespace machine
