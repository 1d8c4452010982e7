#pragma once
// Docker contexts that machine writes into the docker CLI's own store ($DOCKER_CONFIG, default
// ~/.docker): contexts/meta/<sha256(name)>/meta.json and
// contexts/tls/<same>/docker/{ca,cert,key}.pem, plus config.json's "currentContext" for `machine
// use`.
//
// Identity: a context is machine's only when two records agree: the store's
// <store>/contexts/<name>.json (random id, docker folder, target machine) and the id in the
// context's own Metadata.MachineContextId. A user's context of the same name (no record, or a
// record whose id the meta.json no longer carries) is never written, moved or removed.
#include "machine/host.h"
#include "machine/store.h"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace machine {

// $DOCKER_CONFIG, else $HOME/.docker.
fs::path docker_config_dir();

// Lowercase hex sha256 of the name: the folder docker keeps a context's files under.
std::string docker_context_id(const std::string& name);

// What the store records about one context it wrote.
struct ContextRecord {
    std::string name;    // the context's name
    std::string id;      // random; also in the meta.json's Metadata
    fs::path config_dir; // the docker folder it was written to
    std::string machine; // the machine it points at
    std::string lab;     // the lab it stands for ("" for a machine's own context)
};

enum class ContextWrite {
    Written, // new, or rewritten (it was ours)
    NotOurs, // a context of that name exists and machine did not make it: left alone
    BadName, // docker refuses the name (one character, "default", ...): nothing written
};

class DockerContexts {
public:
    // `config_dir` is where new contexts go and whose config.json `use` edits.
    DockerContexts(const Store& store, fs::path config_dir);

    // Writes (or rewrites, if ours) context `name` pointing at `host`'s engine with the
    // machine folder's ca/cert/key. `lab` names the lab for a lab context.
    ContextWrite write(const std::string& name, const Host& host, const std::string& lab = "");

    // The record, if the store has one and the context on disk still carries its id.
    std::optional<ContextRecord> ours(const std::string& name) const;

    // Every record in the store (ours or no longer).
    std::vector<ContextRecord> records() const;

    // Rewrites the contexts of ours that point at `host` (new IP, new certificates). A record
    // whose context the user removed or replaced is dropped. Returns the names rewritten.
    std::vector<std::string> refresh(const Host& host);

    // Removes context `name` if ours (and resets docker's current context if it was that one);
    // always drops the store's record. Returns a line saying what happened, "" if there was no
    // record.
    std::string remove(const std::string& name);

    // Removes every context of ours that points at `machine_name`; returns the lines.
    std::vector<std::string> remove_for_machine(const std::string& machine_name);

    // docker's current context ("" for default) in config_dir/config.json.
    std::string current() const;
    // Sets (or, with nullopt, resets to default) config.json's currentContext, atomically,
    // keeping the rest of the file byte for byte and its mode.
    void set_current(const std::optional<std::string>& name) const;

    const fs::path& config_dir() const { return m_config_dir; }

private:
    fs::path record_path(const std::string& name) const;
    void save_record(const ContextRecord& record) const;
    void remove_files(const fs::path& config_dir, const std::string& name) const;

    const Store& m_store;
    fs::path m_config_dir;
};

} // namespace machine
