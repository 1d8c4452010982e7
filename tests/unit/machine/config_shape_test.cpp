// A config.json that is too big, too deep or of the wrong shape is one StoreError line naming
// the file (and the field), never a bare nlohmann::json::type_error or std::bad_alloc.
#include "machine/host.h"
#include "machine/store.h"
#include "machine/support/error.h"
#include "machine/support/fs.h"
#include "temp_dir.h"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>

namespace machine {
namespace {

using machine::testing::TempDir;

const fs::path k_file = "/s/machines/m1/config.json";

// The message of the StoreError host_from_config raises for `text`, "" if none.
std::string error_of(const std::string& text) {
    try {
        host_from_config(text, k_file, "/s");
    } catch (const StoreError& e) {
        return e.what();
    }
    return "";
}

std::string nested(const std::string& open, const std::string& close, int n) {
    std::string s;
    for (int i = 0; i < n; ++i)
        s += open;
    s += "1";
    for (int i = 0; i < n; ++i)
        s += close;
    return s;
}

TEST(ConfigShape, WrongTypeNamesFileAndField) {
    EXPECT_EQ(error_of(R"({"Name": "m1", "Driver": {"IPAddress": 5}})"),
              "/s/machines/m1/config.json: field \"Driver.IPAddress\": expected a string, got "
              "number");
    EXPECT_EQ(error_of(R"({"Name": ["m1"]})"),
              "/s/machines/m1/config.json: field \"Name\": expected a string, got array");
    EXPECT_EQ(error_of(R"({"Driver": "x"})"),
              "/s/machines/m1/config.json: field \"Driver\": expected an object, got string");
    EXPECT_EQ(error_of(R"({"HostOptions": {"AuthOptions": {"ServerCertSANs": ["a", 1]}}})"),
              "/s/machines/m1/config.json: field \"HostOptions.AuthOptions.ServerCertSANs[1]\": "
              "expected a string, got number");
    EXPECT_EQ(error_of(R"({"HostOptions": {"EngineOptions": {"TlsPort": 70000}}})"),
              "/s/machines/m1/config.json: field \"HostOptions.EngineOptions.TlsPort\": expected "
              "a port number 1-65535, got 70000");
    EXPECT_EQ(error_of(R"({"ConfigVersion": 1e300})"),
              "/s/machines/m1/config.json: field \"ConfigVersion\": expected an integer, got "
              "1e+300");
    EXPECT_EQ(error_of(R"({"HostOptions": {"SwarmOptions": {"Master": "yes"}}})"),
              "/s/machines/m1/config.json: field \"HostOptions.SwarmOptions.Master\": expected a "
              "boolean, got string");
    EXPECT_EQ(error_of(R"({"Driver": {"Memory": "2048"}})"),
              "/s/machines/m1/config.json: field \"Driver.Memory\": expected an integer, got "
              "string");
    EXPECT_EQ(error_of("[1, 2]"), "/s/machines/m1/config.json: expected a JSON object, got array");
    EXPECT_EQ(error_of("\"text\""),
              "/s/machines/m1/config.json: expected a JSON object, got string");
}

TEST(ConfigShape, NullIsAWrongTypeExceptForLists) {
    EXPECT_EQ(error_of(R"({"Name": "m1", "Error": null})"),
              "/s/machines/m1/config.json: field \"Error\": expected a string, got null");
    EXPECT_EQ(error_of(R"({"Driver": null})"),
              "/s/machines/m1/config.json: field \"Driver\": expected an object, got null");
    // docker-machine writes "Env": null and "Dns": null.
    EXPECT_EQ(error_of(R"({"HostOptions": {"EngineOptions": {"Env": null, "Dns": null}}})"), "");
}

TEST(ConfigShape, UnknownFieldsAreFine) {
    Host h = host_from_config(
        R"({"Name": "m1", "Driver": {"IPAddress": "10.0.0.2", "Extra": [1, {}]},
            "HostOptions": {"AuthOptions": {"StorePath": "machines/m1"}}, "Future": {"x": 1}})",
        k_file, "/s");
    EXPECT_EQ(h.name, "m1");
    EXPECT_EQ(h.ip(), "10.0.0.2");
    EXPECT_EQ(h.options.auth.store_path, "/s/machines/m1");
}

