#include "machine/cli/context.h"

#include "machine/import.h"

#include "drivers/factory.h"
#include "machine/engine_status.h"
#include "machine/listing.h"
#include "machine/support/error.h"
#include "machine/support/template.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>

namespace machine::cli {

namespace {

using namespace std::chrono_literals;

// Threads asking hypervisors for states at once (VBoxManage, libvirt); engines need none.
constexpr std::size_t k_state_threads = 8;

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
    driver->from_json(host.driver);
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

void add_ls_command(CLI::App& app, Context& ctx) {
    struct Args {
        bool quiet = false;
        std::vector<std::string> filters;
        std::string format;
        double timeout = 10;
    };
    auto args = std::make_shared<Args>();
    auto* cmd = app.add_subcommand("ls", "List machines with their state, URL and engine");
    cmd->alias("list");
    cmd->footer(R"X(Columns: NAME ACTIVE DRIVER STATE URL SWARM DOCKER ERRORS. State comes from the
hypervisor, DOCKER and SWARM from each engine's TLS API (one connection per engine, all from
one thread); a machine that does not answer within --timeout shows "Timeout" instead of
holding the list. Only what is shown is asked: -q, and a --format without engine fields, ask
no engine (a state filter asks the hypervisor, a swarm filter the engines).

Filters (repeatable; the same key ORs, different keys AND):
  --filter driver=libvirt   --filter state=Running   --filter name='^web'  (Go regexp, RE2)
  --filter label=env=test   --filter swarm=manager
Formats (Go templates): --format '{{.Name}}: {{.URL}}'
  --format 'table {{.Name}}\t{{.State}}\t{{.DockerVersion}}'   --format '{{json .}}'
  Fields: Name Active ActiveHost DriverName State URL Swarm DockerVersion Error ResponseTime)X");
    cmd->add_flag("-q,--quiet", args->quiet, "Print names only");
    cmd->add_option("-f,--filter", args->filters, "Filter key=value (repeatable)");
    cmd->add_option("--format", args->format, "Go template for each row");
    cmd->add_option("-t,--timeout", args->timeout, "Seconds to wait for all machines")
        ->capture_default_str()
        ->check(CLI::Range(0.1, 3600.0));
    cmd->callback([&ctx, args] {
        ListFilter filter;
        for (const auto& f : args->filters)
            filter.add(f);
        std::string format = support::unescape_format(args->format);
        if (!format.empty())
            support::validate_template(format);
        Needs needs = filter.needs();
        if (!args->quiet)
            needs = std::max(needs, format.empty() ? Needs::Engine : format_needs(format));

        Store store = ctx.store();
        if (auto hint = import_hint(store)) // docker-machine has machines; this store none yet
            std::cerr << *hint << "\n";
        const char* dh = std::getenv("DOCKER_HOST");
        std::string docker_host = dh ? dh : "";
        // The store's part, here: records that cannot be read are rows in state Error.
        auto hosts = std::make_shared<std::map<std::string, Host>>();
        std::vector<ListRow> rows;
        for (const auto& name : store.list()) {
            ListRow row;
            try {
                Host host = store.load(name);
                row = store_row(host, docker_host);
                hosts->emplace(name, std::move(host));
            } catch (const std::exception& e) {
                row.name = name;
                row.state = "Error";
                row.error = e.what();
            }
            if (filter.matches(row, Needs::Store))
                rows.push_back(std::move(row));
        }

        auto timeout = std::chrono::milliseconds(static_cast<long>(args->timeout * 1000));
        ProbePool pool(k_state_threads);
        std::unique_ptr<provision::HttpsMulti> transport;
        std::optional<EngineBatch> engines;
        std::string engine_unavailable;
        if (needs >= Needs::Hypervisor && !rows.empty()) {
            if (needs == Needs::Engine) {
                try {
                    transport = ctx.backends("the Docker API client").make_https_multi();
                    if (!transport)
                        engine_unavailable = "libcurl cannot make a multi transport";
                } catch (const Error& e) {
                    engine_unavailable = e.what();
                }
                if (transport)
                    engines.emplace(*transport);
            }
            // Copies only: a state call that outlives the deadline must not touch freed state.
            // The makers refer to ctx, which outlives this callback; the callback ends only once
            // every pool thread has, or ends the process (below).
            auto runner = std::make_shared<support::SystemProcessRunner>();
            bool ask = needs == Needs::Engine;
            rows = gather_rows(
                std::move(rows),
                [store, runner, makers = ctx.driver_makers(), hosts, ask,
                 engine_unavailable](const ListRow& row) {
                    auto it = hosts->find(row.name);
                    if (it == hosts->end())
                        return Probed{row, std::nullopt}; // its record is unreadable
                    return hypervisor_state(store, *runner, makers, it->second, row, ask,
                                            engine_unavailable);
                },
                pool, engines ? &*engines : nullptr, timeout);
        }

        std::vector<ListRow> shown;
        for (auto& row : rows)
            if (filter.matches(row))
                shown.push_back(std::move(row));
        std::vector<nlohmann::json> selected;
        for (const auto& row : shown)
            selected.push_back(to_json(row));
        std::string out;
        if (args->quiet) {
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
        std::cout << out << std::flush;
        if (!pool.finish(200ms)) {
            // A hypervisor call is stuck past the deadline (its row says Timeout). Its thread
            // holds no lock and writes nothing; end here rather than wait for it. No engine
            // work runs on any thread, so nothing races the exit.
            std::fflush(nullptr);
            std::_Exit(0);
        }
    });
}

} // namespace machine::cli
