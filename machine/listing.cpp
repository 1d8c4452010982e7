#include "machine/listing.h"

#include "machine/support/error.h"

#include <fmt/format.h>

#include <algorithm>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <regex>
#include <set>
#include <thread>

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

void ListFilter::add(const std::string& expr) {
    auto eq = expr.find('=');
    if (eq == std::string::npos || eq == 0)
        throw UsageError(fmt::format("--filter \"{}\": expected key=value", expr));
    std::string key = expr.substr(0, eq), value = expr.substr(eq + 1);
    static const std::set<std::string> keys{"driver", "state", "name", "label", "swarm"};
    if (!keys.count(key))
        throw UsageError(fmt::format(
            "--filter \"{}\": unknown key \"{}\" (driver, state, name, label, swarm)", expr, key));
    if (key == "name") {
        try {
            std::regex check(value);
        } catch (const std::regex_error& e) {
            throw UsageError(fmt::format("--filter \"{}\": bad regular expression: {}", expr,
                                         e.what()));
        }
    }
    m_terms.emplace_back(key, value);
}

namespace {

bool iequals(const std::string& a, const std::string& b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

bool term_matches(const std::string& key, const std::string& value, const ListRow& row) {
    if (key == "driver")
        return iequals(row.driver, value);
    if (key == "state")
        return iequals(row.state, value);
    if (key == "name")
        return std::regex_search(row.name, std::regex(value));
    if (key == "swarm")
        return iequals(row.swarm, value);
    // label: k=v exactly, or k alone for "has label k"
    return std::any_of(row.labels.begin(), row.labels.end(), [&](const std::string& l) {
        return l == value || l.substr(0, l.find('=')) == value;
    });
}

} // namespace

bool ListFilter::matches(const ListRow& row) const {
    std::map<std::string, bool> by_key; // key -> any term of that key matched
    for (const auto& [key, value] : m_terms)
        by_key[key] = by_key[key] || term_matches(key, value, row);
    return std::all_of(by_key.begin(), by_key.end(), [](const auto& kv) { return kv.second; });
}

std::vector<ListRow> gather_rows(const std::vector<std::string>& names,
                                 const std::function<ListRow(const std::string&)>& probe,
                                 std::chrono::milliseconds timeout) {
    struct Shared {
        std::mutex mutex;
        std::condition_variable done;
        std::vector<std::optional<ListRow>> rows;
        size_t finished = 0;
    };
    auto shared = std::make_shared<Shared>();
    shared->rows.resize(names.size());
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (size_t i = 0; i < names.size(); ++i) {
        // Detached: a probe stuck past the deadline must not hold the listing (or the process).
        std::thread([shared, probe, name = names[i], i] {
            auto started = std::chrono::steady_clock::now();
            ListRow row;
            try {
                row = probe(name);
            } catch (const std::exception& e) {
                row.name = name;
                row.state = "Error";
                row.error = e.what();
            }
            row.response_ms = std::chrono::duration<double, std::milli>(
                                  std::chrono::steady_clock::now() - started)
                                  .count();
            std::lock_guard lock(shared->mutex);
            shared->rows[i] = std::move(row);
            ++shared->finished;
            shared->done.notify_all();
        }).detach();
    }
    std::unique_lock lock(shared->mutex);
    shared->done.wait_until(lock, deadline, [&] { return shared->finished == names.size(); });
    std::vector<ListRow> out;
    for (size_t i = 0; i < names.size(); ++i) {
        if (shared->rows[i]) {
            out.push_back(*shared->rows[i]);
        } else {
            ListRow r;
            r.name = names[i];
            r.state = "Timeout";
            r.error = fmt::format("no answer within {}s (--timeout)",
                                  std::chrono::duration<double>(timeout).count());
            out.push_back(r);
        }
    }
    return out;
}

std::string render_default_table(const std::vector<ListRow>& rows) {
    std::vector<std::vector<std::string>> cells{
        {"NAME", "ACTIVE", "DRIVER", "STATE", "URL", "SWARM", "DOCKER", "ERRORS"}};
    for (const auto& r : rows)
        cells.push_back({r.name, r.active ? "*" : "-", r.driver, r.state, r.url, r.swarm,
                         r.docker, r.error});
    std::vector<size_t> width(cells.front().size(), 0);
    for (const auto& line : cells)
        for (size_t c = 0; c < line.size(); ++c)
            width[c] = std::max(width[c], line[c].size());
    std::string out;
    for (const auto& line : cells) {
        std::string text;
        for (size_t c = 0; c < line.size(); ++c) {
            text += line[c];
            if (c + 1 < line.size())
                text += std::string(width[c] - line[c].size() + 3, ' ');
        }
        while (!text.empty() && text.back() == ' ')
            text.pop_back();
        out += text + "\n";
    }
    return out;
}

} // namespace machine
