// Reading lab files with yaml-cpp (parse_lab, swarm/lab.h). Built into machine-backends.so (see
// machine/CMakeLists.txt) so that commands other than `lab` do not load yaml-cpp.
#include "swarm/lab.h"

#include "machine/support/error.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <set>

namespace machine::swarm {
namespace {

// Throws UsageError "<source>:<line>:<column>: <what>" (yaml-cpp's marks, counted from 1).
struct Reader {
    std::string source;
    const LabRules& rules;

    [[noreturn]] void fail(const YAML::Node& at, const std::string& what) const {
        if (at.IsDefined() && at.Mark().line >= 0)
            throw UsageError(fmt::format("{}:{}:{}: {}", source, at.Mark().line + 1,
                                         at.Mark().column + 1, what));
        throw UsageError(fmt::format("{}: {}", source, what));
    }

    std::string key(const YAML::Node& k, const std::string& where) const {
        if (!k.IsScalar())
            fail(k, fmt::format("the keys of {} are names, not lists or mappings", where));
        return k.as<std::string>();
    }

    void only_keys(const YAML::Node& map, const std::set<std::string>& allowed,
                   const std::string& where) const {
        if (!map.IsMap())
            fail(map, fmt::format("{} must be a mapping of keys to values", where));
        for (const auto& kv : map) {
            std::string name = key(kv.first, where);
            if (!allowed.count(name)) {
                std::string known;
                for (const auto& k : allowed)
                    known += (known.empty() ? "" : ", ") + k;
                fail(kv.first,
                     fmt::format("unknown key \"{}\" in {} (known: {})", name, where, known));
            }
        }
    }

    std::string text(const YAML::Node& n, const std::string& what) const {
        if (!n.IsScalar())
            fail(n, fmt::format("{} must be a single value", what));
        return n.as<std::string>();
    }

    void check_name(const YAML::Node& n, const std::string& what, const std::string& name) const {
        if (!rules.name_problem)
            throw Error("lab rules without a machine-name rule");
        if (auto problem = rules.name_problem(name))
            fail(n, fmt::format("{} \"{}\" is not a valid machine name: {}", what, name, *problem));
    }

    // Memory, cpus or disk: a positive number, and the driver must have the flag it becomes.
    std::optional<long> number(const YAML::Node& map, const std::string& key,
                               const std::string& where, const std::string& driver) const {
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
        static const std::map<std::string, std::string> suffix = {
            {"memory", "-memory"}, {"cpus", "-cpu-count"}, {"disk", "-disk-size"}};
        if (!rules.driver_flags.at(driver).count(driver + suffix.at(key)))
            fail(n, fmt::format("{} cannot be set for driver \"{}\": it has no --{}{} flag", key,
                                driver, driver, suffix.at(key)));
        return value;
    }

    // Why `name` may not be set by a node of `driver`; nullopt when it may.
    std::optional<std::string> refusal(const std::string& name, const std::string& driver) const {
        if (rules.driver_flags.at(driver).count(name) || rules.node_flags.count(name))
            return std::nullopt;
        if (name.rfind("swarm", 0) == 0 || name == "driver" || name == "d")
            return fmt::format("flag \"{}\" cannot be set in a lab file: the lab chooses the "
                               "driver and forms the swarm itself",
                               name);
        for (const auto& [other, flags] : rules.driver_flags)
            if (flags.count(name))
                return fmt::format("flag \"{}\" belongs to driver \"{}\"; this lab's nodes use "
                                   "driver \"{}\"",
                                   name, other, driver);
        return fmt::format("flag \"{}\" cannot be set in a lab file: a node sets only flags of "
                           "driver \"{}\" and engine flags (see `machine create --help`); "
                           "global options go on the command line",
                           name, driver);
    }

