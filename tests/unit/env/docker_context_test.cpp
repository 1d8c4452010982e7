// The docker CLI's files as text: meta.json in docker's own shape, and config.json edited in
// place (only "currentContext" changes; every other byte stays).
#include "env/docker_context.h"

#include "machine/support/error.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace machine::env {
namespace {

TEST(DockerContextName, DockersRule) {
    for (const char* ok : {"myvm1", "m1", "a.b", "lab_1", "x+y", "9node", "My-VM"})
        EXPECT_TRUE(valid_docker_context_name(ok)) << ok;
    for (const char* bad : {"", "a", "default", "-x", ".x", "a/b", "a b", "é1", "_x"})
        EXPECT_FALSE(valid_docker_context_name(bad)) << bad;
}

TEST(DockerContextMeta, DockersShapeAndOrder) {
    auto text = render_context_meta("myvm1", "tcp://192.168.122.10:2376", "machine myvm1", "abc");
    EXPECT_EQ(text, R"({"Name":"myvm1","Metadata":{"Description":"machine myvm1",)"
                    R"("MachineContextId":"abc"},"Endpoints":{"docker":)"
                    R"({"Host":"tcp://192.168.122.10:2376","SkipTLSVerify":false}}})");
    auto meta = parse_context_meta(text);
    ASSERT_TRUE(meta);
    EXPECT_EQ(meta->name, "myvm1");
    EXPECT_EQ(meta->host, "tcp://192.168.122.10:2376");
    EXPECT_EQ(meta->marker, "abc");
}

TEST(DockerContextMeta, ReadsUsersContextWithoutMarker) {
    // As `docker context create foo --description hi --docker host=...` writes it.
    auto meta = parse_context_meta(R"({"Name":"foo","Metadata":{"Description":"hi"},)"
                                   R"("Endpoints":{"docker":{"Host":"tcp://127.0.0.1:2376",)"
                                   R"("SkipTLSVerify":false}}})");
    ASSERT_TRUE(meta);
    EXPECT_EQ(meta->name, "foo");
    EXPECT_EQ(meta->marker, "");
    EXPECT_FALSE(parse_context_meta("not json"));
    EXPECT_FALSE(parse_context_meta("[]"));
    EXPECT_FALSE(parse_context_meta(R"({"Metadata":{}})"));
    auto odd = parse_context_meta(R"({"Name":"x1","Metadata":{"MachineContextId":7}})");
    ASSERT_TRUE(odd);
    EXPECT_EQ(odd->marker, "") << "a marker that is not a string is no marker";
}

TEST(ConfigJson, SetsCurrentContextKeepingEveryOtherByte) {
    // docker's own layout: tabs, "auths" first, other members after.
    const std::string config = "{\n\t\"auths\": {\n\t\t\"r.example:5000\": {\n\t\t\t\"auth\": "
                               "\"eDp5\"\n\t\t}\n\t},\n\t\"psFormat\": \"table {{.ID}}\\t"
                               "{{.Names}}\"\n}";
    auto set = with_current_context(config, "myvm1");
    EXPECT_EQ(set, "{\n\t\"auths\": {\n\t\t\"r.example:5000\": {\n\t\t\t\"auth\": "
                   "\"eDp5\"\n\t\t}\n\t},\n\t\"psFormat\": \"table {{.ID}}\\t"
                   "{{.Names}}\",\n\t\"currentContext\": \"myvm1\"\n}");
    EXPECT_EQ(current_context(set), "myvm1");
    auto switched = with_current_context(set, "other");
    EXPECT_EQ(switched, "{\n\t\"auths\": {\n\t\t\"r.example:5000\": {\n\t\t\t\"auth\": "
                        "\"eDp5\"\n\t\t}\n\t},\n\t\"psFormat\": \"table {{.ID}}\\t"
                        "{{.Names}}\",\n\t\"currentContext\": \"other\"\n}");
    EXPECT_EQ(with_current_context(switched, std::nullopt), config)
        << "unset gives back the original bytes";
}

TEST(ConfigJson, RemovesAMemberInTheMiddleOrAlone) {
    const std::string middle = "{\n  \"a\": 1,\n  \"currentContext\": \"x1\",\n  \"b\": [1, "
                               "\"}\"]\n}\n";
    EXPECT_EQ(with_current_context(middle, std::nullopt),
              "{\n  \"a\": 1,\n  \"b\": [1, \"}\"]\n}\n");
    EXPECT_EQ(with_current_context(middle, "y1"),
              "{\n  \"a\": 1,\n  \"currentContext\": \"y1\",\n  \"b\": [1, \"}\"]\n}\n");
    EXPECT_EQ(with_current_context("{\"currentContext\":\"x1\"}", std::nullopt), "{}");
    EXPECT_EQ(with_current_context("{\"currentContext\":\"x1\",\"a\":true}", std::nullopt),
              "{\"a\":true}");
    EXPECT_EQ(with_current_context("{\"a\":true}", "x1"), "{\"a\":true,\"currentContext\":\"x1\"}");
    EXPECT_EQ(with_current_context("{\"a\":true}", std::nullopt), "{\"a\":true}");
}

TEST(ConfigJson, EmptyOrMissingFileAndNestedLookalikes) {
    EXPECT_EQ(with_current_context("", "m1"), "{\n\t\"currentContext\": \"m1\"\n}");
    EXPECT_EQ(with_current_context("{}", "m1"), "{\n\t\"currentContext\": \"m1\"\n}");
    EXPECT_EQ(current_context(""), "");
    // A nested "currentContext" is not the top-level member.
    const std::string nested = "{\"x\": {\"currentContext\": \"no\"}}";
    EXPECT_EQ(current_context(nested), "");
    EXPECT_EQ(with_current_context(nested, "m1"),
              "{\"x\": {\"currentContext\": \"no\"},\"currentContext\":\"m1\"}");
    // Names are JSON-escaped.
    auto quoted = with_current_context("{}", "a\"b");
    EXPECT_EQ(nlohmann::json::parse(quoted)["currentContext"], "a\"b");
}

TEST(ConfigJson, RefusesWhatIsNotAnObject) {
    for (const char* bad : {"[]", "nope", "{\"a\":", "\"str\"", "{} {}"}) {
        EXPECT_THROW(with_current_context(bad, "m1"), UsageError) << bad;
        EXPECT_THROW(current_context(bad), UsageError) << bad;
    }
}

} // namespace
} // namespace machine::env
