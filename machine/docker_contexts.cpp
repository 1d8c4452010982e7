#include "machine/docker_contexts.h"

#include "env/docker_context.h"
#include "machine/support/error.h"
#include "machine/support/fs.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstdlib>
#include <sys/stat.h>

namespace machine {

namespace {

using nlohmann::json;

std::string hex(const unsigned char* data, size_t n) {
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (size_t i = 0; i < n; ++i) {
        out += digits[data[i] >> 4];
        out += digits[data[i] & 0xf];
    }
    return out;
}

std::string random_id() {
    unsigned char bytes[16];
    if (RAND_bytes(bytes, sizeof bytes) != 1)
        throw Error("could not get random bytes for a docker context id");
    return hex(bytes, sizeof bytes);
}

fs::path meta_file(const fs::path& config_dir, const std::string& name) {
    return config_dir / "contexts" / "meta" / docker_context_id(name) / "meta.json";
}

std::optional<env::ContextMeta> read_meta(const fs::path& config_dir, const std::string& name) {
    auto text = support::try_read_file(meta_file(config_dir, name));
    if (!text)
        return std::nullopt;
    return env::parse_context_meta(*text);
}

bool meta_exists(const fs::path& config_dir, const std::string& name) {
    std::error_code ec;
    return fs::exists(meta_file(config_dir, name), ec);
}

std::optional<ContextRecord> parse_record(const std::string& text) {
    json j = json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object())
        return std::nullopt;
    ContextRecord r;
    r.name = j.value("Name", "");
    r.id = j.value("Id", "");
    r.config_dir = j.value("DockerConfig", "");
    r.machine = j.value("Machine", "");
    r.lab = j.value("Lab", "");
    if (!env::valid_docker_context_name(r.name) || r.id.empty() || r.config_dir.empty())
        return std::nullopt;
    return r;
}

// A folder the user's docker owns, made private if machine creates it.
void ensure_dir(const fs::path& dir, mode_t mode) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
        support::make_dirs(dir, mode);
}

// The context already points at the host's URL with the machine folder's certificates.
bool up_to_date(const ContextRecord& r, const Host& host) {
    auto meta = read_meta(r.config_dir, r.name);
    if (!meta || meta->host != host.url())
        return false;
    const fs::path tls = r.config_dir / "contexts" / "tls" / docker_context_id(r.name) / "docker";
    for (const char* f : {"ca.pem", "cert.pem", "key.pem"})
        if (support::try_read_file(tls / f) !=
            support::try_read_file(host.options.auth.store_path / f))
            return false;
    return true;
}

} // namespace

fs::path docker_config_dir() {
    if (const char* d = std::getenv("DOCKER_CONFIG"); d && *d)
        return fs::absolute(d);
    const char* home = std::getenv("HOME");
    if (!home || !*home)
        throw UsageError("cannot find docker's configuration: set HOME or DOCKER_CONFIG");
    return fs::path(home) / ".docker";
}

std::string docker_context_id(const std::string& name) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(name.data(), name.size(), md, &len, EVP_sha256(), nullptr) != 1)
        throw Error("sha256 failed");
    return hex(md, len);
}

DockerContexts::DockerContexts(const Store& store, fs::path config_dir)
    : m_store(store), m_config_dir(std::move(config_dir)) {}

fs::path DockerContexts::record_path(const std::string& name) const {
    return m_store.root() / "contexts" / (name + ".json");
}

void DockerContexts::save_record(const ContextRecord& r) const {
    json j = {{"Name", r.name},
              {"Id", r.id},
              {"DockerConfig", r.config_dir.string()},
              {"Machine", r.machine},
              {"Lab", r.lab}};
    ensure_dir(m_store.root() / "contexts", 0700);
    support::atomic_write(record_path(r.name), j.dump(2) + "\n", 0600);
}

std::vector<ContextRecord> DockerContexts::records() const {
    std::vector<ContextRecord> out;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(m_store.root() / "contexts", ec)) {
        if (entry.path().extension() != ".json")
            continue;
        auto text = support::try_read_file(entry.path());
        if (!text)
            continue;
        if (auto r = parse_record(*text); r && entry.path().stem() == r->name)
            out.push_back(*r);
    }
    std::sort(out.begin(), out.end(),
              [](const ContextRecord& a, const ContextRecord& b) { return a.name < b.name; });
    return out;
}

std::optional<ContextRecord> DockerContexts::ours(const std::string& name) const {
    if (!env::valid_docker_context_name(name))
        return std::nullopt;
    auto text = support::try_read_file(record_path(name));
    if (!text)
        return std::nullopt;
    auto record = parse_record(*text);
    if (!record || record->name != name)
        return std::nullopt;
    auto meta = read_meta(record->config_dir, name);
    if (!meta || meta->name != name || meta->marker != record->id)
        return std::nullopt;
    return record;
}

