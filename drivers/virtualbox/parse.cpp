#include "drivers/virtualbox/parse.h"
#include "machine/support/text.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <regex>
#include <sstream>

namespace machine::drivers::virtualbox {
namespace {

using support::trim;

using support::lower;

std::vector<std::string> lines_of(const std::string& out) {
    std::vector<std::string> lines;
    std::istringstream in(out);
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        lines.push_back(line);
    }
    return lines;
}

// "Key:   value" -> (key, value); nullopt when there is no colon. Only the first colon splits,
// so "Name: en0: Wi-Fi" keeps "en0: Wi-Fi" as the value.
std::optional<std::pair<std::string, std::string>> colon_pair(const std::string& line) {
    auto pos = line.find(':');
    if (pos == std::string::npos)
        return std::nullopt;
    return std::make_pair(trim(line.substr(0, pos)), trim(line.substr(pos + 1)));
}

// Reads a possibly quoted token starting at s[i]; advances i past it.
std::string read_token(const std::string& s, size_t& i, char stop) {
    std::string out;
    if (i < s.size() && s[i] == '"') {
        ++i;
        while (i < s.size() && s[i] != '"') {
            if (s[i] == '\\' && i + 1 < s.size())
                ++i;
            out += s[i++];
        }
        if (i < s.size())
            ++i; // closing quote
        return out;
    }
    while (i < s.size() && s[i] != stop)
        out += s[i++];
    return out;
}

// Splits colon-list output into records, each starting at a line whose key is `first_key`
// (case-insensitive). Blank lines inside a record are allowed (VirtualBox 7's hostonlynets).
std::vector<std::map<std::string, std::string>> records(const std::string& out,
                                                        const std::string& first_key) {
    std::vector<std::map<std::string, std::string>> recs;
    for (const auto& line : lines_of(out)) {
        if (trim(line).empty())
            continue;
        // Nested blocks (6.1+ dhcpservers' "Global Configuration:") are indented: skip them.
        if (std::isspace(static_cast<unsigned char>(line[0])))
            continue;
        auto kv = colon_pair(line);
        if (!kv)
            continue;
        std::string key = lower(kv->first);
        if (key == lower(first_key))
            recs.emplace_back();
        if (recs.empty())
            continue;
        recs.back().emplace(key, kv->second);
    }
    return recs;
}

std::string get(const std::map<std::string, std::string>& m,
                std::initializer_list<const char*> keys) {
    for (const char* k : keys) {
        auto it = m.find(k);
        if (it != m.end())
            return it->second;
    }
    return {};
}

} // namespace

std::map<std::string, std::string> parse_machine_readable(const std::string& out) {
    std::map<std::string, std::string> kv;
    for (const auto& line : lines_of(out)) {
        if (line.empty())
            continue;
        size_t i = 0;
        std::string key = read_token(line, i, '=');
        if (i >= line.size() || line[i] != '=' || key.empty())
            continue; // not key=value (e.g. "Encryption:     disabled")
        ++i;
        std::string value = read_token(line, i, '\0');
        kv[key] = value;
    }
    return kv;
}

State state_from_vmstate(const std::string& vmstate) {
    // Names from VirtualBox's machineStateToName(..., fShort=true) (VBoxManageInfo.cpp).
    if (vmstate == "running")
        return State::Running;
    if (vmstate == "paused")
        return State::Paused;
    if (vmstate == "saved")
        return State::Saved;
    if (vmstate == "poweroff" || vmstate == "aborted")
        return State::Stopped;
    if (vmstate == "stopping" || vmstate == "saving")
        return State::Stopping;
    if (vmstate == "starting" || vmstate == "restoring")
        return State::Starting;
    if (vmstate == "gurumeditation")
        return State::Error;
    return State::None;
}

std::vector<HostOnlyIf> parse_hostonlyifs(const std::string& out) {
    std::vector<HostOnlyIf> result;
    for (const auto& r : records(out, "Name")) {
        HostOnlyIf h;
        h.name = get(r, {"name"});
        h.guid = get(r, {"guid"});
        h.dhcp = lower(get(r, {"dhcp"})) == "enabled";
        h.ip = get(r, {"ipaddress"});
        h.netmask = get(r, {"networkmask"});
        h.status = get(r, {"status"});
        h.network_name = get(r, {"vboxnetworkname"});
        result.push_back(h);
    }
    return result;
}

std::vector<HostOnlyNet> parse_hostonlynets(const std::string& out) {
    std::vector<HostOnlyNet> result;
    for (const auto& r : records(out, "Name")) {
        HostOnlyNet n;
        n.name = get(r, {"name"});
        n.guid = get(r, {"guid"});
        n.enabled = lower(get(r, {"state"})) == "enabled";
        n.netmask = get(r, {"networkmask"});
        n.lower_ip = get(r, {"lowerip"});
        n.upper_ip = get(r, {"upperip"});
        n.network_name = get(r, {"vboxnetworkname"});
        result.push_back(n);
    }
    return result;
}

