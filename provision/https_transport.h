#pragma once
// One HTTPS request to a Docker engine, verified against the machine CA with the client
// certificate presented. The Docker API client (docker_api.h) builds on it; the libcurl
// implementation (https_curl.cpp) is in machine-backends.so, so commands that never talk to an
// engine (env, ip, inspect) do not load libcurl. The CLI hands it down (cli/context.h).
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace machine::provision {

struct TlsFiles {
    std::filesystem::path ca;   // the machine CA that signed the server certificate
    std::filesystem::path cert; // client certificate
    std::filesystem::path key;  // client key
};

struct HttpsRequest {
    std::string method;   // "GET", "POST", ...
    std::string base_url; // "https://192.168.122.10:2376"
    std::string path;     // "/version"
    std::optional<std::string> json_body;
    TlsFiles tls;
    std::chrono::milliseconds timeout; // bounds the connection and the whole request
};

struct HttpsAnswer {
    std::string error; // why no answer came (unreachable, TLS failure, timeout); "" otherwise
    long status = 0;   // HTTP status
    std::string text;  // the body
};

// Sends one request and returns its answer. Failures to get one are in HttpsAnswer::error;
// an implementation throws only when it cannot send at all (the module is missing). A function
// so a test can answer in place of an engine.
using HttpsTransport = std::function<HttpsAnswer(const HttpsRequest&)>;

// Many requests driven from the thread that calls wait(): no thread per request. The requests to
// one engine (same base_url) share one connection, one after another (HTTP keep-alive). Abstract
// so the listing's logic can be tested with a fake transport; the libcurl one (multi interface)
// is in machine-backends.so.
class HttpsMulti {
public:
    using Id = std::uint64_t;
    using Finished = std::vector<std::pair<Id, HttpsAnswer>>;
    virtual ~HttpsMulti() = default;
    // Queues `request` (its timeout bounds it as in curl_request); never blocks.
    virtual Id start(const HttpsRequest& request) = 0;
    // Runs the transfers until at least one finishes, `until` passes or wake() is called;
    // returns the finished ones (possibly none).
    virtual Finished wait(std::chrono::steady_clock::time_point until) = 0;
    // From any thread: makes the current or the next wait() return at once.
    virtual void wake() = 0;
    // Drops a request that has not finished (its connection is closed); unknown ids are ignored.
    virtual void cancel(Id id) = 0;
};

// The libcurl transport (https_curl.cpp), in machine-backends.so: the program reaches these
// through the module's table (machine/support/backends.h); test binaries link them in.
// One request. Never throws: failures are in HttpsAnswer::error.
HttpsAnswer curl_request(const HttpsRequest& request);
// A new multi transport (delete it before the module could go away, i.e. before main returns).
// Null when libcurl cannot make one.
std::unique_ptr<HttpsMulti> make_curl_multi();

} // namespace machine::provision
