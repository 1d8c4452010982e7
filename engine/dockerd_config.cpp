#include "engine/dockerd_config.h"

#include "machine/support/error.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>

namespace machine::engine {
namespace {

bool has_control(const std::string& s) {
    return std::any_of(s.begin(), s.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; });
}

bool has_space_or_control(const std::string& s) {
    return std::any_of(s.begin(), s.end(),
                       [](unsigned char c) { return c <= 0x20 || c == 0x7f; });
}

bool all_of_chars(const std::string& s, const char* extra) {
    return std::all_of(s.begin(), s.end(), [&](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               std::string_view(extra).find(c) != std::string_view::npos;
    });
}

[[noreturn]] void bad(const char* flag, const std::string& value, const std::string& why) {
    throw UsageError(fmt::format("{} '{}': {}", flag, value, why));
}

// Why machine will not pass this dockerd flag through, or nullptr when it may.
const char* reserved_flag(const std::string& name) {
    if (name == "host" || name == "hosts")
        return "machine sets the engine's hosts (the unix socket and the TLS port); use "
               "--engine-port to change the port";
    if (name.rfind("tls", 0) == 0)
        return "machine sets up the engine's TLS itself";
    if (name == "containerd" || name == "config-file")
        return "machine sets this itself";
    if (name == "label" || name == "labels")
        return "use --engine-label instead";
    if (name == "insecure-registry" || name == "insecure-registries")
        return "use --engine-insecure-registry instead";
    if (name == "registry-mirror" || name == "registry-mirrors")
        return "use --engine-registry-mirror instead";
    if (name == "storage-driver" || name == "s")
        return "use --engine-storage-driver instead";
    if (name == "h" || name == "help" || name == "v" || name == "version")
        return "dockerd would print this and exit instead of running";
    return nullptr;
}

void validate_engine_opt(const std::string& opt) {
    const char* flag = "--engine-opt";
    auto eq = opt.find('=');
    std::string name = opt.substr(0, eq);
    if (!name.empty() && name.front() == '-')
        bad(flag, opt, "write the dockerd flag without leading dashes, e.g. 'log-level=debug'");
    if (const char* why = reserved_flag(name == "H" ? "host" : name))
        bad(flag, opt, why);
    if (name.empty() || !all_of_chars(name, "-"))
        bad(flag, opt, "expected name or name=value, with a lower-case name of letters, digits "
                       "and '-' (a dockerd flag)");
    if (eq != std::string::npos && has_control(opt.substr(eq + 1)))
        bad(flag, opt, "the value must not contain control characters (such as newlines)");
}

void validate_label(const std::string& label) {
    auto eq = label.find('=');
    if (eq == std::string::npos || eq == 0)
        bad("--engine-label", label, "expected key=value");
    if (has_space_or_control(label.substr(0, eq)))
        bad("--engine-label", label, "the key must not contain spaces or control characters");
    if (has_control(label))
        bad("--engine-label", label, "must not contain control characters (such as newlines)");
}

void validate_env(const std::string& env) {
    auto eq = env.find('=');
    std::string key = env.substr(0, eq);
    bool key_ok = !key.empty() && !(key[0] >= '0' && key[0] <= '9') &&
                  std::all_of(key.begin(), key.end(), [](char c) {
                      return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                             (c >= '0' && c <= '9') || c == '_';
                  });
    if (eq == std::string::npos || !key_ok)
        bad("--engine-env", env, "expected KEY=VALUE with KEY of letters, digits and '_'");
    if (has_control(env))
        bad("--engine-env", env, "must not contain control characters (such as newlines)");
}

void validate_mirror(const std::string& url) {
    const char* flag = "--engine-registry-mirror";
    std::string rest;
    if (url.rfind("https://", 0) == 0)
        rest = url.substr(8);
    else if (url.rfind("http://", 0) == 0)
        rest = url.substr(7);
    else
        bad(flag, url, "expected an http:// or https:// URL");
    if (has_space_or_control(url))
        bad(flag, url, "a URL must not contain spaces or control characters");
    std::string host = rest.substr(0, rest.find_first_of("/?#"));
    if (host.empty() || host.front() == ':' || host.find('@') != std::string::npos)
        bad(flag, url, "expected an http:// or https:// URL with a host");
}

void validate_insecure_registry(const std::string& reg) {
    const char* flag = "--engine-insecure-registry";
    if (reg.empty() || has_space_or_control(reg))
        bad(flag, reg, "expected host:port or a CIDR range, without spaces");
    if (reg.find("://") != std::string::npos)
        bad(flag, reg, "expected host:port or a CIDR range, without a scheme");
}

} // namespace

