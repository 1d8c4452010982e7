#pragma once
// Adopting a docker-machine store (~/.docker/machine, ConfigVersion 3): each machine's
// config.json is translated into machine's Host (paths relative to this store on save), its keys
// and certificates are copied with their modes, and the docker-machine store is only read,
// never written. What an imported machine cannot do here is recorded in Host::imported.limits.
#include "machine/host.h"
#include "machine/store.h"

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace machine {

struct ImportOutcome {
    std::string name;
    bool imported = false;
    std::string reason;              // why it was skipped ("" when imported)
    std::vector<std::string> limits; // what does not work for it here, and why
};

// docker-machine's default store: $HOME/.docker/machine. (docker-machine also read
// MACHINE_STORAGE_PATH, but machine uses that variable for its own store.)
fs::path default_docker_machine_store();

// Machine folders of a docker-machine store that hold a config.json, sorted.
std::vector<std::string> docker_machine_names(const fs::path& dm_root);

// Translates one docker-machine config.json (already parsed) into a Host of `store`, with every
// path that pointed into the original store (`recorded_root`, e.g. /home/u/.docker/machine)
// rewritten to `dm_root`, where the store is now. Pure: reads and writes no file. Throws
// UsageError naming what is unsupported (unknown driver, ConfigVersion).
Host translate_docker_machine_config(const nlohmann::json& config, const fs::path& dm_root,
                                     const Store& store);

// Imports every machine of `dm_root` into `store`; one outcome per machine folder. A machine
// whose name is taken in `store`, or invalid, or whose driver machine does not have, is skipped
// with the reason; nothing of it is written. Throws NotFound if `dm_root` has no machines/.
std::vector<ImportOutcome> import_docker_machine_store(const fs::path& dm_root, const Store& store);

// The one-line hint `ls` prints on stderr while this store is empty and docker-machine's
// default store has machines; nullopt otherwise.
std::optional<std::string> import_hint(const Store& store);

} // namespace machine
