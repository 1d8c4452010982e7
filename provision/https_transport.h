#pragma once
// One HTTPS request to a Docker engine, verified against the machine CA with the client
// certificate presented. The Docker API client (docker_api.h) builds on it; the libcurl
// implementation (https_curl.cpp) is in machine-backends.so, so commands that never talk to an
// engine (env, ip, inspect) do not load libcurl.
#include "provision/docker_api.h"

#include <chrono>
#include <optional>
#include <string>

namespace machine::provision {

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

} // namespace machine::provision

// Entry point in machine-backends.so. Never throws: failures are in HttpsAnswer::error.
extern "C" machine::provision::HttpsAnswer
machine_https_request_v1(const machine::provision::HttpsRequest& request);
