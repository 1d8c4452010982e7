#include "machine/import.h"

#include "drivers/docker_machine.h"
#include "machine/names.h"
#include "machine/support/error.h"
#include "machine/support/fs.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <sys/stat.h>

namespace machine {

namespace {

constexpr int k_docker_machine_config_version = 3;

struct FileCopy {
    fs::path from, to;
    bool secret = false; // a private key: never more open than 0600
};

struct Translation {
    Host host;
    std::vector<FileCopy> copies;
};

// The docker-machine store a config.json was written in (its paths start there).
fs::path recorded_root(const nlohmann::json& config) {
    const auto& d = config.value("Driver", nlohmann::json::object());
    if (d.is_object() && d.contains("StorePath") && d["StorePath"].is_string() &&
        !d["StorePath"].get<std::string>().empty())
        return fs::path(d["StorePath"].get<std::string>()).lexically_normal();
    // Older drivers: AuthOptions.StorePath is <root>/machines/<name>.
    auto auth = config["HostOptions"].value("AuthOptions", nlohmann::json::object());
    fs::path machine_dir = auth.value("StorePath", "");
    return machine_dir.lexically_normal().parent_path().parent_path();
}

// A path recorded under the original store, moved to where the store is now.
fs::path remap(const std::string& recorded, const fs::path& old_root, const fs::path& dm_root) {
    if (recorded.empty())
        return {};
    fs::path p = fs::path(recorded).lexically_normal();
    if (!old_root.empty()) {
        fs::path rel = p.lexically_relative(old_root);
        if (!rel.empty() && *rel.begin() != "..")
            return (dm_root / rel).lexically_normal();
    }
    return p;
}

std::string str(const nlohmann::json& j, const char* key) {
    return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}

Translation translate(const nlohmann::json& config, const fs::path& dm_root, const Store& store,
                      const fs::path& ca_dir) {
    const int version = config.value("ConfigVersion", 0);
    if (version != k_docker_machine_config_version)
        throw UsageError(fmt::format(
            "ConfigVersion {} (expected {}): run any docker-machine 0.16 command on that store "
            "once to migrate it, then import again",
            version, k_docker_machine_config_version));
    const std::string name = str(config, "Name");
    if (auto problem = name_problem(name))
        throw UsageError(fmt::format("invalid machine name \"{}\": {}", name, *problem));
    const std::string dm_driver = str(config, "DriverName");
    const nlohmann::json driver = config.value("Driver", nlohmann::json::object());
    const nlohmann::json options = config.value("HostOptions", nlohmann::json::object());
    const nlohmann::json auth = options.value("AuthOptions", nlohmann::json::object());
    const fs::path old_root = recorded_root(config);
    const fs::path src_dir = dm_root / "machines" / name;
    const fs::path dst_dir = store.machine_dir(name);

    Translation t;
    Host& h = t.host;
    h.name = name;
    ImportInfo info;
    info.from = src_dir;
    info.driver_name = dm_driver;
    if (options.contains("EngineOptions") && options["EngineOptions"].is_object()) {
        engine::from_json(options["EngineOptions"], h.options.engine);
        info.install_url = str(options["EngineOptions"], "InstallURL");
    }
    if (options.contains("SwarmOptions") && options["SwarmOptions"].value("IsSwarm", false))
        info.limits.push_back("classic Swarm (docker-machine --swarm): machine manages swarm "
                              "mode only; the Swarm containers keep running untouched");

    const fs::path key = dst_dir / "id_rsa";
    try {
        drivers::DockerMachinePaths paths{name, store.root(), key, dm_root / "machines" / name,
                                          remap(str(driver, "DiskPath"), old_root, dm_root)};
        auto translated = drivers::from_docker_machine(dm_driver, driver, paths);
        h.driver_name = translated.driver_name;
        h.driver = std::move(translated.record);
        if (translated.engine_port)
            h.options.engine.tls_port = *translated.engine_port;
        info.limits.insert(info.limits.end(), translated.limits.begin(), translated.limits.end());
    } catch (const StoreError& e) { // a field of the wrong kind: this machine is not imported
        throw UsageError(e.what());
    }

    // CA and client pair: docker-machine's, in `ca_dir`.
    auto from_auth = [&](const char* k, const char* fallback) {
        fs::path p = remap(str(auth, k), old_root, dm_root);
        return p.empty() ? dm_root / "certs" / fallback : p;
    };
    const fs::path ca = from_auth("CaCertPath", "ca.pem");
    const fs::path ca_key = from_auth("CaPrivateKeyPath", "ca-key.pem");
    const fs::path client = from_auth("ClientCertPath", "cert.pem");
    const fs::path client_key = from_auth("ClientKeyPath", "key.pem");
    t.copies.push_back({ca, ca_dir / "ca.pem", false});
    t.copies.push_back({ca_key, ca_dir / "ca-key.pem", true});
    t.copies.push_back({client, ca_dir / "cert.pem", false});
    t.copies.push_back({client_key, ca_dir / "key.pem", true});

    // The machine folder: per-machine copies (DOCKER_CERT_PATH), server pair, SSH key. A none
    // machine of docker-machine has no per-machine copies: they are made from the CA pair, as
    // machine's own none machines have them.
    std::error_code ec;
    auto own_or = [&](const char* file, const fs::path& fallback, bool secret) {
        fs::path own = src_dir / file;
        t.copies.push_back({fs::exists(own, ec) ? own : fallback, dst_dir / file, secret});
    };
    own_or("ca.pem", ca, false);
    own_or("cert.pem", client, false);
    own_or("key.pem", client_key, true);
    for (const char* f : {"server.pem", "server-key.pem", "id_rsa", "id_rsa.pub"}) {
        const bool secret = std::string(f) == "server-key.pem" || std::string(f) == "id_rsa";
        if (fs::exists(src_dir / f, ec))
            t.copies.push_back({src_dir / f, dst_dir / f, secret});
    }

    AuthOptions& a = h.options.auth;
    a.cert_dir = ca_dir;
    a.ca_cert = ca_dir / "ca.pem";
    a.ca_key = ca_dir / "ca-key.pem";
    a.client_cert = ca_dir / "cert.pem";
    a.client_key = ca_dir / "key.pem";
    a.server_cert = dst_dir / "server.pem";
    a.server_key = dst_dir / "server-key.pem";
    a.store_path = dst_dir;
    if (auth.contains("ServerCertSANs") && auth["ServerCertSANs"].is_array())
        for (const auto& s : auth["ServerCertSANs"])
            if (s.is_string())
                a.server_cert_sans.push_back(s.get<std::string>());
    for (auto [key_name, field] : {std::pair{"CaCertRemotePath", &a.ca_cert_remote},
                                   std::pair{"ServerCertRemotePath", &a.server_cert_remote},
                                   std::pair{"ServerKeyRemotePath", &a.server_key_remote}})
        if (!str(auth, key_name).empty())
            *field = str(auth, key_name);
    h.imported = std::move(info);
    return t;
}

// Copies `c` byte for byte with the source's mode (keys capped at 0600). The source is only read.
void copy_file(const FileCopy& c) {
    struct stat st {};
    if (::stat(c.from.c_str(), &st) != 0)
        throw StoreError(fmt::format("{} is missing", c.from.string()));
    mode_t mode = st.st_mode & 0777;
    if (c.secret)
        mode &= 0600;
    support::atomic_write(c.to, support::read_file(c.from), mode);
}

bool same_bytes(const fs::path& a, const fs::path& b) {
    auto x = support::try_read_file(a);
    auto y = support::try_read_file(b);
    return x && y && *x == *y;
}

// Where docker-machine's CA pair goes in this store: <store>/certs itself when the store has no
// CA yet (machine then keeps using docker-machine's CA, as docker-machine did) or already has
// this very CA; else a folder of its own, certs/docker-machine-<hash of ca.pem>.
fs::path ca_dir_for(const Store& store, const fs::path& src_ca, const fs::path& src_ca_key) {
    std::error_code ec;
    const fs::path certs = store.certs_dir();
    const bool store_has_ca =
        fs::exists(certs / "ca.pem", ec) || fs::exists(certs / "ca-key.pem", ec);
    if (!store_has_ca && fs::exists(src_ca_key, ec))
        return certs;
    if (same_bytes(certs / "ca.pem", src_ca) && same_bytes(certs / "ca-key.pem", src_ca_key))
        return certs;
    auto text = support::try_read_file(src_ca);
    const size_t hash = std::hash<std::string>{}(text ? *text : src_ca.string());
    return certs / fmt::format("docker-machine-{:08x}", static_cast<uint32_t>(hash));
}

ImportOutcome import_one(const fs::path& dm_root, const std::string& folder, const Store& store) {
    ImportOutcome out{folder};
    const fs::path file = dm_root / "machines" / folder / "config.json";
    nlohmann::json config;
    try {
        config = nlohmann::json::parse(support::read_file(file));
    } catch (const std::exception& e) {
        out.reason = fmt::format("{} is not readable JSON: {}", file.string(), e.what());
        return out;
    }
    if (!config.is_object() || str(config, "Name") != folder) {
        out.reason = fmt::format("{} records another name", file.string());
        return out;
    }
    if (store.exists(folder)) {
        out.reason = "a machine of that name is already in machine's store";
        return out;
    }
    Translation t;
    try {
        // Translated once to learn where the CA pair comes from (copies[0] and [1]), then
        // again with the folder that pair goes to.
        Translation probe = translate(config, dm_root, store, store.certs_dir());
        t = translate(config, dm_root, store,
                      ca_dir_for(store, probe.copies[0].from, probe.copies[1].from));
    } catch (const UsageError& e) {
        out.reason = e.what();
        return out;
    }
    for (const auto& c : t.copies) {
        std::error_code ec;
        if (!fs::exists(c.from, ec)) {
            out.reason = fmt::format("{} is missing", c.from.string());
            return out;
        }
    }
    store.reserve(folder);
    try {
        auto lock = store.lock(folder);
        for (const auto& c : t.copies) {
            // The store's CA pair is shared: one already there (the same CA, see ca_dir_for)
            // is left as it is; only the new machine's folder is written.
            std::error_code ec;
            if (c.to.parent_path() != store.machine_dir(folder) && fs::exists(c.to, ec))
                continue;
            support::make_dirs(c.to.parent_path(), 0700);
            copy_file(c);
        }
        store.save(t.host);
    } catch (const std::exception& e) {
        std::error_code ec;
        fs::remove_all(store.machine_dir(folder), ec); // reserved above: only what we made
        out.reason = e.what();
        return out;
    }
    out.imported = true;
    out.limits = t.host.imported->limits;
    return out;
}

} // namespace

fs::path default_docker_machine_store() {
    const char* home = std::getenv("HOME");
    return fs::path(home && *home ? home : "/root") / ".docker" / "machine";
}

std::vector<std::string> docker_machine_names(const fs::path& dm_root) {
    std::vector<std::string> names;
    std::error_code ec;
    for (auto it = fs::directory_iterator(dm_root / "machines", ec);
         !ec && it != fs::directory_iterator(); it.increment(ec)) {
        std::error_code e2;
        if (it->is_directory(e2) && fs::exists(it->path() / "config.json", e2))
            names.push_back(it->path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
}

Host translate_docker_machine_config(const nlohmann::json& config, const fs::path& dm_root,
                                     const Store& store) {
    return translate(config, dm_root, store, store.certs_dir()).host;
}

std::vector<ImportOutcome> import_docker_machine_store(const fs::path& dm_root,
                                                       const Store& store) {
    const fs::path root = fs::absolute(dm_root).lexically_normal();
    std::error_code ec;
    if (!fs::is_directory(root / "machines", ec))
        throw NotFound(
            fmt::format("{} is not a docker-machine store (no machines/ folder)", root.string()));
    if (fs::equivalent(root, store.root(), ec))
        throw UsageError(fmt::format("{} is machine's own store", root.string()));
    std::vector<ImportOutcome> outcomes;
    for (const auto& name : docker_machine_names(root))
        outcomes.push_back(import_one(root, name, store));
    return outcomes;
}

std::optional<std::string> import_hint(const Store& store) {
    if (!store.list().empty())
        return std::nullopt;
    const fs::path dm = default_docker_machine_store();
    std::error_code ec;
    if (fs::equivalent(dm, store.root(), ec))
        return std::nullopt;
    const auto names = docker_machine_names(dm);
    if (names.empty())
        return std::nullopt;
    return fmt::format("hint: {} has {} docker-machine machine{}; `machine import "
                       "--from-docker-machine` brings them into machine's store",
                       dm.string(), names.size(), names.size() == 1 ? "" : "s");
}

} // namespace machine
