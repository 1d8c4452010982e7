#include "engine/engine_options.h"

namespace machine::engine {

void to_json(nlohmann::json& j, const EngineOptions& o) {
    j = nlohmann::json{{"ArbitraryFlags", o.arbitrary_flags},
                       {"Env", o.env},
                       {"InsecureRegistry", o.insecure_registry},
                       {"Labels", o.labels},
                       {"RegistryMirror", o.registry_mirror},
                       {"StorageDriver", o.storage_driver},
                       {"TlsVerify", true},
                       {"TlsPort", o.tls_port},
                       {"AptSource", o.apt_source}};
}

void from_json(const nlohmann::json& j, EngineOptions& o) {
    auto list = [&](const char* key) {
        return j.contains(key) && j[key].is_array() ? j[key].get<std::vector<std::string>>()
                                                     : std::vector<std::string>{};
    };
    o.arbitrary_flags = list("ArbitraryFlags");
    o.env = list("Env");
    o.insecure_registry = list("InsecureRegistry");
    o.labels = list("Labels");
    o.registry_mirror = list("RegistryMirror");
    o.storage_driver = j.value("StorageDriver", "");
    o.tls_port = j.value("TlsPort", 2376);
    o.apt_source = j.value("AptSource", "");
}

} // namespace machine::engine
