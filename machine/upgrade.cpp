#include "machine/upgrade.h"
#include "machine/support/text.h"

#include "machine/support/error.h"

#include <fmt/format.h>

#include <sstream>

namespace machine {

namespace {

constexpr const char* k_apt = "sudo -n env DEBIAN_FRONTEND=noninteractive apt-get";

using support::trim;

std::string first_problem(const std::string& text) {
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        if (line.rfind("E:", 0) == 0 || line.rfind("W:", 0) == 0 || line.rfind("Err:", 0) == 0)
            return trim(line);
    return trim(text.substr(0, text.find('\n')));
}

} // namespace

std::optional<PackagePolicy> parse_apt_policy(const std::string& text) {
    PackagePolicy p;
    bool seen = false;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        line = trim(line);
        auto value = [&](const char* key) -> std::optional<std::optional<std::string>> {
            std::string k = key;
            if (line.rfind(k, 0) != 0)
                return std::nullopt;
            std::string v = trim(line.substr(k.size()));
            if (v.empty() || v == "(none)")
                return std::optional<std::string>{};
            return std::optional<std::string>{v};
        };
        if (auto v = value("Installed:")) {
            p.installed = *v;
            seen = true;
        } else if (auto c = value("Candidate:")) {
            p.candidate = *c;
            seen = true;
        }
    }
    if (!seen)
        return std::nullopt;
    return p;
}

UpgradeOutcome upgrade_engine(const std::string& name, UpgradeServices& s) {
    UpgradeOutcome out;
    out.engine_before = s.engine_version();

    auto policy_now = [&] {
        auto r = s.shell.exec("apt-cache policy docker.io", std::nullopt, s.command_timeout);
        auto p = parse_apt_policy(r.out);
        if (!r.ok() || !p)
            throw Error(fmt::format("cannot upgrade \"{}\": the guest has no apt (apt-cache "
                                    "policy docker.io: {}); machine upgrades Debian guests only",
                                    name, first_problem(r.err + r.out)));
        return *p;
    };
    const PackagePolicy before = policy_now();
    if (!before.installed)
        throw Error(fmt::format("cannot upgrade \"{}\": its engine ({}) is not Debian's docker.io "
                                "package, which is what machine upgrades",
                                name, out.engine_before));
    out.package_before = *before.installed;

    // apt-get update exits 0 even when every source failed ("W: Failed to fetch"): read it.
    auto update = s.shell.exec(std::string(k_apt) + " update -o Acquire::Retries=0 2>&1",
                               std::nullopt, s.command_timeout);
    const std::string text = update.out + update.err;
    const bool failed = !update.ok() || text.find("Failed to fetch") != std::string::npos ||
                        text.find("Some index files failed") != std::string::npos ||
                        text.find("Temporary failure resolving") != std::string::npos;
    if (failed)
        throw Error(fmt::format(
            "cannot upgrade \"{}\": its engine is Debian's docker.io {} and the guest reaches no "
            "package source to upgrade it from ({}); nothing was changed. Make a Debian mirror "
            "reachable (create with --engine-apt-source), or recreate the machine from a newer "
            "bundled image",
            name, out.package_before, first_problem(text)));

    const PackagePolicy after_update = policy_now();
    if (!after_update.candidate || after_update.candidate == before.installed) {
        out.package_after = out.package_before;
        out.engine_after = out.engine_before;
        return out; // already the newest its sources have
    }
    auto install = s.shell.exec(std::string(k_apt) +
                                    " install -y --only-upgrade docker.io containerd runc 2>&1",
                                std::nullopt, s.command_timeout);
    if (!install.ok())
        throw Error(fmt::format("cannot upgrade \"{}\": apt-get install docker.io {} failed: {}",
                                name, *after_update.candidate,
                                first_problem(install.out + install.err)));
    s.wait_for_engine();
    const PackagePolicy done = policy_now();
    out.package_after = done.installed.value_or("");
    out.engine_after = s.engine_version();
    out.changed = out.package_after != out.package_before;
    return out;
}

} // namespace machine
