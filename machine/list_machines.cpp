#include "machine/list_machines.h"

#include "drivers/factory.h"
#include "machine/engine_status.h"
#include "machine/import.h"
#include "machine/support/error.h"
#include "machine/support/process.h"
#include "machine/support/template.h"

#include <map>
#include <optional>

namespace machine {

namespace {

// The row as the machine's record gives it: name, driver, URL, ACTIVE, labels.
ListRow store_row(const Host& host, const std::string& docker_host) {
    ListRow row;
    row.name = host.name;
    row.driver = host.driver_name;
    row.url = host.url();
    row.active = !docker_host.empty() && docker_host == row.url;
    row.labels = host.options.engine.labels;
    row.error = host.error;
    return row;
}

// The hypervisor's state of `host` (runs on a ProbePool thread), and its engine to ask when it
// is running. `engine_unavailable`: why engines cannot be asked (no transport module).
Probed hypervisor_state(const Store& store, support::ProcessRunner& runner,
                        const drivers::DriverMakers& makers, const Host& host, ListRow row,
                        bool ask_engine, const std::string& engine_unavailable) {
    Probed p;
    drivers::DriverContext dc{host.name, store.machine_dir(host.name), store.root(), &runner};
    auto driver = drivers::make_driver(host.driver_name, dc, makers);
    driver->restore(host.driver);
    drivers::State state;
    try {
        state = driver->state();
    } catch (const std::exception& e) {
        row.state = "Error";
        row.error = e.what();
        p.row = std::move(row);
        return p;
    }
    row.state = to_string(state);
    if (ask_engine && state == drivers::State::Running && host.error.empty() && !row.url.empty()) {
        if (!engine_unavailable.empty()) {
            row.docker = "Unknown";
            row.error = "Unable to query docker version: " + engine_unavailable;
        } else {
            p.engine = engine_target(host);
        }
    }
    p.row = std::move(row);
    return p;
}

} // namespace

std::string list_machines(const Store& store, const ListRequest& request,
                          const MakeHttpsMulti& make_transport,
                          const drivers::DriverMakers& makers, ProbePool& pool,
                          std::ostream& err) {
    ListFilter filter;
    for (const auto& f : request.filters)
        filter.add(f);
    std::string format = support::unescape_format(request.format);
    if (!format.empty())
        support::validate_template(format);
    Needs needs = filter.needs();
    if (!request.quiet)
        needs = std::max(needs, format.empty() ? Needs::Engine : format_needs(format));

    if (auto hint = import_hint(store)) // docker-machine has machines; this store none yet
        err << *hint << "\n";
    // The store's part, here: records that cannot be read are rows in state Error.
    auto hosts = std::make_shared<std::map<std::string, Host>>();
    std::vector<ListRow> rows;
    for (const auto& name : store.list()) {
        ListRow row;
        try {
            Host host = store.load(name);
            row = store_row(host, request.docker_host);
            hosts->emplace(name, std::move(host));
        } catch (const std::exception& e) {
            row.name = name;
            row.state = "Error";
            row.error = e.what();
        }
        if (filter.matches(row, Needs::Store))
            rows.push_back(std::move(row));
    }

    std::unique_ptr<provision::HttpsMulti> transport;
    std::optional<EngineBatch> engines;
    std::string engine_unavailable;
    if (needs >= Needs::Hypervisor && !rows.empty()) {
        if (needs == Needs::Engine) {
            try {
                transport = make_transport();
                if (!transport)
                    engine_unavailable = "libcurl cannot make a multi transport";
            } catch (const Error& e) {
                engine_unavailable = e.what();
            }
            if (transport)
                engines.emplace(*transport);
        }
        // Copies only: a state call that outlives the deadline must not touch freed state.
        auto runner = std::make_shared<support::SystemProcessRunner>();
        bool ask = needs == Needs::Engine;
        rows = gather_rows(
            std::move(rows),
            [store, runner, makers, hosts, ask, engine_unavailable](const ListRow& row) {
                auto it = hosts->find(row.name);
                if (it == hosts->end())
                    return Probed{row, std::nullopt}; // its record is unreadable
                return hypervisor_state(store, *runner, makers, it->second, row, ask,
                                        engine_unavailable);
            },
            pool, engines ? &*engines : nullptr, request.timeout);
    }

    std::vector<ListRow> shown;
    for (auto& row : rows)
        if (filter.matches(row))
            shown.push_back(std::move(row));
    std::vector<nlohmann::json> selected;
    for (const auto& row : shown)
        selected.push_back(to_json(row));
    std::string out;
    if (request.quiet) {
        for (const auto& row : shown)
            out += row.name + "\n";
    } else if (format.empty()) {
        out = render_default_table(shown);
    } else if (support::is_table_format(format)) {
        out = support::render_table(support::strip_table_prefix(format), selected,
                                    {{"DriverName", "DRIVER"},
                                     {"DockerVersion", "DOCKER"},
                                     {"Error", "ERRORS"},
                                     {"ResponseTime", "RESPONSE"}});
    } else {
        for (const auto& j : selected)
            out += support::render_template(format, j) + "\n";
    }
    return out;
}

} // namespace machine
