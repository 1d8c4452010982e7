// Inputs the fuzzers (tests/fuzz) found to crash a parser, kept as regression tests.
#include "machine/support/error.h"
#include "swarm/lab.h"

#include <gtest/gtest.h>

namespace machine::swarm {
namespace {

// fuzz_lab_yaml: a mapping used as a key ("? key: value") made yaml-cpp's as<std::string>()
// throw YAML::TypedBadConversion through parse_lab (std::terminate in `machine lab up`).
TEST(FuzzRegressions, LabFileWithAMappingAsKeyIsAUsageErrorWithItsLine) {
    const std::string text = "name: bad\n"
                             "nodes:\n"
                             "  - name: m1\n"
                             "    role: manager\n"
                             "    flags:\n"
                             "    ? tls-ca-cert: /tmp/evil.pem\n";
    try {
        parse_lab(text, "lab.yaml");
        FAIL() << "parsed a lab file with a mapping as a key";
    } catch (const UsageError& e) {
        EXPECT_EQ(std::string(e.what()).rfind("lab.yaml:6: ", 0), 0u) << e.what();
    }
    EXPECT_THROW(parse_lab("{[a]: 1}\n", "lab.yaml"), UsageError);
}

} // namespace
} // namespace machine::swarm
