#include "machine/store.h"

#include "machine/support/error.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace machine {

namespace {
constexpr const char* k_config_file = "config.json";
constexpr uintmax_t k_max_config_size = 1 << 20; // a record is a few KiB

enum class Kind { Absent, Folder, Link, Other };

Kind kind_of(const fs::path& p) {
    std::error_code ec;
    auto st = fs::symlink_status(p, ec);
    if (ec || st.type() == fs::file_type::not_found)
        return Kind::Absent;
    if (st.type() == fs::file_type::symlink)
        return Kind::Link;
    return st.type() == fs::file_type::directory ? Kind::Folder : Kind::Other;
}

// config.json's text, or nullopt if absent; StoreError if it is a link, not a file, or huge.
std::optional<std::string> read_config(const fs::path& file) {
    std::error_code ec;
    auto st = fs::symlink_status(file, ec);
    if (ec || st.type() == fs::file_type::not_found)
        return std::nullopt;
    if (st.type() != fs::file_type::regular)
        throw StoreError(fmt::format("{}: not a regular file", file.string()));
    auto size = fs::file_size(file, ec);
    if (!ec && size > k_max_config_size)
        throw StoreError(fmt::format("{}: {} bytes; a machine record is at most {} bytes",
                                     file.string(), size, k_max_config_size));
    auto text = support::try_read_file(file);
    if (text && text->size() > k_max_config_size)
        throw StoreError(fmt::format("{}: a machine record is at most {} bytes", file.string(),
                                     k_max_config_size));
    return text;
}
} // namespace

Store::Store(fs::path root, std::chrono::milliseconds lock_timeout)
    : m_root(fs::absolute(std::move(root)).lexically_normal()), m_lock_timeout(lock_timeout) {
    if (m_root.has_filename() == false && m_root.has_parent_path())
        m_root = m_root.parent_path();
}

void Store::check_layout() const {
    std::error_code ec;
    auto st = fs::status(m_root, ec); // the root may be a link the user made (~/.machine -> /data)
    if (!ec && st.type() != fs::file_type::not_found && st.type() != fs::file_type::directory)
        throw StoreError(fmt::format("storage path {} is not a folder", m_root.string()));
    if (kind_of(machines_dir()) == Kind::Link || kind_of(machines_dir()) == Kind::Other)
        throw StoreError(fmt::format("{} is not a folder of the store (a symbolic link or a "
                                     "file); machine does not follow links out of its store",
                                     machines_dir().string()));
}

std::vector<std::string> Store::list() const {
    check_layout();
    std::vector<std::string> names;
    std::error_code ec;
    for (auto it = fs::directory_iterator(machines_dir(), ec);
         !ec && it != fs::directory_iterator(); it.increment(ec)) {
        std::string name = it->path().filename().string();
        std::error_code ec2;
        if (!it->is_symlink(ec2) && it->is_directory(ec2) && !name_problem(name))
            names.push_back(name);
    }
    std::sort(names.begin(), names.end());
    return names;
}

bool Store::exists(const MachineName& name) const {
    return kind_of(machine_dir(name)) != Kind::Absent;
}

