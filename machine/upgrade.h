#pragma once
// `machine upgrade NAME`: the engine of a machine made from the bundled image is Debian's
// docker.io package, so upgrading it means upgrading that package from the guest's apt sources
// (Debian's mirror, or the machine's --engine-apt-source). Offline, there is nothing newer to
// install: upgrade then says so precisely, and changes nothing.
#include "provision/remote_shell.h"

#include <chrono>
#include <functional>
#include <optional>
#include <string>

namespace machine {

// What `apt-cache policy docker.io` says; nullopt fields when it says nothing.
struct PackagePolicy {
    std::optional<std::string> installed; // "20.10.24+dfsg1-1+b3"; nullopt when "(none)"
    std::optional<std::string> candidate;
};
std::optional<PackagePolicy> parse_apt_policy(const std::string& text);

struct UpgradeOutcome {
    std::string package_before, package_after; // docker.io package versions
    std::string engine_before, engine_after;   // what the engine's /version says
    bool changed = false;
};

struct UpgradeServices {
    provision::RemoteShell& shell;
    // GET /version over TLS with the machine's client certificate.
    std::function<std::string()> engine_version;
    // Waits until the engine answers /_ping again after the package's restart.
    std::function<void()> wait_for_engine;
    std::chrono::milliseconds command_timeout = std::chrono::minutes(10);
};

// Refreshes the guest's package lists, and installs a newer docker.io if its sources have one.
// Throws Error naming the cause when the sources cannot be reached (offline lab) or the guest
// has no docker.io package (an engine machine did not install).
UpgradeOutcome upgrade_engine(const std::string& machine_name, UpgradeServices& s);

} // namespace machine
