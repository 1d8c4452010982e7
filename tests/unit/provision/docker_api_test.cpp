// DockerApi over the transport it is given (the CLI gives libcurl's, from machine-backends.so):
// what it asks the transport, and how it reads the answers. No network.
#include "machine/support/error.h"
#include "provision/docker_api.h"

#include <gtest/gtest.h>

#include <vector>

using namespace machine::provision;
using machine::Error;

namespace {

// Answers every request with `answer` and records what was asked.
struct RecordingTransport {
    HttpsAnswer answer;
    std::vector<HttpsRequest> asked;
    HttpsTransport fn() {
        return [this](const HttpsRequest& r) {
            asked.push_back(r);
            return answer;
        };
    }
};

const TlsFiles k_tls{"/s/ca.pem", "/s/cert.pem", "/s/key.pem"};

TEST(DockerApiTransport, SendsTheRequestThroughTheGivenTransport) {
    RecordingTransport t{{"", 200, R"({"Version":"24.0.7"})"}};
    DockerApi api("https://10.0.0.5:2376/", k_tls, t.fn(), std::chrono::seconds(7));
    EXPECT_EQ(api.version(), "24.0.7");
    auto r = api.post("/swarm/init", {{"AdvertiseAddr", "10.0.0.5"}});
    EXPECT_TRUE(r.ok());
    ASSERT_EQ(t.asked.size(), 2u);
    EXPECT_EQ(t.asked[0].method, "GET");
    EXPECT_EQ(t.asked[0].base_url, "https://10.0.0.5:2376"); // the trailing slash is dropped
    EXPECT_EQ(t.asked[0].path, "/version");
    EXPECT_FALSE(t.asked[0].json_body);
    EXPECT_EQ(t.asked[0].tls.cert, k_tls.cert);
    EXPECT_EQ(t.asked[0].timeout, std::chrono::seconds(7));
    EXPECT_EQ(t.asked[1].method, "POST");
    EXPECT_EQ(t.asked[1].json_body, std::optional<std::string>(R"({"AdvertiseAddr":"10.0.0.5"})"));
}

TEST(DockerApiTransport, ATransportFailureIsAnErrorNamingTheEngineAndTheRequest) {
    RecordingTransport t{{"Connection refused", 0, ""}};
    DockerApi api("https://10.0.0.5:2376", k_tls, t.fn());
    try {
        api.get("/info");
        FAIL() << "expected Error";
    } catch (const Error& e) {
        EXPECT_STREQ(e.what(),
                     "Docker engine at https://10.0.0.5:2376: GET /info: Connection refused");
    }
}

TEST(DockerApiTransport, AnHttpErrorCarriesTheEnginesMessage) {
    RecordingTransport t{{"", 503, R"({"message":"This node is not a swarm manager."})"}};
    DockerApi api("https://10.0.0.5:2376", k_tls, t.fn());
    try {
        api.get("/nodes");
        FAIL() << "expected Error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("HTTP 503: This node is not a swarm manager."),
                  std::string::npos)
            << e.what();
    }
    EXPECT_FALSE(api.ping()); // any answer but "OK" is not a ping
}

} // namespace
