#pragma once
// `machine ls`: one row per machine, gathered concurrently under one overall deadline. A broken
// or slow machine shows its error in its row; it never aborts or stalls the listing.
#include "machine/host.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace machine {

struct ListRow {
    std::string name;
    bool active = false;      // DOCKER_HOST points at it
    std::string driver;
    std::string state;        // Running, Stopped, ..., Timeout, Error
    std::string url;
    std::string swarm;        // leader, manager, worker or ""
    std::string docker;       // engine version, "Unknown" when not reachable
    std::string error;
    std::vector<std::string> labels; // engine labels, for --filter label=
    double response_ms = 0;
};

// The fields `--format` templates see: docker-machine's names (Name, Active, ActiveHost,
// DriverName, State, URL, Swarm, DockerVersion, Error, ResponseTime).
nlohmann::json to_json(const ListRow& row);

// --filter key=value, repeatable: same key ORs, different keys AND (docker-machine's rule).
// Keys: driver, state, name (a regular expression), label (k=v), swarm.
class ListFilter {
public:
    // Throws UsageError for an unknown key, a missing '=' or a bad regex.
    void add(const std::string& expr);
    bool matches(const ListRow& row) const;
    bool empty() const { return m_terms.empty(); }

private:
    std::vector<std::pair<std::string, std::string>> m_terms;
};

// Runs `probe` for each name concurrently; rows not finished by `timeout` get state "Timeout".
std::vector<ListRow> gather_rows(const std::vector<std::string>& names,
                                 const std::function<ListRow(const std::string&)>& probe,
                                 std::chrono::milliseconds timeout);

// The default table: NAME ACTIVE DRIVER STATE URL SWARM DOCKER ERRORS, aligned.
std::string render_default_table(const std::vector<ListRow>& rows);

} // namespace machine
