// The HTTPS transport over libcurl (machine-backends.so; see https_transport.h): one request at
// a time (easy interface) or many from one thread (multi interface).
#include "provision/https_transport.h"

#include "machine/support/handle.h"

#include <curl/curl.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>

namespace machine::provision {
namespace {

using CurlPtr = support::Handle<CURL, curl_easy_cleanup>;
using SlistPtr = support::Handle<curl_slist, curl_slist_free_all>;
using MultiPtr = support::Handle<CURLM, curl_multi_cleanup>;

// An engine's answers are small (/info is a few KB); a peer that sends more is not an engine.
constexpr size_t k_max_body = 16 * 1024 * 1024;

void init_curl() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t append_body(char* data, size_t size, size_t count, void* user) {
    auto* text = static_cast<std::string*>(user);
    if (text->size() + size * count > k_max_body)
        return 0; // curl ends the transfer with CURLE_WRITE_ERROR
    text->append(data, size * count);
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

// One request and everything libcurl reads or writes while it runs (curl keeps pointers).
struct Transfer {
    HttpsRequest request;
    std::string url;
    char errbuf[CURL_ERROR_SIZE] = {0};
    SlistPtr headers;
    HttpsAnswer answer;
    CurlPtr curl;
};

// Makes the handle for `t`, verified against the machine CA with the client certificate.
// Returns false with t.answer.error set when libcurl refuses.
bool prepare(Transfer& t) {
    const HttpsRequest& r = t.request;
    t.curl.reset(curl_easy_init());
    if (!t.curl) {
        t.answer.error = "libcurl: cannot create a request";
        return false;
    }
    t.url = r.base_url + r.path;
    const long timeout_ms = std::max(1L, static_cast<long>(r.timeout.count()));
    Options o(t.curl.get());
    o.set(CURLOPT_URL, t.url.c_str())
        .set(CURLOPT_CUSTOMREQUEST, r.method.c_str())
        .set(CURLOPT_NOSIGNAL, 1L)
        .set(CURLOPT_NOPROXY, "*") // the engine is always reached directly
        .set(CURLOPT_PROXY, "")
        .set(CURLOPT_TIMEOUT_MS, timeout_ms)
        .set(CURLOPT_CONNECTTIMEOUT_MS, timeout_ms)
        .set(CURLOPT_ERRORBUFFER, t.errbuf)
        .set(CURLOPT_PROTOCOLS_STR, "https")
        .set(CURLOPT_SSL_VERIFYPEER, 1L)
        .set(CURLOPT_SSL_VERIFYHOST, 2L)
        .set(CURLOPT_CAINFO, r.tls.ca.c_str())
        .set(CURLOPT_CAPATH, static_cast<const char*>(nullptr)) // only the machine CA
        .set(CURLOPT_SSLCERT, r.tls.cert.c_str())
        .set(CURLOPT_SSLKEY, r.tls.key.c_str())
        .set(CURLOPT_WRITEFUNCTION, append_body)
        .set(CURLOPT_WRITEDATA, &t.answer.text)
        .set(CURLOPT_PRIVATE, static_cast<void*>(&t));
    if (r.json_body) {
        t.headers.reset(curl_slist_append(nullptr, "Content-Type: application/json"));
        o.set(CURLOPT_HTTPHEADER, t.headers.get())
            .set(CURLOPT_POSTFIELDS, r.json_body->c_str())
            .set(CURLOPT_POSTFIELDSIZE, static_cast<long>(r.json_body->size()));
    } else if (r.method == "POST") {
        o.set(CURLOPT_POSTFIELDS, "").set(CURLOPT_POSTFIELDSIZE, 0L);
    }
    if (o.result() != CURLE_OK) {
        t.answer.error =
            std::string("libcurl: cannot set an option: ") + curl_easy_strerror(o.result());
        return false;
    }
    return true;
}

// Fills t.answer from the finished transfer's result.
void finish(Transfer& t, CURLcode rc) {
    if (rc != CURLE_OK) {
        t.answer.error = t.errbuf[0] ? t.errbuf : curl_easy_strerror(rc);
        t.answer.text.clear();
        return;
    }
    curl_easy_getinfo(t.curl.get(), CURLINFO_RESPONSE_CODE, &t.answer.status);
}

HttpsAnswer perform(const HttpsRequest& r) {
    init_curl();
    Transfer t{r, {}, {0}, {}, {}, {}};
    if (!prepare(t))
        return t.answer;
    finish(t, curl_easy_perform(t.curl.get()));
    return t.answer;
}

class CurlMulti : public HttpsMulti {
public:
    CurlMulti() {
        init_curl();
        m_multi.reset(curl_multi_init());
        if (m_multi) {
            // One connection per engine: its second request waits for the first and reuses it.
            curl_multi_setopt(m_multi.get(), CURLMOPT_MAX_HOST_CONNECTIONS, 1L);
        }
    }
    ~CurlMulti() override {
        for (auto& [id, t] : m_running)
            curl_multi_remove_handle(m_multi.get(), t->curl.get());
    }
    bool ok() const { return m_multi != nullptr; }

    Id start(const HttpsRequest& request) override {
        Id id = ++m_last_id;
        auto t = std::make_unique<Transfer>();
        t->request = request;
        if (!prepare(*t)) {
            m_failed.emplace_back(id, std::move(t->answer));
            return id;
        }
        CURLMcode rc = curl_multi_add_handle(m_multi.get(), t->curl.get());
        if (rc != CURLM_OK) {
            m_failed.emplace_back(
                id, HttpsAnswer{std::string("libcurl: ") + curl_multi_strerror(rc), 0, {}});
            return id;
        }
        m_ids[t.get()] = id;
        m_running.emplace(id, std::move(t));
        return id;
    }

    Finished wait(std::chrono::steady_clock::time_point until) override {
        Finished done = std::move(m_failed);
        m_failed.clear();
        for (;;) {
            int still = 0;
            curl_multi_perform(m_multi.get(), &still);
            collect(done);
            auto now = std::chrono::steady_clock::now();
            if (!done.empty() || now >= until)
                return done;
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - now);
            int ms = static_cast<int>(std::clamp<long long>(left.count() + 1, 1, 1000));
            int woken = 0;
            curl_multi_poll(m_multi.get(), nullptr, 0, ms, &woken);
            if (m_woken.exchange(false)) {
                curl_multi_perform(m_multi.get(), &still);
                collect(done);
                return done;
            }
        }
    }

    void wake() override {
        m_woken = true;
        curl_multi_wakeup(m_multi.get());
    }

    void cancel(Id id) override {
        auto it = m_running.find(id);
        if (it == m_running.end())
            return;
        curl_multi_remove_handle(m_multi.get(), it->second->curl.get());
        m_ids.erase(it->second.get());
        m_running.erase(it);
    }

private:
    void collect(Finished& done) {
        int queued = 0;
        while (CURLMsg* msg = curl_multi_info_read(m_multi.get(), &queued)) {
            if (msg->msg != CURLMSG_DONE)
                continue;
            void* priv = nullptr;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
            auto* t = static_cast<Transfer*>(priv);
            CURLcode rc = msg->data.result; // msg is invalid after remove_handle
            curl_multi_remove_handle(m_multi.get(), msg->easy_handle);
            auto id_it = m_ids.find(t);
            if (id_it == m_ids.end())
                continue;
            Id id = id_it->second;
            m_ids.erase(id_it);
            finish(*t, rc);
            done.emplace_back(id, std::move(t->answer));
            m_running.erase(id);
        }
    }

    MultiPtr m_multi;
    Id m_last_id = 0;
    std::map<Id, std::unique_ptr<Transfer>> m_running;
    std::map<const Transfer*, Id> m_ids;
    Finished m_failed; // requests libcurl refused at start(), reported by the next wait()
    std::atomic<bool> m_woken{false};
};

} // namespace

HttpsAnswer curl_request(const HttpsRequest& request) {
    try {
        return perform(request);
    } catch (const std::exception& e) { // std::bad_alloc from the body or the URL
        return {std::string("libcurl transport: ") + e.what(), 0, {}};
    }
}

std::unique_ptr<HttpsMulti> make_curl_multi() {
    try {
        auto multi = std::make_unique<CurlMulti>();
        if (!multi->ok())
            return nullptr;
        return multi;
    } catch (const std::exception&) {
        return nullptr;
    }
}

} // namespace machine::provision
