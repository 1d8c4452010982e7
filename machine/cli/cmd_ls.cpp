// machine ls: flags, then machine/list_machines.h does the listing.
#include "machine/cli/context.h"

#include "machine/list_machines.h"
#include "machine/support/error.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstdlib>
#include <iostream>

namespace machine::cli {

namespace {

using namespace std::chrono_literals;

// Threads asking hypervisors for states at once (VBoxManage, libvirt); engines need none.
constexpr std::size_t k_state_threads = 8;

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
        const char* dh = std::getenv("DOCKER_HOST");
        ListRequest request{args->quiet, args->filters, args->format,
                            std::chrono::milliseconds(static_cast<long>(args->timeout * 1000)),
                            dh ? dh : ""};
        ProbePool pool(k_state_threads);
        // The engines' transport comes from the backends module (libcurl), made only when engines
        // are asked. The makers refer to ctx, which outlives this callback; the callback ends
        // only once every pool thread has, or ends the process (below).
        auto make_https_multi = [&ctx] {
            return ctx.backends("the Docker API client").make_https_multi();
        };
        std::cout << list_machines(ctx.store(), request, make_https_multi, ctx.driver_makers(),
                                   pool, std::cerr)
                  << std::flush;
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