    FlagMap flags(const YAML::Node& map, const std::string& where, const std::string& driver,
                  std::set<std::string>& switches) const {
        FlagMap out;
        YAML::Node n = map["flags"];
        if (!n.IsDefined() || n.IsNull())
            return out;
        if (!n.IsMap())
            fail(n, fmt::format("flags of {} must map flag names to values", where));
        for (const auto& kv : n) {
            std::string name = key(kv.first, "flags of " + where);
            while (!name.empty() && name.front() == '-')
                name.erase(name.begin());
            if (auto why = refusal(name, driver))
                fail(kv.first, *why);
            const auto& kinds = rules.driver_flags.at(driver);
            LabFlagKind kind = kinds.count(name) ? kinds.at(name) : rules.node_flags.at(name);
            auto& values = out[name];
            values.clear();
            if (kv.second.IsSequence()) {
                if (!kind.repeatable)
                    fail(kv.second, fmt::format("flag \"{}\" takes one value, not a list", name));
                for (const auto& v : kv.second)
                    values.push_back(text(v, "flag " + name));
            } else {
                values.push_back(text(kv.second, "flag " + name));
            }
            if (kind.is_switch) {
                switches.insert(name);
                if (values[0] != "true" && values[0] != "false")
                    fail(kv.second, fmt::format("flag \"{}\" is a switch: true or false, not "
                                                "\"{}\"",
                                                name, values[0]));
            }
        }
        return out;
    }
};

LabSpec parse(const std::string& text, const std::string& source, const LabRules& rules) {
    Reader r{source, rules};
    YAML::Node root;
    try {
        root = YAML::Load(text);
    } catch (const YAML::Exception& e) {
        throw UsageError(fmt::format("{}:{}:{}: not valid YAML: {}", source, e.mark.line + 1,
                                     e.mark.column + 1, e.msg));
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
    r.check_name(root["name"], "lab name", lab.name);
    if (root["driver"].IsDefined())
        lab.driver = r.text(root["driver"], "driver");
    if (!rules.driver_flags.count(lab.driver)) {
        std::string known;
        for (const auto& [d, flags] : rules.driver_flags)
            known += (known.empty() ? "" : ", ") + d;
        r.fail(root["driver"].IsDefined() ? root["driver"] : root,
               fmt::format("unknown driver \"{}\" (available: {})", lab.driver, known));
    }
    if (YAML::Node d = root["defaults"]; d.IsDefined() && !d.IsNull()) {
        r.only_keys(d, {"memory", "cpus", "disk", "flags"}, "defaults");
        lab.memory = r.number(d, "memory", "defaults", lab.driver);
        lab.cpus = r.number(d, "cpus", "defaults", lab.driver);
        lab.disk = r.number(d, "disk", "defaults", lab.driver);
        lab.flags = r.flags(d, "defaults", lab.driver, lab.switches);
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
        r.check_name(n["name"], "node name", node.name);
        if (!seen.insert(node.name).second)
            r.fail(n["name"], fmt::format("node \"{}\" is listed twice", node.name));
        std::string role = n["role"].IsDefined() ? r.text(n["role"], "role") : "worker";
        auto parsed = parse_join_role(role);
        if (!parsed)
            r.fail(n["role"],
                   fmt::format("role of \"{}\" is manager or worker, not \"{}\"", node.name, role));
        node.role = *parsed;
        std::string where = fmt::format("node \"{}\"", node.name);
        node.memory = r.number(n, "memory", where, lab.driver);
        node.cpus = r.number(n, "cpus", where, lab.driver);
        node.disk = r.number(n, "disk", where, lab.driver);
        node.flags = r.flags(n, where, lab.driver, lab.switches);
        lab.nodes.push_back(std::move(node));
    }
    lab.first_manager(); // throws when there is none
    return lab;
}

} // namespace

LabSpec parse_lab(const std::string& text, const std::string& source, const LabRules& rules) {
    try {
        return parse(text, source, rules);
    } catch (const YAML::Exception& e) {
        // A shape the reader does not check for (a mapping as a key, say): yaml-cpp's own
        // conversion error, with its line, as a UsageError rather than a crash.
        throw UsageError(fmt::format("{}:{}: {}", source, e.mark.line + 1, e.msg));
    }
}

} // namespace machine::swarm
