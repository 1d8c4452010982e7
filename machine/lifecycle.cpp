#include "machine/lifecycle.h"

#include "machine/docker_contexts.h"
#include "machine/provisioning.h"
#include "machine/support/log.h"

#include <fmt/format.h>
#include <fmt/ostream.h>

namespace machine {

namespace {

void start(Host& host, drivers::Driver& driver, LifecycleServices& s) {
    if (driver.state() == drivers::State::Running) {
        fmt::print(s.out, "Machine \"{}\" is already running.\n", host.name);
        return;
    }
    fmt::print(s.out, "Starting \"{}\"...\n", host.name);
    driver.start();
    after_start(host, driver, s.store, s.remote, s.out);
    // A new IP (or certificate) reaches the docker contexts machine wrote for it.
    for (const auto& c : DockerContexts(s.store, fs::path()).refresh(host))
        fmt::print(s.out, "Updated docker context \"{}\" ({})\n", c, host.url());
    fmt::print(s.out, "Machine \"{}\" was started.\n", host.name);
}

void stop(Host& host, drivers::Driver& driver, LifecycleServices& s) {
    if (driver.state() == drivers::State::Stopped) {
        fmt::print(s.out, "Machine \"{}\" is already stopped.\n", host.name);
        return;
    }
    fmt::print(s.out, "Stopping \"{}\"...\n", host.name);
    driver.stop();
    fmt::print(s.out, "Machine \"{}\" was stopped.\n", host.name);
}

} // namespace

void run_action(Action action, Host& host, drivers::Driver& driver, LifecycleServices& s) {
    switch (action) {
    case Action::Start:
        start(host, driver, s);
        break;
    case Action::Stop:
        stop(host, driver, s);
        break;
    case Action::Restart:
        fmt::print(s.out, "Restarting \"{}\"...\n", host.name);
        stop(host, driver, s);
        start(host, driver, s);
        break;
    case Action::Kill:
        fmt::print(s.out, "Killing \"{}\"...\n", host.name);
        driver.kill();
        fmt::print(s.out, "Machine \"{}\" was killed.\n", host.name);
        break;
    }
    s.store.save(host, driver);
}

} // namespace machine
