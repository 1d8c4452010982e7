#include "env/docker_context.h"

#include "machine/support/error.h"

#include <nlohmann/json.hpp>

#include <vector>

namespace machine::env {

namespace {

using nlohmann::json;

// One member of the top-level object, as byte offsets into the text.
struct Member {
    std::string key;
    size_t key_begin = 0;
    size_t value_begin = 0;
    size_t value_end = 0;
};

struct TopLevel {
    size_t open = 0;  // the '{'
    size_t close = 0; // the '}'
    std::vector<Member> members;
};

[[noreturn]] void not_an_object() {
    throw UsageError("docker's config.json is not a JSON object; fix or remove it first");
}

size_t skip_ws(const std::string& t, size_t i) {
    while (i < t.size() && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r'))
        ++i;
    return i;
}

// End (one past the closing quote) of the string starting at t[i] == '"'.
size_t skip_string(const std::string& t, size_t i) {
    for (++i; i < t.size(); ++i) {
        if (t[i] == '\\')
            ++i;
        else if (t[i] == '"')
            return i + 1;
    }
    not_an_object();
}

size_t skip_value(const std::string& t, size_t i) {
    if (i >= t.size())
        not_an_object();
    if (t[i] == '"')
        return skip_string(t, i);
    if (t[i] == '{' || t[i] == '[') {
        int depth = 0;
        for (; i < t.size(); ++i) {
            char c = t[i];
            if (c == '"') {
                i = skip_string(t, i) - 1;
            } else if (c == '{' || c == '[') {
                ++depth;
            } else if (c == '}' || c == ']') {
                if (--depth == 0)
                    return i + 1;
            }
        }
        not_an_object();
    }
    while (i < t.size() && t[i] != ',' && t[i] != '}' && t[i] != ']' && t[i] != ' ' &&
           t[i] != '\t' && t[i] != '\n' && t[i] != '\r')
        ++i;
    return i;
}

// Locates the members of a top-level object. The text was validated by nlohmann first, so the
// scanner only has to find boundaries, not judge the grammar.
TopLevel scan(const std::string& t) {
    TopLevel top;
    size_t i = skip_ws(t, 0);
    if (i >= t.size() || t[i] != '{')
        not_an_object();
    top.open = i;
    i = skip_ws(t, i + 1);
    while (i < t.size() && t[i] != '}') {
        if (t[i] == ',')
            i = skip_ws(t, i + 1);
        Member m;
        m.key_begin = i;
        size_t key_end = skip_string(t, i);
        m.key = json::parse(t.substr(i, key_end - i)).get<std::string>();
        i = skip_ws(t, key_end);
        if (i >= t.size() || t[i] != ':')
            not_an_object();
        m.value_begin = skip_ws(t, i + 1);
        m.value_end = skip_value(t, m.value_begin);
        top.members.push_back(m);
        i = skip_ws(t, m.value_end);
    }
    if (i >= t.size())
        not_an_object();
    top.close = i;
    return top;
}

json parse_object(const std::string& text) {
    json j = json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object())
        not_an_object();
    return j;
}

// The whitespace that precedes the first member on its line ("\t" as docker writes it).
std::string member_indent(const std::string& t, const TopLevel& top) {
    if (top.members.empty())
        return "\t";
    size_t k = top.members.front().key_begin;
    size_t line = t.rfind('\n', k);
    if (line == std::string::npos || line < top.open)
        return "";
    return t.substr(line + 1, k - line - 1);
}

} // namespace

bool valid_docker_context_name(const std::string& name) {
    auto ok = [](char c, bool first) {
        bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        return alnum || (!first && (c == '_' || c == '.' || c == '+' || c == '-'));
    };
    if (name.size() < 2 || name == "default")
        return false;
    for (size_t i = 0; i < name.size(); ++i)
        if (!ok(name[i], i == 0))
            return false;
    return true;
}

std::string render_context_meta(const std::string& name, const std::string& host_url,
                                const std::string& description, const std::string& marker) {
    // nlohmann sorts object keys; docker's order (Name, Metadata, Endpoints) is kept by hand.
    json metadata = json::object();
    metadata["Description"] = description;
    metadata[k_context_marker] = marker;
    std::string out = "{\"Name\":" + json(name).dump() + ",\"Metadata\":" + metadata.dump() +
                      ",\"Endpoints\":{\"docker\":{\"Host\":" + json(host_url).dump() +
                      ",\"SkipTLSVerify\":false}}}";
    return out;
}

std::optional<ContextMeta> parse_context_meta(const std::string& text) {
    json j = json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("Name") || !j["Name"].is_string())
        return std::nullopt;
    ContextMeta meta;
    meta.name = j["Name"].get<std::string>();
    if (auto m = j.find("Metadata"); m != j.end() && m->is_object()) {
        if (auto id = m->find(k_context_marker); id != m->end() && id->is_string())
            meta.marker = id->get<std::string>();
    }
    if (auto e = j.find("Endpoints"); e != j.end() && e->is_object()) {
        if (auto d = e->find("docker"); d != e->end() && d->is_object()) {
            if (auto h = d->find("Host"); h != d->end() && h->is_string())
                meta.host = h->get<std::string>();
        }
    }
    return meta;
}

std::string current_context(const std::string& text) {
    if (text.empty())
        return "";
    json j = parse_object(text);
    auto it = j.find("currentContext");
    return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

std::string with_current_context(const std::string& original,
                                 const std::optional<std::string>& name) {
    const std::string text = original.empty() ? "{}" : original;
    json expected = parse_object(text);
    if (name)
        expected["currentContext"] = *name;
    else
        expected.erase("currentContext");

    TopLevel top = scan(text);
    int found = -1;
    for (size_t i = 0; i < top.members.size(); ++i)
        if (top.members[i].key == "currentContext")
            found = static_cast<int>(i);

    std::string out = text;
    if (found >= 0 && name) {
        const Member& m = top.members[static_cast<size_t>(found)];
        out.replace(m.value_begin, m.value_end - m.value_begin, json(*name).dump());
    } else if (found >= 0) {
        const auto f = static_cast<size_t>(found);
        const Member& m = top.members[f];
        if (top.members.size() == 1) {
            out = text.substr(0, top.open + 1) + text.substr(top.close);
        } else if (f + 1 < top.members.size()) {
            out.erase(m.key_begin, top.members[f + 1].key_begin - m.key_begin);
        } else {
            size_t from = top.members[f - 1].value_end;
            out.erase(from, m.value_end - from);
        }
    } else if (name) {
        const std::string value = json(*name).dump();
        if (top.members.empty()) {
            out = text.substr(0, top.open + 1) + "\n\t\"currentContext\": " + value + "\n" +
                  text.substr(top.close);
        } else {
            // In the file's own style: one member per line with its indent, or all on one line.
            std::string indent = member_indent(text, top);
            std::string member = indent.empty() ? ",\"currentContext\":" + value
                                                : ",\n" + indent + "\"currentContext\": " + value;
            out.insert(top.members.back().value_end, member);
        }
    }
    // The edit must give exactly the intended document; anything else is a scanner bug, and the
    // user's file is then left alone.
    json got = json::parse(out, nullptr, false);
    if (got.is_discarded() || got != expected)
        throw Error("could not edit docker's config.json in place; left it unchanged");
    return out;
}

} // namespace machine::env
