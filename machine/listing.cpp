#include "machine/listing.h"

#include "machine/support/error.h"
#include "machine/table.h"

#include <fmt/format.h>
#include <re2/re2.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

namespace machine {

nlohmann::json to_json(const ListRow& r) {
    return {{"Name", r.name},
            {"Active", r.active ? "*" : "-"},
            {"ActiveHost", r.active},
            {"DriverName", r.driver},
            {"State", r.state},
            {"URL", r.url},
            {"Swarm", r.swarm},
            {"DockerVersion", r.docker},
            {"Error", r.error},
            {"Labels", r.labels},
            {"ResponseTime", fmt::format("{:.0f}ms", r.response_ms)}};
}

namespace {

bool ident_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

// What the action text `a` (between {{ and }}) needs; see format_needs.
Needs action_needs(const std::string& a) {
    static const std::set<std::string> store{"Name",       "Active", "ActiveHost",
                                             "DriverName", "URL",    "Labels"};
    Needs needs = Needs::Store;
    for (size_t i = 0; i < a.size(); ++i) {
        char c = a[i];
        if (c == '"' || c == '`') { // a string literal: its content is no field
            for (++i; i < a.size() && a[i] != c; ++i)
                if (c == '"' && a[i] == '\\')
                    ++i;
        } else if (c == '/' && i + 1 < a.size() && a[i + 1] == '*') {
            auto end = a.find("*/", i + 2);
            i = end == std::string::npos ? a.size() : end + 1;
        } else if (c == '$') {
            return Needs::Engine; // the whole row
        } else if (c == '.') {
            bool number = (i > 0 && std::isdigit(static_cast<unsigned char>(a[i - 1]))) ||
                          (i + 1 < a.size() && std::isdigit(static_cast<unsigned char>(a[i + 1])));
            if (number)
                continue;
            size_t j = i + 1;
            while (j < a.size() && ident_char(a[j]))
                ++j;
            std::string field = a.substr(i + 1, j - i - 1);
            if (field.empty() || !(store.count(field) || field == "State"))
                return Needs::Engine; // {{.}}, {{json .}}, or a field only the engine knows
            if (field == "State")
                needs = Needs::Hypervisor;
            i = j - 1;
        }
    }
    return needs;
}

bool iequals(const std::string& a, const std::string& b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

Needs key_needs(const std::string& key) {
    if (key == "state")
        return Needs::Hypervisor;
    if (key == "swarm")
        return Needs::Engine;
    return Needs::Store;
}

} // namespace

Needs format_needs(const std::string& format) {
    Needs needs = Needs::Store;
    for (size_t at = format.find("{{"); at != std::string::npos; at = format.find("{{", at)) {
        auto end = format.find("}}", at + 2);
        if (end == std::string::npos)
            return Needs::Engine;
        needs = std::max(needs, action_needs(format.substr(at + 2, end - at - 2)));
        at = end + 2;
    }
    return needs;
}

ListFilter::ListFilter() = default;
ListFilter::~ListFilter() = default;
ListFilter::ListFilter(const ListFilter&) = default;
ListFilter& ListFilter::operator=(const ListFilter&) = default;

void ListFilter::add(const std::string& expr) {
    auto eq = expr.find('=');
    if (eq == std::string::npos || eq == 0)
        throw UsageError(fmt::format("--filter \"{}\": expected key=value", expr));
    std::string key = expr.substr(0, eq), value = expr.substr(eq + 1);
    static const std::set<std::string> keys{"driver", "state", "name", "label", "swarm"};
    if (!keys.count(key))
        throw UsageError(fmt::format(
            "--filter \"{}\": unknown key \"{}\" (driver, state, name, label, swarm)", expr, key));
    Term term{key, value, nullptr};
    if (key == "name") {
        // Go's regexp syntax (what docker-machine users wrote), in linear time.
        RE2::Options options;
        options.set_log_errors(false);
        auto re = std::make_shared<const RE2>(value, options);
        if (!re->ok())
            throw UsageError(
                fmt::format("--filter \"{}\": bad regular expression: {}", expr, re->error()));
        term.regex = std::move(re);
    }
    m_terms.push_back(std::move(term));
}

Needs ListFilter::needs() const {
    Needs needs = Needs::Store;
    for (const auto& t : m_terms)
        needs = std::max(needs, key_needs(t.key));
    return needs;
}

bool ListFilter::matches(const ListRow& row, Needs known) const {
    std::map<std::string, bool> by_key; // key -> any term of that key matched
    for (const auto& t : m_terms) {
        bool match;
        if (key_needs(t.key) > known)
            match = true; // decided later
        else if (t.key == "driver")
            match = iequals(row.driver, t.value);
        else if (t.key == "state")
            match = iequals(row.state, t.value);
        else if (t.key == "name")
            match = RE2::PartialMatch(row.name, *t.regex);
        else if (t.key == "swarm")
            match = iequals(row.swarm, t.value);
        else // label: k=v exactly, or k alone for "has label k"
            match = std::any_of(row.labels.begin(), row.labels.end(), [&](const std::string& l) {
                return l == t.value || l.substr(0, l.find('=')) == t.value;
            });
        by_key[t.key] = by_key[t.key] || match;
    }
    return std::all_of(by_key.begin(), by_key.end(), [](const auto& kv) { return kv.second; });
}

ProbePool::ProbePool(std::size_t threads) : m_max(std::max<std::size_t>(threads, 1)) {}

ProbePool::~ProbePool() {
    finish(std::chrono::hours(24 * 365));
}

void ProbePool::submit(std::function<void()> job) {
    std::lock_guard lock(m_mutex);
    if (m_closing)
        return;
    m_jobs.push_back(std::move(job));
    if (m_idle == 0 && m_alive < m_max) {
        ++m_alive;
        m_threads.emplace_back([this] { work(); });
    } else {
        m_changed.notify_all();
    }
}

void ProbePool::work() {
    std::unique_lock lock(m_mutex);
    for (;;) {
        ++m_idle;
        m_changed.wait(lock, [this] { return m_closing || !m_jobs.empty(); });
        --m_idle;
        if (m_closing)
            break;
        auto job = std::move(m_jobs.front());
        m_jobs.pop_front();
        lock.unlock();
        try {
            job();
        } catch (...) { // jobs report their own errors; a stray one must not end the process
        }
        job = nullptr; // its captures go before the lock is taken again
        lock.lock();
    }
    --m_alive;
    m_changed.notify_all();
}

bool ProbePool::finish(std::chrono::milliseconds wait) {
    std::unique_lock lock(m_mutex);
    m_closing = true;
    m_jobs.clear();
    m_changed.notify_all();
    if (!m_changed.wait_for(lock, wait, [this] { return m_alive == 0; }))
        return false;
    auto threads = std::move(m_threads);
    m_threads.clear();
    lock.unlock();
    for (auto& t : threads)
        t.join(); // each has left work(): only its thread-exit cleanup remains
    return true;
}

std::vector<ListRow> gather_rows(std::vector<ListRow> rows,
                                 std::function<Probed(const ListRow&)> local, ProbePool& pool,
                                 EngineBatch* engines, std::chrono::milliseconds timeout) {
    using Clock = std::chrono::steady_clock;
    const auto started = Clock::now();
    const auto deadline = started + timeout;
    // Shared with the jobs, which may outlive this call (a hypervisor call stuck past the
    // deadline): they only ever touch this.
    struct Shared {
        std::mutex mutex;
        std::condition_variable arrived;
        std::vector<std::pair<size_t, Probed>> probed;
        std::function<void()> wake; // the engines' wake(), cleared before this call returns
    };
    auto shared = std::make_shared<Shared>();
    if (engines)
        shared->wake = [engines] { engines->wake(); };
    auto probe = std::make_shared<std::function<Probed(const ListRow&)>>(std::move(local));
    for (size_t i = 0; i < rows.size(); ++i) {
        pool.submit([shared, probe, i, row = rows[i]] {
            Probed p;
            try {
                p = (*probe)(row);
            } catch (const std::exception& e) {
                p.row = row;
                p.row.state = "Error";
                p.row.error = e.what();
                p.engine.reset();
            }
            std::lock_guard lock(shared->mutex);
            shared->probed.emplace_back(i, std::move(p));
            if (shared->wake)
                shared->wake();
            shared->arrived.notify_all();
        });
    }

    std::vector<bool> done(rows.size(), false);
    size_t remaining = rows.size();
    auto elapsed_ms = [&] {
        return std::chrono::duration<double, std::milli>(Clock::now() - started).count();
    };
    while (remaining > 0) {
        std::vector<std::pair<size_t, Probed>> arrived;
        {
            std::unique_lock lock(shared->mutex);
            if (!engines)
                shared->arrived.wait_until(lock, deadline, [&] { return !shared->probed.empty(); });
            arrived.swap(shared->probed);
        }
        for (auto& [i, p] : arrived) {
            rows[i] = std::move(p.row);
            if (engines && p.engine) {
                engines->add(i, *p.engine, deadline);
            } else {
                rows[i].response_ms = elapsed_ms();
                done[i] = true;
                --remaining;
            }
        }
        if (remaining == 0 || Clock::now() >= deadline)
            break;
        if (engines) {
            for (auto& [i, status] : engines->wait(deadline)) {
                // A starved process may see a transport error (its backstop limit) only after
                // the deadline: the engine did not answer in time, so the row is a Timeout.
                if (!status.error.empty() && Clock::now() >= deadline)
                    continue;
                rows[i].docker = status.version.empty() ? "Unknown" : "v" + status.version;
                rows[i].swarm = status.swarm_role;
                if (!status.error.empty())
                    rows[i].error = status.error;
                rows[i].response_ms = elapsed_ms();
                done[i] = true;
                --remaining;
            }
        }
    }
    {
        std::lock_guard lock(shared->mutex);
        shared->wake = nullptr;
    }
    if (engines)
        engines->cancel_all();
    for (size_t i = 0; i < rows.size(); ++i) {
        if (done[i])
            continue;
        rows[i].state = "Timeout";
        rows[i].docker.clear();
        rows[i].error = fmt::format("no answer within {}s (--timeout)",
                                    std::chrono::duration<double>(timeout).count());
        rows[i].response_ms = elapsed_ms();
    }
    return rows;
}

std::string render_default_table(const std::vector<ListRow>& rows) {
    std::vector<std::vector<std::string>> cells{
        {"NAME", "ACTIVE", "DRIVER", "STATE", "URL", "SWARM", "DOCKER", "ERRORS"}};
    for (const auto& r : rows)
        cells.push_back(
            {r.name, r.active ? "*" : "-", r.driver, r.state, r.url, r.swarm, r.docker, r.error});
    return render_columns(cells, 3);
}

} // namespace machine
