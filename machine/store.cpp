#include "machine/store.h"

#include "machine/support/error.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sys/stat.h>

namespace machine {

namespace {
constexpr const char* k_config_file = "config.json";
}

Store::Store(fs::path root) : m_root(fs::absolute(std::move(root)).lexically_normal()) {
    if (m_root.has_filename() == false && m_root.has_parent_path())
        m_root = m_root.parent_path();
}

std::vector<std::string> Store::list() const {
    std::vector<std::string> names;
    std::error_code ec;
    for (auto it = fs::directory_iterator(machines_dir(), ec); !ec && it != fs::directory_iterator();
         it.increment(ec)) {
        if (it->is_directory(ec))
            names.push_back(it->path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
}

bool Store::exists(const std::string& name) const {
    std::error_code ec;
    return fs::is_directory(machine_dir(name), ec);
}

Host Store::load(const std::string& name) const {
    fs::path file = machine_dir(name) / k_config_file;
    if (std::error_code ec; fs::file_size(file, ec) > k_max_config_bytes && !ec)
        throw StoreError(fmt::format("{}: {} bytes, more than the {} a config.json may have",
                                     file.string(), fs::file_size(file, ec), k_max_config_bytes));
    auto text = support::try_read_file(file);
    if (!text) {
        if (!exists(name))
            throw NotFound(fmt::format("machine \"{}\" does not exist", name));
        throw StoreError(fmt::format(
            "machine \"{}\" is incomplete (no config.json; its create was interrupted); "
            "`machine rm {}` removes it",
            name, name));
    }
    Host host = host_from_config(*text, file, m_root);
    if (host.name != name)
        throw StoreError(fmt::format("{}: records name \"{}\"", file.string(), host.name));
    return host;
}

void Store::save(const Host& host) const {
    nlohmann::json j = host;
    relativize_paths(j, m_root);
    support::atomic_write(machine_dir(host.name) / k_config_file, j.dump(4) + "\n", 0600);
}

void Store::reserve(const std::string& name) const {
    support::make_dirs(machines_dir(), 0700);
    if (::mkdir(machine_dir(name).c_str(), 0700) != 0) {
        if (errno == EEXIST)
            throw UsageError(fmt::format("machine \"{}\" already exists", name));
        throw StoreError(
            fmt::format("cannot create {}: {}", machine_dir(name).string(), std::strerror(errno)));
    }
}

void Store::remove(const std::string& name) const {
    std::error_code ec;
    fs::remove_all(machine_dir(name), ec);
    if (ec)
        throw StoreError(
            fmt::format("cannot remove {}: {}", machine_dir(name).string(), ec.message()));
}

support::FileLock Store::lock(const std::string& name) const {
    support::make_dirs(m_root / "locks", 0700);
    return support::FileLock(m_root / "locks" / (name + ".lock"));
}

fs::path default_store_root() {
    if (const char* env = std::getenv("MACHINE_STORAGE_PATH"); env && *env)
        return env;
    const char* home = std::getenv("HOME");
    return fs::path(home && *home ? home : "/root") / ".machine";
}

} // namespace machine