TEST(ConfigShape, NumbersInRangeAreFine) {
    Host h = host_from_config(R"({"ConfigVersion": 4, "Driver": {"SSHPort": 22, "Memory": 2048,
                                  "CPU": -1}, "HostOptions": {"EngineOptions": {"TlsPort": 2376}}})",
                              k_file, "/s");
    EXPECT_EQ(h.options.engine.tls_port, 2376);
    EXPECT_EQ(h.config_version, 4);
    EXPECT_EQ(error_of(R"({"Driver": {"SSHPort": 65536}})"),
              "/s/machines/m1/config.json: field \"Driver.SSHPort\": expected a port number "
              "0-65535, got 65536");
    EXPECT_EQ(error_of(R"({"Driver": {"SSHPort": 0}})"), "")
        << "docker-machine's none driver records SSHPort 0: no SSH";
    EXPECT_EQ(error_of(R"({"Driver": {"Memory": 4294967296}})"),
              "/s/machines/m1/config.json: field \"Driver.Memory\": expected an integer, got "
              "4294967296");
}

TEST(ConfigShape, DeepJsonIsRefusedWhileParsing) {
    const auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(error_of(R"({"Driver": {"X": )" + nested("[", "]", 100000) + "}}"),
              "/s/machines/m1/config.json: JSON nested deeper than 32 levels");
    EXPECT_EQ(error_of(R"({"Driver": )" + nested(R"({"aPath": )", "}", 40) + "}"),
              "/s/machines/m1/config.json: JSON nested deeper than 32 levels");
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
    EXPECT_EQ(error_of(R"({"Driver": {"X": )" + nested("[", "]", 20) + "}}"), "");
}

TEST(ConfigShape, PathRewritingIsDepthBounded) {
    nlohmann::json j = 1;
    for (int i = 0; i < 40; ++i)
        j = nlohmann::json{{"Dir", "a"}, {"Next", j}};
    EXPECT_THROW(absolutize_paths(j, "/s"), StoreError);
    EXPECT_THROW(relativize_paths(j, "/s"), StoreError);
    nlohmann::json shallow = {{"Next", {{"CertDir", "certs"}}}};
    absolutize_paths(shallow, "/s");
    EXPECT_EQ(shallow["Next"]["CertDir"], "/s/certs");
}

TEST(ConfigShape, NotJsonNamesTheFile) {
    EXPECT_EQ(error_of("{\"Name\": ").rfind("/s/machines/m1/config.json: not valid JSON: ", 0), 0u);
}

TEST(ConfigShape, StoreLoadRefusesHugeAndWrongShapeFiles) {
    TempDir dir;
    Store store(dir.path());
    store.reserve("m1");
    const fs::path file = store.machine_dir("m1") / "config.json";
    { std::ofstream(file) << R"({"Name": "m1", "DriverName": "none", "Driver": {"URL": 7}})"; }
    try {
        store.load("m1");
        FAIL() << "loaded a config.json of the wrong shape";
    } catch (const StoreError& e) {
        EXPECT_EQ(std::string(e.what()),
                  file.string() + ": field \"Driver.URL\": expected a string, got number");
    }
    // A sparse 8 GiB file: refused by its size before anything is read.
    fs::resize_file(file, 8ull << 30);
    const auto start = std::chrono::steady_clock::now();
    try {
        store.load("m1");
        FAIL() << "loaded an 8 GiB config.json";
    } catch (const StoreError& e) {
        EXPECT_EQ(std::string(e.what()),
                  file.string() +
                      ": 8589934592 bytes; a machine record is at most 1048576 bytes");
    }
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
}

} // namespace
} // namespace machine