Host Store::load(const MachineName& name_) const {
    const std::string& name = name_.str();
    check_layout();
    switch (kind_of(machine_dir(name_))) {
    case Kind::Absent:
        throw NotFound(fmt::format("machine \"{}\" does not exist", name));
    case Kind::Link:
        throw StoreError(fmt::format("{} is a symbolic link; machine does not follow links out "
                                     "of its store",
                                     machine_dir(name_).string()));
    case Kind::Other:
        throw StoreError(fmt::format("{} is not a folder", machine_dir(name_).string()));
    case Kind::Folder:
        break;
    }
    fs::path file = machine_dir(name_) / k_config_file;
    auto text = read_config(file);
    if (!text) {
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

void Store::save(Host& host, const drivers::Driver& driver) const {
    drivers::DriverRecord fresh = driver.record();
    nlohmann::json own = host.driver.own;
    own.update(fresh.own);
    fresh.own = std::move(own);
    host.driver = std::move(fresh);
    save(host);
}

support::FileLock Store::reserve(const MachineName& name) const {
    check_layout();
    support::make_dirs(machines_dir(), 0700);
    const fs::path dir = machine_dir(name);
    if (::mkdir(dir.c_str(), 0700) != 0) {
        if (errno == EEXIST)
            throw UsageError(fmt::format("machine \"{}\" already exists", name.str()));
        throw StoreError(fmt::format("cannot create {}: {}", dir.string(), std::strerror(errno)));
    }
    support::FileLock held = lock(name);
    if (kind_of(dir) != Kind::Folder) // an `rm NAME` came between mkdir and the lock
        throw Error(
            fmt::format("machine \"{}\" was removed while it was being created", name.str()));
    // Killed before this line, the folder is empty (check_ours accepts an empty folder).
    const fs::path marker = dir / k_create_marker;
    int fd = ::open(marker.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        throw StoreError(
            fmt::format("cannot create {}: {}", marker.string(), std::strerror(errno)));
    std::string text = fmt::format("made by machine create (pid {})\n", ::getpid());
    bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    ok = ::close(fd) == 0 && ok;
    if (!ok)
        throw StoreError(fmt::format("cannot write {}", marker.string()));
    return held;
}

void Store::check_ours(const MachineName& name) const {
    const fs::path dir = machine_dir(name);
    auto refuse = [&](const std::string& why) {
        return UsageError(fmt::format("{} {}; machine removes only what it made (nothing removed)",
                                      dir.string(), why));
    };
    if (kind_of(machines_dir()) == Kind::Link)
        throw refuse("is inside a symbolic link (machines/)");
    check_layout();
    switch (kind_of(dir)) {
    case Kind::Absent:
        throw NotFound(fmt::format("machine \"{}\" does not exist", name.str()));
    case Kind::Link:
        throw refuse("is a symbolic link");
    case Kind::Other:
        throw refuse("is not a folder");
    case Kind::Folder:
        break;
    }
    std::error_code ec;
    if (fs::symlink_status(dir / k_create_marker, ec).type() == fs::file_type::regular)
        return; // made by reserve()
    if (fs::is_empty(dir, ec) && !ec)
        return; // reserve() was interrupted before its marker: nothing in it to lose
    std::optional<std::string> text;
    try {
        text = read_config(dir / k_config_file);
    } catch (const StoreError&) {
        throw refuse("holds no readable machine record");
    }
    if (!text)
        throw refuse("holds no machine record (config.json) and no create marker");
    // Only the top level is kept: a deep or huge record cannot exhaust the stack or memory.
    auto top_level_only = [](int depth, nlohmann::json::parse_event_t, nlohmann::json&) {
        return depth <= 1;
    };
    nlohmann::json j = nlohmann::json::parse(*text, top_level_only, false);
    if (j.is_discarded() || !j.is_object())
        throw refuse("holds a config.json that is not a machine record");
    auto it = j.find("Name");
    if (it == j.end() || !it->is_string() || it->get<std::string>() != name.str())
        throw refuse(
            fmt::format("holds a config.json that does not record the name \"{}\"", name.str()));
}

void Store::remove(const MachineName& name) const {
    if (kind_of(machine_dir(name)) == Kind::Absent)
        return;
    check_ours(name);
    std::error_code ec;
    fs::remove_all(machine_dir(name), ec);
    if (ec)
        throw StoreError(
            fmt::format("cannot remove {}: {}", machine_dir(name).string(), ec.message()));
}

support::FileLock Store::lock(const MachineName& name) const {
    check_layout();
    if (!exists(name))
        throw NotFound(fmt::format("machine \"{}\" does not exist", name.str()));
    support::make_dirs(m_root / "locks", 0700);
    return support::FileLock(m_root / "locks" / (name.str() + ".lock"),
                             {m_lock_timeout, fmt::format("machine \"{}\"", name.str())});
}

fs::path default_store_root() {
    if (const char* env = std::getenv("MACHINE_STORAGE_PATH"); env && *env)
        return env;
    const char* home = std::getenv("HOME");
    return fs::path(home && *home ? home : "/root") / ".machine";
}

} // namespace machine
