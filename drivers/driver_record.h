#pragma once
// The "Driver" section of config.json as one typed record: the fields every driver shares, in
// docker-machine 0.16.2's names, and the driver's own fields beside them as JSON. Encoded and
// decoded here only, so a wrong type is refused the same way whichever driver wrote the record.
#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>

namespace machine::drivers {

namespace fs = std::filesystem;

struct DriverRecord {
    std::string ip;           // "IPAddress"; "" until known
    std::string machine_name; // "MachineName"
    fs::path store_path;      // "StorePath": the store's root
    // "SSHUser", "SSHPort", "SSHKeyPath": written only when `has_ssh` (drivers with a VM; none
    // has no SSH and writes none of them). Decoded: set when any of the three is there.
    // SSHPort 0 is "not known yet" (virtualbox before create; docker-machine's none wrote "",
    // 0, "").
    bool has_ssh = false;
    std::string ssh_user;
    int ssh_port = 0;
    fs::path ssh_key_path;
    // "URL": the engine's URL as the user gave it (none); "" for drivers whose URL is built from
    // the IP and the engine's port. Written only when set.
    std::string url;
    // Every other field of the section: the driver's own, and fields this program does not know
    // (docker-machine's SwarmMaster, ...), kept as they were.
    nlohmann::json own = nlohmann::json::object();
};

// The section as config.json holds it: `own` with the common fields set over it.
nlohmann::json encode_record(const DriverRecord& r);
// Throws StoreError naming the field ("field \"Driver.SSHPort\": expected a port number
// 1-65535, got 0") when the section is not an object or a common field has the wrong type. An
// absent field is its default.
DriverRecord decode_record(const nlohmann::json& j);

// Reads own[key] into `out` when it is there: the drivers read their own fields with these, so a
// wrong type is a StoreError naming "Driver.<key>" for every driver; absent keeps `out`.
void read_own(const nlohmann::json& own, const char* key, std::string& out);
void read_own(const nlohmann::json& own, const char* key, fs::path& out);
void read_own(const nlohmann::json& own, const char* key, long& out);
void read_own(const nlohmann::json& own, const char* key, bool& out);

} // namespace machine::drivers
