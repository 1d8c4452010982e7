// The HTTPS transport over libcurl (machine-backends.so; see https_transport.h).
#include "provision/https_transport.h"

#include "machine/support/handle.h"

#include <curl/curl.h>

#include <mutex>

namespace machine::provision {
namespace {

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

// Sets every option or returns the first failure.
class Options {
public:
    explicit Options(CURL* c) : m_c(c) {}
    template <class T> Options& set(CURLoption opt, T value) {
        if (m_rc == CURLE_OK)
            m_rc = curl_easy_setopt(m_c, opt, value);
        return *this;
    }
    CURLcode result() const { return m_rc; }

private:
    CURL* m_c;
    CURLcode m_rc = CURLE_OK;
};

HttpsAnswer perform(const HttpsRequest& r) {
    init_curl();
    HttpsAnswer answer;
    CurlPtr curl(curl_easy_init());
    if (!curl) {
        answer.error = "libcurl: cannot create a request";
        return answer;
    }
    CURL* c = curl.get();
    const std::string url = r.base_url + r.path;
    const long timeout_ms = static_cast<long>(r.timeout.count());
    char errbuf[CURL_ERROR_SIZE] = {0};
    SlistPtr headers;

    Options o(c);
    o.set(CURLOPT_URL, url.c_str())
        .set(CURLOPT_CUSTOMREQUEST, r.method.c_str())
        .set(CURLOPT_NOSIGNAL, 1L)
        .set(CURLOPT_NOPROXY, "*") // the engine is always reached directly
        .set(CURLOPT_PROXY, "")
        .set(CURLOPT_TIMEOUT_MS, timeout_ms)
        .set(CURLOPT_CONNECTTIMEOUT_MS, timeout_ms)
        .set(CURLOPT_ERRORBUFFER, errbuf)
        .set(CURLOPT_PROTOCOLS_STR, "https")
        .set(CURLOPT_SSL_VERIFYPEER, 1L)
        .set(CURLOPT_SSL_VERIFYHOST, 2L)
        .set(CURLOPT_CAINFO, r.tls.ca.c_str())
        .set(CURLOPT_CAPATH, static_cast<const char*>(nullptr)) // only the machine CA
        .set(CURLOPT_SSLCERT, r.tls.cert.c_str())
        .set(CURLOPT_SSLKEY, r.tls.key.c_str())
        .set(CURLOPT_WRITEFUNCTION, append_body)
        .set(CURLOPT_WRITEDATA, &answer.text);
    if (r.json_body) {
        headers.reset(curl_slist_append(nullptr, "Content-Type: application/json"));
        o.set(CURLOPT_HTTPHEADER, headers.get())
            .set(CURLOPT_POSTFIELDS, r.json_body->c_str())
            .set(CURLOPT_POSTFIELDSIZE, static_cast<long>(r.json_body->size()));
    } else if (r.method == "POST") {
        o.set(CURLOPT_POSTFIELDS, "").set(CURLOPT_POSTFIELDSIZE, 0L);
    }
    if (o.result() != CURLE_OK) {
        answer.error =
            std::string("libcurl: cannot set an option: ") + curl_easy_strerror(o.result());
        return answer;
    }
    CURLcode rc = curl_easy_perform(c);
    if (rc != CURLE_OK) {
        answer.error = errbuf[0] ? errbuf : curl_easy_strerror(rc);
        answer.text.clear();
        return answer;
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &answer.status);
    return answer;
}

} // namespace
} // namespace machine::provision

extern "C" machine::provision::HttpsAnswer
machine_https_request_v1(const machine::provision::HttpsRequest& request) {
    try {
        return machine::provision::perform(request);
    } catch (const std::exception& e) { // std::bad_alloc from the body or the URL
        return {std::string("libcurl transport: ") + e.what(), 0, {}};
    }
}
