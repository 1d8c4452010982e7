// The builtin functions of the template subset (see template.h for the list).
#include "machine/support/template.h"
#include "machine/support/template_eval.h"

#include <array>
#include <fmt/format.h>

namespace machine::support::tmpl {

namespace {

constexpr std::array k_functions = {"json",  "prettyjson", "upper",   "lower",  "title", "join",
                                    "split", "print",      "println", "printf", "len",   "index",
                                    "eq",    "ne",         "lt",      "le",     "gt",    "ge",
                                    "not",   "and",        "or"};

void arity(const std::vector<json>& args, std::size_t min, std::size_t max) {
    if (args.size() < min || args.size() > max) {
        throw FuncError(
            min == max
                ? fmt::format("wrong number of args: want {} got {}", min, args.size())
                : fmt::format("wrong number of args: want at least {} got {}", min, args.size()));
    }
}

// A string argument; null (a missing field) is "" rather than Go's error, so a --format can be
// checked against empty data.
std::string str(const json& v) {
    if (v.is_null()) {
        return {};
    }
    if (!v.is_string()) {
        throw FuncError(fmt::format("wrong type for value; expected string; got {}", type_name(v)));
    }
    return v.get<std::string>();
}

std::string ascii_case(std::string s, bool up) {
    for (char& c : s) {
        if (up && c >= 'a' && c <= 'z') {
            c = static_cast<char>(c - 'a' + 'A');
        } else if (!up && c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return s;
}

// strings.Title: the first letter of each word upper-cased (ASCII).
std::string title(std::string s) {
    bool start = true;
    for (char& c : s) {
        const bool letter = std::isalnum(static_cast<unsigned char>(c)) || c == '_' ||
                            static_cast<unsigned char>(c) >= 0x80;
        if (start && c >= 'a' && c <= 'z') {
            c = static_cast<char>(c - 'a' + 'A');
        }
        start = !letter;
    }
    return s;
}

void parts(const json& list) {
    if (list.size() > k_template_max_items) {
        throw FuncError(fmt::format("more than {} parts", k_template_max_items));
    }
}

json split(const std::string& s, const std::string& sep) {
    json out = json::array();
    if (sep.empty()) { // one element per UTF-8 character
        for (std::size_t i = 0; i < s.size();) {
            std::size_t n = 1;
            while (i + n < s.size() && (static_cast<unsigned char>(s[i + n]) & 0xC0) == 0x80) {
                ++n;
            }
            out.push_back(s.substr(i, n));
            i += n;
            parts(out);
        }
        return out;
    }
    std::size_t start = 0;
    while (true) {
        const auto at = s.find(sep, start);
        out.push_back(s.substr(start, at == std::string::npos ? std::string::npos : at - start));
        parts(out);
        if (at == std::string::npos) {
            return out;
        }
        start = at + sep.size();
    }
}

json index(json v, const std::vector<json>& keys) {
    for (const auto& key : keys) {
        if (v.is_null()) {
            return nullptr;
        }
        if (v.is_array() && key.is_number_integer()) {
            const long long i = key.get<long long>();
            if (i < 0 || static_cast<std::size_t>(i) >= v.size()) {
                throw FuncError(fmt::format("index out of range: {}", i));
            }
            v = json(v[static_cast<std::size_t>(i)]);
        } else if (v.is_object() && key.is_string()) {
            auto it = v.find(key.get<std::string>());
            v = it == v.end() ? json() : json(*it);
        } else {
            throw FuncError(
                fmt::format("can't index item of type {} with {}", type_name(v), type_name(key)));
        }
    }
    return v;
}

// -1, 0, 1; nullopt when the two cannot be ordered (different kinds, or not numbers/strings).
std::optional<int> compare(const json& a, const json& b) {
    if (a.is_number() && b.is_number()) {
        if (a.is_number_integer() && b.is_number_integer()) {
            const auto x = a.get<long long>(), y = b.get<long long>();
            return x < y ? -1 : x > y ? 1 : 0;
        }
        const double x = a.get<double>(), y = b.get<double>();
        return x < y ? -1 : x > y ? 1 : 0;
    }
    if (a.is_string() && b.is_string()) {
        const int c = a.get_ref<const std::string&>().compare(b.get_ref<const std::string&>());
        return c < 0 ? -1 : c > 0 ? 1 : 0;
    }
    return std::nullopt;
}

bool equal(const json& a, const json& b) {
    if (auto c = compare(a, b)) {
        return *c == 0;
    }
    return a == b; // bools, nulls; different kinds are unequal (Go would report an error)
}

json order(const std::string& name, const std::vector<json>& args) {
    arity(args, 2, 2);
    const auto c = compare(args[0], args[1]);
    if (!c) {
        if (args[0].is_null() || args[1].is_null()) {
            return false;
        }
        throw FuncError(fmt::format("incompatible types for comparison: {} and {}",
                                    type_name(args[0]), type_name(args[1])));
    }
    return name == "lt" ? *c < 0 : name == "le" ? *c <= 0 : name == "gt" ? *c > 0 : *c >= 0;
}

} // namespace

bool is_function(const std::string& name) {
    for (const char* f : k_functions) {
        if (name == f) {
            return true;
        }
    }
    return false;
}

json call_function(const std::string& name, const std::vector<json>& args) {
    if (name == "json" || name == "prettyjson") {
        arity(args, 1, 1);
        std::string out = go_json(args[0], name == "json" ? -1 : 4);
        check_size(out);
        return out;
    }
    if (name == "upper" || name == "lower") {
        arity(args, 1, 1);
        return ascii_case(str(args[0]), name == "upper");
    }
    if (name == "title") {
        arity(args, 1, 1);
        return title(str(args[0]));
    }
    if (name == "join") {
        arity(args, 2, 2);
        if (!args[0].is_array() && !args[0].is_null()) {
            throw FuncError(
                fmt::format("wrong type for value; expected list; got {}", type_name(args[0])));
        }
        std::string out;
        const std::string sep = str(args[1]);
        for (std::size_t i = 0; args[0].is_array() && i < args[0].size(); ++i) {
            out += (i ? sep : "") + go_value(args[0][i]);
            check_size(out);
        }
        return out;
    }
    if (name == "split") {
        arity(args, 2, 2);
        return split(str(args[0]), str(args[1]));
    }
    if (name == "print" || name == "println") { // fmt.Sprint / fmt.Sprintln
        std::string out;
        for (std::size_t i = 0; i < args.size(); ++i) {
            const bool space =
                name == "println" || (i > 0 && !args[i].is_string() && !args[i - 1].is_string());
            out += (i > 0 && space ? " " : "") + go_value(args[i]);
            check_size(out);
        }
        return name == "println" ? out + "\n" : out;
    }
    if (name == "printf") {
        arity(args, 1, SIZE_MAX);
        return go_sprintf(str(args[0]), std::vector<json>(args.begin() + 1, args.end()));
    }
    if (name == "len") {
        arity(args, 1, 1);
        const json& v = args[0];
        if (v.is_string()) {
            return v.get_ref<const std::string&>().size();
        }
        if (v.is_array() || v.is_object() || v.is_null()) {
            return v.is_null() ? 0 : v.size();
        }
        throw FuncError(fmt::format("len of type {}", type_name(v)));
    }
    if (name == "index") {
        arity(args, 1, SIZE_MAX);
        return index(args[0], std::vector<json>(args.begin() + 1, args.end()));
    }
    if (name == "eq" || name == "ne") {
        arity(args, 2, name == "eq" ? SIZE_MAX : 2);
        bool any = false;
        for (std::size_t i = 1; i < args.size(); ++i) {
            any = any || equal(args[0], args[i]);
        }
        return name == "eq" ? any : !any;
    }
    if (name == "lt" || name == "le" || name == "gt" || name == "ge") {
        return order(name, args);
    }
    if (name == "not") {
        arity(args, 1, 1);
        return !truth(args[0]);
    }
    if (name == "and" || name == "or") { // the first falsy (and) / truthy (or) value, or the last
        arity(args, 1, SIZE_MAX);
        for (const auto& a : args) {
            if (truth(a) == (name == "or")) {
                return a;
            }
        }
        return args.back();
    }
    throw FuncError(fmt::format("function \"{}\" not defined", name));
}

} // namespace machine::support::tmpl
