// Reading lab files with yaml-cpp. Built into machine-backends.so (see machine/CMakeLists.txt)
// so that commands other than `lab` do not load yaml-cpp; swarm/lab.cpp's parse_lab calls it.
#include "swarm/lab.h"

#include "machine/support/error.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <regex>
#include <set>

namespace machine::swarm {
namespace {

// Throws UsageError "<source>:<line>: <what>".
struct Reader {
    std::string source;

    [[noreturn]] void fail(const YAML::Node& at, const std::string& what) const {
        if (at.IsDefined() && at.Mark().line >= 0)
            throw UsageError(fmt::format("{}:{}: {}", source, at.Mark().line + 1, what));
        throw UsageError(fmt::format("{}: {}", source, what));
    }

    void only_keys(const YAML::Node& map, const std::set<std::string>& allowed,
                   const std::string& where) const {
        if (!map.IsMap())
            fail(map, fmt::format("{} must be a mapping of keys to values", where));
        for (const auto& kv : map) {
            std::string key = kv.first.as<std::string>();
            if (!allowed.count(key)) {
                std::string known;
                for (const auto& k : allowed)
                    known += (known.empty() ? "" : ", ") + k;
                fail(kv.first,
                     fmt::format("unknown key \"{}\" in {} (known: {})", key, where, known));
            }
        }
    }

    std::string text(const YAML::Node& n, const std::string& what) const {
        if (!n.IsScalar())
            fail(n, fmt::format("{} must be a single value", what));
        return n.as<std::string>();
    }

    std::optional<long> number(const YAML::Node& map, const std::string& key,
                               const std::string& where) const {
        YAML::Node n = map[key];
        if (!n.IsDefined() || n.IsNull())
            return std::nullopt;
        std::string t = text(n, key);
        long value = 0;
        size_t used = 0;
        try {
            value = std::stol(t, &used);
        } catch (const std::exception&) {
            used = 0;
        }
        if (used == 0 || used != t.size() || value <= 0)
            fail(n, fmt::format("{} of {} must be a positive whole number, not \"{}\"", key, where,
                                t));
        return value;
    }

    FlagMap flags(const YAML::Node& map, const std::string& where) const {
        FlagMap out;
        YAML::Node n = map["flags"];
        if (!n.IsDefined() || n.IsNull())
            return out;
        if (!n.IsMap())
            fail(n, fmt::format("flags of {} must map flag names to values", where));
        for (const auto& kv : n) {
            std::string name = kv.first.as<std::string>();
            while (!name.empty() && name.front() == '-')
                name.erase(name.begin());
            if (name.rfind("swarm", 0) == 0 || name == "driver" || name == "d")
                fail(kv.first, fmt::format("flag \"{}\" cannot be set in a lab file: the lab "
                                           "chooses the driver and forms the swarm itself",
                                           name));
            auto& values = out[name];
            if (kv.second.IsSequence()) {
                for (const auto& v : kv.second)
                    values.push_back(text(v, "flag " + name));
            } else {
                values.push_back(text(kv.second, "flag " + name));
            }
        }
        return out;
    }
};

bool valid_machine_name(const std::string& name) {
    static const std::regex re("[a-zA-Z0-9][a-zA-Z0-9.-]*");
    return name.size() <= 63 && std::regex_match(name, re);
}

LabSpec parse(const std::string& text, const std::string& source) {
    Reader r{source};
    YAML::Node root;
    try {
        root = YAML::Load(text);
    } catch (const YAML::Exception& e) {
        throw UsageError(fmt::format("{}:{}: not valid YAML: {}", source, e.mark.line + 1, e.msg));
    }
    if (!root.IsMap())
        throw UsageError(fmt::format("{}: a lab file is a mapping with name, driver, defaults, "
                                     "nodes and registry",
                                     source));
    r.only_keys(root, {"name", "driver", "defaults", "nodes", "registry"}, "the lab");
    LabSpec lab;
    if (!root["name"].IsDefined())
        r.fail(root, "the lab has no name");
    lab.name = r.text(root["name"], "name");
    if (!valid_machine_name(lab.name))
        r.fail(root["name"], fmt::format("lab name \"{}\" may hold only letters, digits, '-' and "
                                         "'.'",
                                         lab.name));
    if (root["driver"].IsDefined())
        lab.driver = r.text(root["driver"], "driver");
    if (YAML::Node d = root["defaults"]; d.IsDefined() && !d.IsNull()) {
        r.only_keys(d, {"memory", "cpus", "disk", "flags"}, "defaults");
        lab.memory = r.number(d, "memory", "defaults");
        lab.cpus = r.number(d, "cpus", "defaults");
        lab.disk = r.number(d, "disk", "defaults");
        lab.flags = r.flags(d, "defaults");
    }
    if (YAML::Node reg = root["registry"]; reg.IsDefined()) {
        std::string t = r.text(reg, "registry");
        if (t != "true" && t != "false")
            r.fail(reg, fmt::format("registry is true or false, not \"{}\"", t));
        lab.registry = t == "true";
    }
    YAML::Node nodes = root["nodes"];
    if (!nodes.IsDefined() || !nodes.IsSequence() || nodes.size() == 0)
        r.fail(nodes.IsDefined() ? nodes : root, "the lab needs a list of nodes");
    std::set<std::string> seen;
    for (const auto& n : nodes) {
        r.only_keys(n, {"name", "role", "memory", "cpus", "disk", "flags"}, "a node");
        LabNodeSpec node;
        if (!n["name"].IsDefined())
            r.fail(n, "a node has no name");
        node.name = r.text(n["name"], "name");
        if (!valid_machine_name(node.name))
            r.fail(n["name"], fmt::format("node name \"{}\" may hold only letters, digits, '-' "
                                          "and '.'",
                                          node.name));
        if (!seen.insert(node.name).second)
            r.fail(n["name"], fmt::format("node \"{}\" is listed twice", node.name));
        std::string role = n["role"].IsDefined() ? r.text(n["role"], "role") : "worker";
        auto parsed = parse_join_role(role);
        if (!parsed)
            r.fail(n["role"],
                   fmt::format("role of \"{}\" is manager or worker, not \"{}\"", node.name, role));
        node.role = *parsed;
        std::string where = fmt::format("node \"{}\"", node.name);
        node.memory = r.number(n, "memory", where);
        node.cpus = r.number(n, "cpus", where);
        node.disk = r.number(n, "disk", where);
        node.flags = r.flags(n, where);
        lab.nodes.push_back(std::move(node));
    }
    lab.first_manager(); // throws when there is none
    return lab;
}

} // namespace
} // namespace machine::swarm

extern "C" machine::swarm::LabSpec machine_parse_lab_v1(const std::string& text,
                                                        const std::string& source) {
    try {
        return machine::swarm::parse(text, source);
    } catch (const YAML::Exception& e) {
        // A shape the reader does not check for (a mapping as a key, say): yaml-cpp's own
        // conversion error, with its line, as a UsageError rather than a crash.
        throw machine::UsageError(fmt::format("{}:{}: {}", source, e.mark.line + 1, e.msg));
    }
}