std::vector<DhcpServer> parse_dhcpservers(const std::string& out) {
    std::vector<DhcpServer> result;
    for (const auto& r : records(out, "NetworkName")) {
        DhcpServer d;
        d.network_name = get(r, {"networkname"});
        d.ip = get(r, {"dhcpd ip", "ip"});
        d.netmask = get(r, {"networkmask"});
        d.lower_ip = get(r, {"loweripaddress"});
        d.upper_ip = get(r, {"upperipaddress"});
        d.enabled = lower(get(r, {"enabled"})) == "yes";
        result.push_back(d);
    }
    return result;
}

std::optional<Version> parse_version(const std::string& out) {
    static const std::regex re(R"(^(\d+)\.(\d+)(?:\.(\d+))?[^\s]*$)");
    auto lines = lines_of(out);
    for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
        std::string line = trim(*it);
        std::smatch m;
        // A number too big for an int is not a version (std::stoi would throw out_of_range).
        auto number = [&](int i, int& out) {
            const std::string s = m[i].str();
            return std::from_chars(s.data(), s.data() + s.size(), out).ec == std::errc();
        };
        Version v;
        if (std::regex_match(line, m, re) && number(1, v.major) && number(2, v.minor) &&
            (!m[3].matched || number(3, v.patch))) {
            v.text = line;
            return v;
        }
    }
    return std::nullopt;
}

std::map<std::string, std::string> parse_systemproperties(const std::string& out) {
    std::map<std::string, std::string> props;
    for (const auto& line : lines_of(out)) {
        auto kv = colon_pair(line);
        if (kv && !kv->first.empty())
            props.emplace(kv->first, kv->second);
    }
    return props;
}

std::vector<VmEntry> parse_vms(const std::string& out) {
    static const std::regex re(R"re(^"(.*)" \{([0-9a-fA-F-]+)\}$)re");
    std::vector<VmEntry> vms;
    for (const auto& line : lines_of(out)) {
        std::smatch m;
        std::string t = trim(line);
        if (std::regex_match(t, m, re))
            vms.push_back({m[1], m[2]});
    }
    return vms;
}

bool is_uuid(const std::string& text) {
    static const std::regex re(
        "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    return std::regex_match(text, re);
}

std::optional<std::string> parse_created_vm_uuid(const std::string& out) {
    static const std::regex re(R"(^UUID:\s*\{?([0-9a-fA-F-]+)\}?\s*$)");
    for (const auto& line : lines_of(out)) {
        std::smatch m;
        std::string t = trim(line);
        if (std::regex_match(t, m, re) && is_uuid(m[1].str())) {
            std::string u = m[1];
            std::transform(u.begin(), u.end(), u.begin(), ::tolower);
            return u;
        }
    }
    return std::nullopt;
}

std::optional<std::string> parse_created_interface(const std::string& out) {
    static const std::regex re(R"(Interface '([^']+)' was successfully created)");
    std::smatch m;
    if (std::regex_search(out, m, re))
        return m[1].str();
    return std::nullopt;
}

std::optional<VBoxErrorInfo> parse_error(const std::string& err) {
    static const std::regex prefix(R"(^\S*VBoxManage(?:\.exe)?: error: (.*)$)");
    static const std::regex details(R"(^Details: code (\w+) \()");
    static const std::regex code_line(R"(^Code (\w+) \()");
    std::optional<VBoxErrorInfo> info;
    for (const auto& line : lines_of(err)) {
        std::smatch m;
        if (!std::regex_match(line, m, prefix))
            continue;
        std::string text = m[1];
        if (!info)
            info.emplace();
        std::smatch c;
        if (std::regex_search(text, c, details) || std::regex_search(text, c, code_line)) {
            if (info->code.empty())
                info->code = c[1];
            if (info->message.empty())
                info->message = text;
            continue;
        }
        if (text.rfind("Context:", 0) == 0)
            continue;
        if (info->message.empty())
            info->message = text;
    }
    return info;
}

bool is_retryable_error(const std::string& err) {
    static const char* const k_markers[] = {
        "VBOX_E_INVALID_OBJECT_STATE",
        "is already locked",
        "object is not ready",
        "Object is not ready",
    };
    return std::any_of(std::begin(k_markers), std::end(k_markers),
                       [&](const char* m) { return err.find(m) != std::string::npos; });
}

} // namespace machine::drivers::virtualbox
