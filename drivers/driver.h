#pragma once
// The Driver interface every hypervisor backend implements (none, libvirt, virtualbox).
// A driver owns the VM and everything the hypervisor holds for it; it never talks SSH and never
// touches the engine. State, IP and lifecycle come from the hypervisor's API (or its CLI).
// Drivers are chosen in exactly one place: make_driver() in drivers/factory.h.
#include "drivers/driver_record.h"
#include "machine/support/process.h"

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace machine::drivers {

namespace fs = std::filesystem;

enum class State { None, Running, Paused, Saved, Stopped, Stopping, Starting, Error };
// "Running", "Stopped", ... as docker-machine prints them.
std::string to_string(State s);

// A create-time flag a driver accepts, named in docker-machine's style ("libvirt-memory").
struct FlagSpec {
    std::string name;           // without dashes
    std::string help;           // one line, says the unit and the default
    std::string default_value;  // as text; "" for none
    std::string env_var;        // e.g. "LIBVIRT_MEMORY"; "" for none
    bool is_bool = false;       // a switch, no value
    bool repeatable = false;    // may be given several times (values kept in order)
};

// The values given for create flags, by flag name. Unset flags answer with their default.
class FlagValues {
public:
    FlagValues() = default;
    FlagValues(std::vector<FlagSpec> specs, std::map<std::string, std::vector<std::string>> given);
    bool is_set(const std::string& name) const;
    std::string get(const std::string& name) const;          // last value, else default
    std::vector<std::string> get_all(const std::string& name) const;
    bool get_bool(const std::string& name) const;
    // Parses an integer in [min, max]; throws UsageError naming the flag otherwise.
    long get_int(const std::string& name, long min, long max) const;

private:
    const FlagSpec* spec(const std::string& name) const;
    std::vector<FlagSpec> m_specs;
    std::map<std::string, std::vector<std::string>> m_given;
};

// Where to reach the machine over SSH. Drivers know the address; provision/ does the talking.
struct SshEndpoint {
    std::string host;
    int port = 22;
    std::string user;
    fs::path key_path;  // private key (absolute)
};

// Everything the create pipeline prepared before the VM exists.
struct CreateSpec {
    std::string machine_name;
    fs::path machine_dir;           // <store>/machines/<name>, exists
    fs::path ssh_key_path;          // private key in machine_dir; `.pub` beside it
    fs::path base_image;            // bundled image (qcow2) when the driver needs one
    fs::path seed_iso;              // cidata seed in machine_dir (hostname, key, network config)
};

// Everything a driver may use from its surroundings: passed in, never global.
struct DriverContext {
    std::string machine_name;
    fs::path machine_dir;
    fs::path store_dir;
    support::ProcessRunner* runner = nullptr;   // the one way to spawn programs
};

class Driver {
public:
    virtual ~Driver() = default;

    // "libvirt", "virtualbox", "none".
    virtual std::string driver_name() const = 0;
    // False for drivers that record an engine they do not run (none): no VM, no SSH, no
    // provisioning.
    virtual bool has_vm() const { return true; }
    // Whether create() boots CreateSpec::base_image (the bundled image); false when the user
    // gave the driver an image of its own, so the pipeline need not build or fetch one.
    virtual bool uses_bundled_image() const { return has_vm(); }
    // Applies create flags and checks the host can do it (hypervisor reachable, image present,
    // sizes sane). Changes nothing; throws UsageError / Unavailable with one clear line.
    virtual void configure(const FlagValues& flags) = 0;
    // Network config (cloud-init network-config v2 YAML) the seed must carry, if the driver
    // decides the guest's address itself; "" to let the guest use DHCP.
    virtual std::string seed_network_config() const { return {}; }
    // Creates disk, seed attachment and VM, and boots it. Records what it made as it goes, so a
    // failure half-way leaves state that remove() can clean.
    virtual void create(const CreateSpec& spec) = 0;
    // The VM's state from the hypervisor. Never waits on SSH.
    virtual State state() = 0;
    // The machine's IP as the hypervisor (or the driver's own record) knows it; "" if unknown.
    virtual std::string ip() = 0;
    // Where provision/ and `machine ssh` connect.
    virtual SshEndpoint ssh_endpoint() = 0;
    virtual void start() = 0;
    // Graceful (ACPI) with a bounded wait, then forced, saying so.
    virtual void stop() = 0;
    virtual void restart() { stop(); start(); }
    // Forced power-off.
    virtual void kill() = 0;
    // Removes everything the driver made. Succeeds when parts are already gone; returns one line
    // per thing it cleaned (for the user to see).
    virtual std::vector<std::string> remove() = 0;
    // What config.json's "Driver" section records: the common fields, and in `own` this
    // driver's fields only (docker-machine's names). Paths are absolute here; the store makes
    // keys ending in "Path" relative on save. Taken in one place (Store::save with a driver).
    virtual DriverRecord record() const = 0;
    // Restores what record() gave; a field of `own` of the wrong type: StoreError naming it.
    virtual void restore(const DriverRecord& r) = 0;
};

} // namespace machine::drivers
