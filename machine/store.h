#pragma once
// The store: <root>/certs/ (CA and client certs), <root>/machines/<name>/ (config.json, keys,
// certs, disks), <root>/cache/ (images), <root>/locks/. config.json is written atomically with
// paths relative to the root, so a store can be moved or copied as a whole.
#include "machine/host.h"
#include "machine/support/fs.h"

#include <filesystem>
#include <string>
#include <vector>

namespace machine {

class Store {
public:
    explicit Store(fs::path root);

    const fs::path& root() const { return m_root; }
    fs::path certs_dir() const { return m_root / "certs"; }
    fs::path machines_dir() const { return m_root / "machines"; }
    fs::path machine_dir(const std::string& name) const { return machines_dir() / name; }
    fs::path cache_dir() const { return m_root / "cache"; }

    // Names of every machine folder, sorted (including half-created ones without config.json).
    std::vector<std::string> list() const;
    bool exists(const std::string& name) const;
    // Throws NotFound ("machine \"x\" does not exist") or StoreError (unreadable config).
    Host load(const std::string& name) const;
    // Atomic write of config.json (temp + fsync + rename).
    void save(const Host& host) const;
    // Claims a new machine folder; throws UsageError if the name is taken. Race-free across
    // processes: mkdir either creates the folder or fails.
    void reserve(const std::string& name) const;
    // Deletes the machine folder and everything in it.
    void remove(const std::string& name) const;
    // Serializes changes to one machine across processes (flock on <root>/locks/<name>.lock).
    support::FileLock lock(const std::string& name) const;

private:
    fs::path m_root;
};

// --storage-path, else $MACHINE_STORAGE_PATH, else ~/.machine (docker-machine used ~/.docker/machine).
fs::path default_store_root();

} // namespace machine