void validate(const EngineOptions& o) {
    for (const auto& opt : o.arbitrary_flags)
        validate_engine_opt(opt);
    for (const auto& label : o.labels)
        validate_label(label);
    for (const auto& env : o.env)
        validate_env(env);
    for (const auto& url : o.registry_mirror)
        validate_mirror(url);
    for (const auto& reg : o.insecure_registry)
        validate_insecure_registry(reg);
    if (!o.storage_driver.empty() && !all_of_chars(o.storage_driver, "-_"))
        bad("--engine-storage-driver", o.storage_driver,
            "expected a driver name such as overlay2 or vfs");
    if (o.tls_port < 1 || o.tls_port > 65535)
        bad("--engine-port", std::to_string(o.tls_port), "expected a port from 1 to 65535");
    if (o.tls_port == 2375)
        bad("--engine-port", "2375", "2375 is the unencrypted Docker port; machine only serves TLS");
    if (o.tls_port == 2377 || o.tls_port == 22)
        bad("--engine-port", std::to_string(o.tls_port),
            o.tls_port == 22 ? "SSH uses this port" : "swarm uses this port");
}

std::string render_daemon_json(const EngineOptions& o, const RemotePaths& paths) {
    validate(o);
    nlohmann::ordered_json j;
    j["hosts"] = {"unix:///var/run/docker.sock", fmt::format("tcp://0.0.0.0:{}", o.tls_port)};
    j["tls"] = true;
    j["tlsverify"] = true;
    j["tlscacert"] = paths.ca;
    j["tlscert"] = paths.cert;
    j["tlskey"] = paths.key;
    if (!o.labels.empty())
        j["labels"] = o.labels;
    if (!o.insecure_registry.empty())
        j["insecure-registries"] = o.insecure_registry;
    if (!o.registry_mirror.empty())
        j["registry-mirrors"] = o.registry_mirror;
    if (!o.storage_driver.empty())
        j["storage-driver"] = o.storage_driver;
    return j.dump(2) + "\n";
}

std::string systemd_exec_word(const std::string& word) {
    bool safe = !word.empty() && std::all_of(word.begin(), word.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               std::string_view("-_./:=,+@").find(c) != std::string_view::npos;
    });
    if (safe)
        return word;
    std::string out = "\"";
    for (char c : word) {
        if (c == '\\' || c == '"')
            out += '\\';
        if (c == '%' || c == '$')
            out += c;
        out += c;
    }
    return out + "\"";
}

std::string systemd_env_assignment(const std::string& key_value) {
    std::string out = "\"";
    for (char c : key_value) {
        if (c == '\\' || c == '"')
            out += '\\';
        if (c == '%')
            out += c;
        out += c;
    }
    return out + "\"";
}

std::string render_systemd_dropin(const EngineOptions& o) {
    validate(o);
    std::string exec = "dockerd --containerd=/run/containerd/containerd.sock";
    for (const auto& opt : o.arbitrary_flags) {
        auto eq = opt.find('=');
        std::string name = opt.substr(0, eq);
        std::string flag = (name.size() == 1 ? "-" : "--") + opt;
        exec += " " + systemd_exec_word(flag);
    }
    std::string out = fmt::format(
        "# Written by machine. Hosts and TLS settings are in {}; ExecStart is reset because\n"
        "# the packaged unit's -H flag would conflict with \"hosts\" there.\n"
        "[Service]\n"
        "ExecStart=\n"
        "ExecStart={}\n",
        k_daemon_json_path, exec);
    for (const auto& env : o.env)
        out += "Environment=" + systemd_env_assignment(env) + "\n";
    return out;
}

} // namespace machine::engine
