#pragma once
// The store: <root>/certs/ (CA and client certs), <root>/machines/<name>/ (config.json, keys,
// certs, disks), <root>/cache/ (images), <root>/locks/. config.json is written atomically with
// paths relative to the root, so a store can be moved or copied as a whole.
#include "drivers/driver.h"
#include "machine/host.h"
#include "machine/names.h"
#include "machine/support/fs.h"

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace machine {

// Every method that turns a name into a path takes a MachineName, which only a valid name
// becomes (names.h): no path under the store is ever built from an unchecked string.
class Store {
public:
    // `lock_timeout` bounds every wait for a machine's lock (global --timeout).
    explicit Store(fs::path root,
                   std::chrono::milliseconds lock_timeout = std::chrono::minutes(10));

    const fs::path& root() const { return m_root; }
    fs::path certs_dir() const { return m_root / "certs"; }
    fs::path machines_dir() const { return m_root / "machines"; }
    fs::path machine_dir(const MachineName& name) const { return machines_dir() / name.str(); }
    fs::path cache_dir() const { return m_root / "cache"; }

    // Names of the machine folders, sorted (including half-created ones without config.json).
    // Entries whose name is not a valid machine name, and symbolic links, are not machines.
    std::vector<std::string> list() const;
    // True if machines/<name> is there (a symbolic link too: load and remove refuse it).
    bool exists(const MachineName& name) const;
    // Throws NotFound ("machine \"x\" does not exist") or StoreError (unreadable config, a
    // symbolic link, a config.json over 1 MiB).
    Host load(const MachineName& name) const;
    // Atomic write of config.json (temp + fsync + rename).
    void save(const Host& host) const;
    // Records what `driver` knows now in host.driver, then saves: the one place a driver's record
    // is taken. Fields of the old record the driver does not write (a docker-machine store's
    // SwarmMaster, ...) are kept.
    void save(Host& host, const drivers::Driver& driver) const;
    // Claims a new machine folder and returns its lock, held; throws UsageError if the name is
    // taken. Race-free across processes: mkdir either creates the folder or fails. The first
    // thing written in it is the create marker, so the remains of an interrupted create are
    // recognisably ours. An `rm` that removed the folder before the lock was taken: Error.
    support::FileLock reserve(const MachineName& name) const;
    // Throws UsageError (nothing changed) unless machines/<name> is a folder machine made: a
    // real folder (not a link) holding a config.json that parses and records this name, or a
    // create marker, or nothing at all.
    void check_ours(const MachineName& name) const;
    // Deletes the machine folder and everything in it, after check_ours. Gone already: no-op.
    void remove(const MachineName& name) const;
    // Serializes changes to one machine across processes (flock on <root>/locks/<name>.lock).
    // Throws NotFound for a machine that does not exist (no lock file is made for it), and
    // TimeoutError (exit 5) when the holder keeps it past the lock timeout.
    support::FileLock lock(const MachineName& name) const;

private:
    // StoreError when the storage path is a file, or machines/ is a symbolic link.
    void check_layout() const;

    fs::path m_root;
    std::chrono::milliseconds m_lock_timeout;
};

// The file reserve() writes first in a new machine folder.
inline constexpr const char* k_create_marker = ".machine-create";

// --storage-path, else $MACHINE_STORAGE_PATH, else ~/.machine (docker-machine used
// ~/.docker/machine).
fs::path default_store_root();

} // namespace machine