void DockerContexts::remove_files(const fs::path& config_dir, const std::string& name) const {
    const std::string id = docker_context_id(name);
    fs::remove_all(config_dir / "contexts" / "meta" / id);
    fs::remove_all(config_dir / "contexts" / "tls" / id);
}

ContextWrite DockerContexts::write(const std::string& name, const Host& host,
                                   const std::string& lab) {
    if (!env::valid_docker_context_name(name))
        return ContextWrite::BadName;
    auto mine = ours(name);
    if (mine && mine->config_dir != m_config_dir) {
        // Ours, but in another docker folder (DOCKER_CONFIG changed): move it here.
        remove_files(mine->config_dir, name);
        mine.reset();
    } else if (!mine && meta_exists(m_config_dir, name)) {
        return ContextWrite::NotOurs;
    }
    const std::string url = host.url();
    if (url.empty())
        throw Error(
            fmt::format("machine \"{}\" has no IP yet: no docker context written", host.name));

    ContextRecord record{name, mine ? mine->id : random_id(), m_config_dir, host.name, lab};
    // The record comes first: a crash after it leaves a record without a context (harmless,
    // dropped later), never a context of ours that nothing records.
    save_record(record);

    const std::string id = docker_context_id(name);
    const fs::path& certs = host.options.auth.store_path;
    ensure_dir(m_config_dir, 0700);
    ensure_dir(m_config_dir / "contexts", 0755);
    ensure_dir(m_config_dir / "contexts" / "tls", 0700);
    const fs::path tls = m_config_dir / "contexts" / "tls" / id / "docker";
    ensure_dir(tls.parent_path(), 0700);
    ensure_dir(tls, 0700);
    for (const char* f : {"ca.pem", "cert.pem", "key.pem"})
        support::atomic_write(tls / f, support::read_file(certs / f), 0600);

    const fs::path meta = meta_file(m_config_dir, name);
    ensure_dir(meta.parent_path().parent_path(), 0755);
    ensure_dir(meta.parent_path(), 0755);
    std::string description =
        lab.empty()
            ? fmt::format("machine {} ({})", host.name, m_store.root().string())
            : fmt::format("lab {}: manager {} ({})", lab, host.name, m_store.root().string());
    support::atomic_write(meta, env::render_context_meta(name, url, description, record.id), 0644);
    return ContextWrite::Written;
}

std::vector<std::string> DockerContexts::refresh(const Host& host) {
    std::vector<std::string> done;
    for (const auto& r : records()) {
        if (r.machine != host.name)
            continue;
        if (!ours(r.name)) {
            fs::remove(record_path(r.name));
            continue;
        }
        if (up_to_date(r, host))
            continue;
        DockerContexts there(m_store, r.config_dir);
        if (there.write(r.name, host, r.lab) == ContextWrite::Written)
            done.push_back(r.name);
    }
    return done;
}

std::string DockerContexts::remove(const std::string& name) {
    if (!env::valid_docker_context_name(name))
        return "";
    auto text = support::try_read_file(record_path(name));
    if (!text)
        return "";
    std::string line;
    if (auto r = ours(name)) {
        remove_files(r->config_dir, name);
        line = fmt::format("Removed docker context \"{}\"", name);
        DockerContexts there(m_store, r->config_dir);
        if (there.current() == name) {
            there.set_current(std::nullopt);
            line += " (docker's current context is \"default\" again)";
        }
    } else {
        line =
            fmt::format("Left docker context \"{}\" alone: it is not the one machine wrote", name);
    }
    fs::remove(record_path(name));
    return line;
}

std::vector<std::string> DockerContexts::remove_for_machine(const std::string& machine_name) {
    std::vector<std::string> lines;
    for (const auto& r : records())
        if (r.machine == machine_name)
            if (auto line = remove(r.name); !line.empty())
                lines.push_back(line);
    return lines;
}

std::string DockerContexts::current() const {
    auto text = support::try_read_file(m_config_dir / "config.json");
    return text ? env::current_context(*text) : "";
}

void DockerContexts::set_current(const std::optional<std::string>& name) const {
    fs::path path = m_config_dir / "config.json";
    std::error_code ec;
    if (fs::is_symlink(path, ec))
        path = fs::canonical(path); // a dotfiles link: edit its target, keep the link
    auto text = support::try_read_file(path);
    if (!text && !name)
        return;
    std::string updated = env::with_current_context(text.value_or(""), name);
    if (text && updated == *text)
        return;
    mode_t mode = 0600;
    struct stat st {};
    if (text && ::stat(path.c_str(), &st) == 0)
        mode = st.st_mode & 07777;
    if (!text)
        ensure_dir(m_config_dir, 0700);
    support::atomic_write(path, updated + (text ? "" : "\n"), mode);
}

} // namespace machine
