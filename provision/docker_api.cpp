#include "provision/docker_api.h"

#include "machine/support/error.h"
#include "machine/support/handle.h"
#include "machine/support/log.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include <mutex>
#include <thread>

namespace machine::provision {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using CurlPtr = support::Handle<CURL, curl_easy_cleanup>;
using SlistPtr = support::Handle<curl_slist, curl_slist_free_all>;

void init_curl() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t append_body(char* data, size_t size, size_t count, void* user) {
    static_cast<std::string*>(user)->append(data, size * count);
    return size * count;
}

template <class T> void set(CURL* c, CURLoption opt, T value) {
    CURLcode rc = curl_easy_setopt(c, opt, value);
    if (rc != CURLE_OK)
        throw Error(fmt::format("libcurl: cannot set an option: {}", curl_easy_strerror(rc)));
}

} // namespace

DockerApi::DockerApi(std::string base_url, TlsFiles tls, std::chrono::milliseconds timeout)
    : m_base_url(std::move(base_url)), m_tls(std::move(tls)), m_timeout(timeout) {
    while (!m_base_url.empty() && m_base_url.back() == '/')
        m_base_url.pop_back();
    init_curl();
}

ApiResponse DockerApi::request(const std::string& method, const std::string& path,
                               const std::optional<std::string>& body) {
    CurlPtr curl(curl_easy_init());
    if (!curl)
        throw Error("libcurl: cannot create a request");
    CURL* c = curl.get();
    std::string url = m_base_url + path;
    std::string text;
    char errbuf[CURL_ERROR_SIZE] = {0};
    SlistPtr headers;

    set(c, CURLOPT_URL, url.c_str());
    set(c, CURLOPT_CUSTOMREQUEST, method.c_str());
    set(c, CURLOPT_NOSIGNAL, 1L);
    set(c, CURLOPT_NOPROXY, "*"); // the engine is always reached directly
    set(c, CURLOPT_PROXY, "");
    set(c, CURLOPT_TIMEOUT_MS, static_cast<long>(m_timeout.count()));
    set(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(m_timeout.count()));
    set(c, CURLOPT_ERRORBUFFER, errbuf);
    set(c, CURLOPT_PROTOCOLS_STR, "https");
    set(c, CURLOPT_SSL_VERIFYPEER, 1L);
    set(c, CURLOPT_SSL_VERIFYHOST, 2L);
    set(c, CURLOPT_CAINFO, m_tls.ca.c_str());
    set(c, CURLOPT_CAPATH, static_cast<const char*>(nullptr)); // only the machine CA
    set(c, CURLOPT_SSLCERT, m_tls.cert.c_str());
    set(c, CURLOPT_SSLKEY, m_tls.key.c_str());
    set(c, CURLOPT_WRITEFUNCTION, append_body);
    set(c, CURLOPT_WRITEDATA, &text);
    if (body) {
        headers.reset(curl_slist_append(nullptr, "Content-Type: application/json"));
        set(c, CURLOPT_HTTPHEADER, headers.get());
        set(c, CURLOPT_POSTFIELDS, body->c_str());
        set(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(body->size()));
    } else if (method == "POST") {
        set(c, CURLOPT_POSTFIELDS, "");
        set(c, CURLOPT_POSTFIELDSIZE, 0L);
    }

    support::debug("docker api: {} {}", method, url);
    CURLcode rc = curl_easy_perform(c);
    if (rc != CURLE_OK)
        throw Error(fmt::format("Docker engine at {}: {} {}: {}", m_base_url, method, path,
                                errbuf[0] ? errbuf : curl_easy_strerror(rc)));
    ApiResponse response;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &response.status);
    response.text = std::move(text);
    if (!response.text.empty())
        response.body = nlohmann::json::parse(response.text, nullptr, /*allow_exceptions=*/false);
    if (response.body.is_discarded())
        response.body = nullptr;
    support::debug("docker api: {} {} -> {}", method, path, response.status);
    return response;
}

bool DockerApi::ping() {
    auto r = request("GET", "/_ping");
    return r.status == 200 && r.text == "OK";
}

nlohmann::json DockerApi::get(const std::string& path) {
    auto r = request("GET", path);
    if (!r.ok()) {
        std::string msg =
            r.body.is_object() && r.body.contains("message") && r.body["message"].is_string()
                ? r.body["message"].get<std::string>()
                : r.text;
        throw Error(fmt::format("Docker engine at {}: GET {}: HTTP {}: {}", m_base_url, path,
                                r.status, msg));
    }
    if (r.body.is_null())
        throw Error(
            fmt::format("Docker engine at {}: GET {}: the answer is not JSON", m_base_url, path));
    return r.body;
}

ApiResponse DockerApi::post(const std::string& path, const nlohmann::json& body) {
    if (body.is_null())
        return request("POST", path);
    return request("POST", path, body.dump());
}

std::string DockerApi::version() {
    auto j = get("/version");
    if (!j.is_object() || !j.contains("Version") || !j["Version"].is_string())
        throw Error(fmt::format("Docker engine at {}: /version has no Version", m_base_url));
    return j["Version"].get<std::string>();
}

void DockerApi::wait_for_ping(std::chrono::steady_clock::time_point deadline) {
    auto start = Clock::now();
    auto backoff = std::chrono::milliseconds(250);
    std::string last_error = "no attempt was made";
    for (;;) {
        if (Clock::now() >= deadline)
            break;
        try {
            // Each attempt is bounded by what is left, so the wait never overshoots `deadline`.
            auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
            DockerApi attempt(m_base_url, m_tls, std::max(1ms, std::min(m_timeout, left)));
            if (attempt.ping())
                return;
            last_error = "/_ping did not answer OK";
        } catch (const Error& e) {
            last_error = e.what();
        }
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left <= 0ms)
            break;
        std::this_thread::sleep_for(std::min(backoff, left));
        backoff = std::min<std::chrono::milliseconds>(backoff * 2, 2s);
    }
    auto waited = std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - start);
    throw TimeoutError(fmt::format("the Docker engine at {} did not answer within {} s ({})",
                                   m_base_url, waited.count(), last_error));
}

} // namespace machine::provision
