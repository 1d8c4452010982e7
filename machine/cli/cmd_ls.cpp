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

namespace machine::cli {

namespace {

// Everything about one machine that ls shows; runs on its own thread.
ListRow probe(const Store& store, support::ProcessRunner& runner, const std::string& name,
              const std::string& docker_host, std::chrono::milliseconds engine_timeout) {
    ListRow row;
    row.name = name;
    Host host = store.load(name);
    row.driver = host.driver_name;
    row.url = host.url();
    row.active = !docker_host.empty() && docker_host == row.url;
    row.labels = host.options.engine.labels;
    drivers::DriverContext dc{name, store.machine_dir(name), store.root(), &runner};
    auto driver = drivers::make_driver(host.driver_name, dc);
    driver->from_json(host.driver);
    row.error = host.error;
    drivers::State state;
    try {
        state = driver->state();
    } catch (const std::exception& e) {
        row.state = "Error";
        row.error = e.what();
        return row;
    }
    row.state = to_string(state);
    if (state == drivers::State::Running && host.error.empty() && !row.url.empty()) {
        EngineStatus engine = query_engine(host, engine_timeout);
        row.docker = engine.version.empty() ? "Unknown" : "v" + engine.version;
        row.swarm = engine.swarm_role;
        if (!engine.error.empty())
            row.error = engine.error;
    }
    return row;
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
hypervisor, DOCKER and SWARM from each engine's TLS API; all machines are asked at once and
a machine that does not answer within --timeout shows "Timeout" instead of holding the list.

Filters (repeatable; the same key ORs, different keys AND):
  --filter driver=libvirt   --filter state=Running   --filter name='^web'
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
        Store store = ctx.store();
        if (auto hint = import_hint(store)) // docker-machine has machines; this store none yet
            std::cerr << *hint << "\n";
        const char* dh = std::getenv("DOCKER_HOST");
        std::string docker_host = dh ? dh : "";
        auto timeout = std::chrono::milliseconds(static_cast<long>(args->timeout * 1000));
        // Copies only: a probe that outlives the deadline must not touch freed state.
        auto runner = std::make_shared<support::SystemProcessRunner>();
        auto rows = gather_rows(
            store.list(),
            [store, runner, docker_host, timeout](const std::string& name) {
                return probe(store, *runner, name, docker_host, timeout);
            },
            timeout);
        bool timed_out = false;
        std::string out;
        std::vector<nlohmann::json> selected;
        for (const auto& row : rows) {
            timed_out = timed_out || row.state == "Timeout";
            if (filter.matches(row))
                selected.push_back(to_json(row));
        }
        if (args->quiet) {
            for (const auto& j : selected)
                out += j["Name"].get<std::string>() + "\n";
        } else if (format.empty()) {
            std::vector<ListRow> shown;
            for (const auto& row : rows)
                if (filter.matches(row))
                    shown.push_back(row);
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
        if (timed_out) {
            // Probes still running past the deadline hold no locks and write nothing; end the
            // process without waiting for them (or running static destructors under them).
            std::fflush(nullptr);
            std::_Exit(0);
        }
    });
}

} // namespace machine::cli
