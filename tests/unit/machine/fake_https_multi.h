#pragma once
// A fake of the many-requests transport (provision::HttpsMulti) for the listing's logic: each
// engine, by base URL, answers (after an optional delay), refuses, or hangs; it records every
// request and cancellation, and wakes like the real one.
#include "provision/https_transport.h"

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace machine::testing {

class FakeHttpsMulti : public provision::HttpsMulti {
public:
    using Clock = std::chrono::steady_clock;
    enum class Does { Answer, Refuse, Hang };
    struct Engine {
        Does does = Does::Answer;
        std::map<std::string, std::pair<long, std::string>> answers; // path -> status, body
        std::chrono::milliseconds delay{0};
    };
    struct Seen {
        std::string base_url, path;
        std::chrono::milliseconds timeout;
    };

    void engine(const std::string& base_url, Engine e) { m_engines[base_url] = std::move(e); }

    Id start(const provision::HttpsRequest& r) override {
        Id id = ++m_last;
        m_seen.push_back({r.base_url, r.path, r.timeout});
        auto it = m_engines.find(r.base_url);
        Pending p;
        if (it == m_engines.end() || it->second.does == Does::Refuse) {
            p.due = Clock::now();
            p.answer.error = "Failed to connect to " + r.base_url + ": Connection refused";
        } else if (it->second.does == Does::Hang) {
            p.due = Clock::time_point::max();
        } else {
            p.due = Clock::now() + it->second.delay;
            auto a = it->second.answers.find(r.path);
            if (a == it->second.answers.end())
                p.answer = {"", 404, R"({"message":"page not found"})"};
            else
                p.answer = {"", a->second.first, a->second.second};
        }
        m_pending.emplace(id, std::move(p));
        return id;
    }

    Finished wait(Clock::time_point until) override {
        for (;;) {
            Finished done;
            auto next = until;
            for (auto it = m_pending.begin(); it != m_pending.end();) {
                if (it->second.due <= Clock::now()) {
                    done.emplace_back(it->first, std::move(it->second.answer));
                    it = m_pending.erase(it);
                } else {
                    next = std::min(next, it->second.due);
                    ++it;
                }
            }
            std::unique_lock lock(m_mutex);
            if (!done.empty() || Clock::now() >= until || m_woken) {
                m_woken = false;
                ++m_waits;
                return done;
            }
            m_cv.wait_until(lock, next, [this] { return m_woken; });
        }
    }

    void wake() override {
        std::lock_guard lock(m_mutex);
        m_woken = true;
        m_cv.notify_all();
    }

    void cancel(Id id) override {
        if (m_pending.erase(id))
            m_cancelled.insert(id);
    }

    const std::vector<Seen>& seen() const { return m_seen; }
    std::size_t cancelled() const { return m_cancelled.size(); }
    std::size_t unfinished() const { return m_pending.size(); }
    // Requests made to `base_url`, in order ("/info", "/nodes/n1").
    std::vector<std::string> paths(const std::string& base_url) const {
        std::vector<std::string> out;
        for (const auto& s : m_seen)
            if (s.base_url == base_url)
                out.push_back(s.path);
        return out;
    }

private:
    struct Pending {
        Clock::time_point due;
        provision::HttpsAnswer answer;
    };
    std::map<std::string, Engine> m_engines;
    std::map<Id, Pending> m_pending;
    std::vector<Seen> m_seen;
    std::set<Id> m_cancelled;
    Id m_last = 0;
    std::mutex m_mutex;
    std::condition_variable m_cv;
    bool m_woken = false;
    int m_waits = 0;
};

} // namespace machine::testing
