#pragma once
// docker-machine's drivers as machine's: what a docker-machine 0.16 "Driver" section (none,
// generic, virtualbox, kvm) becomes in the driver machine runs it with. Kept beside the drivers
// because it is knowledge of their records; `machine import` (machine/import.cpp) calls it and
// compares no driver name itself.
#include "drivers/driver_record.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace machine::drivers {

namespace fs = std::filesystem;

// Where the translated machine lives and what of docker-machine's store it keeps.
struct DockerMachinePaths {
    std::string name;        // the machine's name
    fs::path store_root;     // this store's root ("StorePath")
    fs::path key_path;       // the machine's SSH key, copied into this store
    fs::path vm_folder;      // docker-machine's `createvm --basefolder` folder (virtualbox)
    fs::path disk_path;      // the disk as it is now (kvm), already moved to where the store is
};

struct DockerMachineDriver {
    std::string driver_name;         // machine's driver: none, virtualbox or libvirt
    DriverRecord record;             // the "Driver" section machine's driver reads
    std::optional<int> engine_port;  // generic: the engine's TLS port it recorded
    bool boot2docker = false;        // the guest is docker-machine's boot2docker
    std::vector<std::string> limits; // what does not work for it here, and why
};

// Throws UsageError for a driver machine has no counterpart of, or an engine URL that is not
// tcp://HOST:PORT; StoreError for a field of the wrong kind.
DockerMachineDriver from_docker_machine(const std::string& dm_driver, const nlohmann::json& section,
                                        const DockerMachinePaths& paths);

// Whether a machine imported from docker-machine's driver `dm_driver` runs boot2docker (its
// engine comes with the ISO: machine neither upgrades nor provisions it).
bool docker_machine_runs_boot2docker(const std::string& dm_driver);

} // namespace machine::drivers
