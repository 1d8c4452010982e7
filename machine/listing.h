#pragma once
// `machine ls`: one row per machine under one overall deadline. The store gives the row's
// fields, the hypervisor its state (on a few joinable threads), the engine its version and swarm
// role (all engines from the calling thread through one libcurl multi transport). A broken or
// slow machine shows its error in its row; it never aborts or stalls the listing.
#include "machine/engine_status.h"
#include "machine/host.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace re2 {
class RE2;
}

namespace machine {

struct ListRow {
    std::string name;
    bool active = false; // DOCKER_HOST points at it
    std::string driver;
    std::string state; // Running, Stopped, ..., Timeout, Error
    std::string url;
    std::string swarm;  // leader, manager, worker or ""
    std::string docker; // engine version, "Unknown" when not reachable
    std::string error;
    std::vector<std::string> labels; // engine labels (from the machine's record), for label=
    double response_ms = 0;
};

// The fields `--format` templates see: docker-machine's names (Name, Active, ActiveHost,
// DriverName, State, URL, Swarm, DockerVersion, Error, ResponseTime).
nlohmann::json to_json(const ListRow& row);

// How far a listing must go for what is asked: the store alone (names, driver, URL, labels),
// the hypervisor too (state), or the engines too (version, swarm role, their errors).
enum class Needs { Store = 0, Hypervisor = 1, Engine = 2 };

// What a --format template needs: Store or Hypervisor when it names only fields known by then
// (Name, Active, ActiveHost, DriverName, URL, Labels; State), Engine for anything else
// (DockerVersion, Swarm, Error, ResponseTime, {{.}}, {{json .}}, $). Decided from the text, so
// it may answer Engine for a template that would not need it, never the other way round.
Needs format_needs(const std::string& format);

// --filter key=value, repeatable: same key ORs, different keys AND (docker-machine's rule).
// Keys: driver, state, name (a regular expression in Go's syntax, RE2, searched as Go's
// MatchString), label (k=v or k), swarm.
class ListFilter {
public:
    ListFilter();
    ~ListFilter();
    ListFilter(const ListFilter&);
    ListFilter& operator=(const ListFilter&);
    // Throws UsageError for an unknown key, a missing '=' or a bad regular expression.
    void add(const std::string& expr);
    // Terms that need more than `known` count as matching (decided later, on a fuller row).
    bool matches(const ListRow& row, Needs known = Needs::Engine) const;
    bool empty() const { return m_terms.empty(); }
    // The most any term needs: state needs the hypervisor, swarm the engine.
    Needs needs() const;

private:
    struct Term {
        std::string key, value;
        std::shared_ptr<const re2::RE2> regex; // for name=
    };
    std::vector<Term> m_terms;
};

// Up to `threads` joinable threads running submitted jobs in order. Nothing is ever detached:
// the destructor waits for running jobs, so a caller that cannot wait (a job stuck in a
// hypervisor call past the deadline) ends the process with std::_Exit before destroying it.
class ProbePool {
public:
    explicit ProbePool(std::size_t threads);
    ~ProbePool();
    ProbePool(const ProbePool&) = delete;
    ProbePool& operator=(const ProbePool&) = delete;
    void submit(std::function<void()> job);
    // Drops jobs not started, waits up to `wait` for running ones; true when every thread has
    // ended and was joined.
    bool finish(std::chrono::milliseconds wait);

private:
    void work();
    std::size_t m_max;
    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::deque<std::function<void()>> m_jobs;
    std::size_t m_idle = 0, m_alive = 0;
    bool m_closing = false;
    std::vector<std::thread> m_threads;
};

// A row as far as the hypervisor knows it, and the engine to ask for the rest (none: the
// machine is not running, has no URL, has a recorded error, or engines are not asked).
struct Probed {
    ListRow row;
    std::optional<EngineTarget> engine;
};

// Fills in `rows` (from the store) under one deadline: runs `local` for each on `pool`, then
// asks the engine of each row `local` names through `engines` (null: engines are not asked)
// from this thread, as soon as that row's `local` is done. Returns in the order of `rows` by
// `timeout`: a row not complete by then has state "Timeout"; `local` throwing gives "Error".
std::vector<ListRow> gather_rows(std::vector<ListRow> rows,
                                 std::function<Probed(const ListRow&)> local, ProbePool& pool,
                                 EngineBatch* engines, std::chrono::milliseconds timeout);

// The default table: NAME ACTIVE DRIVER STATE URL SWARM DOCKER ERRORS, aligned.
std::string render_default_table(const std::vector<ListRow>& rows);

} // namespace machine
