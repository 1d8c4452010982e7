// DockerApi over the transport it is given (the CLI gives libcurl's, from machine-backends.so):
// what it asks the transport, and how it reads the answers. No network.
#include "machine/support/error.h"
#include "provision/docker_api.h"
#include "tests/fakes/fake_clock.h"

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

// wait_for_ping on a fake clock: an engine that comes up after a minute, one that never does.
TEST(DockerApiWait, PingsUntilTheEngineAnswersEachTryBoundedByWhatIsLeft) {
    machine::testing::FakeClock clock;
    std::vector<std::chrono::milliseconds> timeouts;
    auto up_at = clock.now() + std::chrono::minutes(1);
    HttpsTransport t = [&](const HttpsRequest& r) {
        timeouts.push_back(r.timeout);
        clock.advance(std::chrono::milliseconds(100)); // each try costs a little
        if (clock.now() < up_at)
            return HttpsAnswer{"Connection refused", 0, ""};
        return HttpsAnswer{"", 200, "OK"};
    };
    DockerApi api("https://10.0.0.5:2376", k_tls, t, std::chrono::seconds(10), clock);
    api.wait_for_ping(clock.now() + std::chrono::minutes(2));
    EXPECT_GE(clock.now(), up_at);
    EXPECT_LT(clock.now(), up_at + std::chrono::seconds(3)) << "backoff is capped at 2 s";
    ASSERT_FALSE(timeouts.empty());
    EXPECT_EQ(timeouts.front(), std::chrono::seconds(10));
    EXPECT_EQ(clock.sleeps.front(), std::chrono::milliseconds(250));
}

TEST(DockerApiWait, AnEngineThatNeverAnswersTimesOutAtTheDeadlineWithTheLastError) {
    machine::testing::FakeClock clock;
    int tries = 0;
    HttpsTransport t = [&](const HttpsRequest& r) {
        ++tries;
        clock.advance(r.timeout); // a try that hangs until its own bound
        return HttpsAnswer{"Connection timed out", 0, ""};
    };
    DockerApi api("https://10.0.0.5:2376", k_tls, t, std::chrono::seconds(10), clock);
    auto start = clock.now();
    try {
        api.wait_for_ping(start + std::chrono::seconds(45));
        FAIL() << "no timeout";
    } catch (const machine::TimeoutError& e) {
        std::string what = e.what();
        EXPECT_NE(what.find("the Docker engine at https://10.0.0.5:2376 did not answer within 45 s"),
                  std::string::npos) << what;
        EXPECT_NE(what.find("Connection timed out"), std::string::npos) << what;
    }
    EXPECT_EQ(clock.now(), start + std::chrono::seconds(45)) << "never past the deadline";
    EXPECT_GE(tries, 4);
}
