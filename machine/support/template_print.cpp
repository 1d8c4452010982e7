// How Go prints values (fmt's %v and friends, encoding/json) for the template engine.
#include "machine/support/template.h"
#include "machine/support/template_eval.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <fmt/format.h>

namespace machine::support::tmpl {

std::string type_name(const json& v) {
    switch (v.type()) {
    case json::value_t::string:
        return "string";
    case json::value_t::boolean:
        return "bool";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
        return "int";
    case json::value_t::number_float:
        return "float64";
    case json::value_t::array:
        return "array";
    case json::value_t::object:
        return "map";
    default:
        return "nil";
    }
}

bool truth(const json& v) {
    switch (v.type()) {
    case json::value_t::boolean:
        return v.get<bool>();
    case json::value_t::string:
        return !v.get_ref<const std::string&>().empty();
    case json::value_t::number_integer:
        return v.get<long long>() != 0;
    case json::value_t::number_unsigned:
        return v.get<unsigned long long>() != 0;
    case json::value_t::number_float:
        return v.get<double>() != 0.0;
    case json::value_t::array:
    case json::value_t::object:
        return !v.empty();
    default:
        return false;
    }
}

std::string go_float(double d) {
    if (std::isnan(d)) {
        return "NaN";
    }
    if (std::isinf(d)) {
        return d > 0 ? "+Inf" : "-Inf";
    }
    if (d == 0) {
        return std::signbit(d) ? "-0" : "0";
    }
    // Shortest round-trip digits, as strconv.FormatFloat(d, 'g', -1, 64): exponent form when
    // the exponent is < -4 or >= 6 (Go's rule for the shortest precision), else plain.
    char buf[64];
    auto res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
    std::string sci(buf, res.ptr);
    const bool neg = sci[0] == '-';
    if (neg) {
        sci.erase(0, 1);
    }
    const auto e = sci.find('e');
    const int exp = std::atoi(sci.c_str() + e + 1);
    std::string digits = sci.substr(0, e);
    digits.erase(std::remove(digits.begin(), digits.end(), '.'), digits.end());
    std::string out;
    if (exp < -4 || exp >= 6) {
        out = digits.substr(0, 1);
        if (digits.size() > 1) {
            out += "." + digits.substr(1);
        }
        out += fmt::format("e{}{:02d}", exp < 0 ? '-' : '+', std::abs(exp));
    } else if (exp < 0) {
        out = "0." + std::string(static_cast<std::size_t>(-exp - 1), '0') + digits;
    } else {
        const auto int_len = static_cast<std::size_t>(exp + 1);
        if (digits.size() <= int_len) {
            out = digits + std::string(int_len - digits.size(), '0');
        } else {
            out = digits.substr(0, int_len) + "." + digits.substr(int_len);
        }
    }
    return neg ? "-" + out : out;
}

std::string go_value(const json& v) {
    switch (v.type()) {
    case json::value_t::string:
        return v.get<std::string>();
    case json::value_t::boolean:
        return v.get<bool>() ? "true" : "false";
    case json::value_t::number_integer:
        return std::to_string(v.get<long long>());
    case json::value_t::number_unsigned:
        return std::to_string(v.get<unsigned long long>());
    case json::value_t::number_float:
        return go_float(v.get<double>());
    case json::value_t::array: {
        std::string out = "[";
        for (std::size_t i = 0; i < v.size(); ++i) {
            out += (i ? " " : "") + go_value(v[i]);
        }
        return out + "]";
    }
    case json::value_t::object: {
        std::string out = "map[";
        bool first = true;
        for (auto it = v.begin(); it != v.end(); ++it) { // keys sorted, as fmt sorts maps
            out += (first ? "" : " ") + it.key() + ":" + go_value(it.value());
            first = false;
        }
        return out + "]";
    }
    default:
        return "<nil>";
    }
}

void check_size(const std::string& s) {
    if (s.size() > k_template_max_output) {
        throw FuncError(fmt::format("result larger than {} bytes", k_template_max_output));
    }
}

std::string go_print(const json& v) {
    return v.is_null() ? "<no value>" : go_value(v);
}

std::string go_json(const json& v, int indent) {
    // nlohmann writes the same structure; Go additionally escapes <, >, & and U+2028/U+2029,
    // which can only occur inside strings, so replacing them in the output is exact.
    const std::string raw = v.dump(indent, ' ', false, json::error_handler_t::replace);
    std::string out;
    out.reserve(raw.size());
    for (std::size_t i = 0; i < raw.size(); ++i) {
        const char c = raw[i];
        if (c == '<') {
            out += "\\u003c";
        } else if (c == '>') {
            out += "\\u003e";
        } else if (c == '&') {
            out += "\\u0026";
        } else if (c == '\xE2' && i + 2 < raw.size() && raw[i + 1] == '\x80' &&
                   (raw[i + 2] == '\xA8' || raw[i + 2] == '\xA9')) {
            out += raw[i + 2] == '\xA8' ? "\\u2028" : "\\u2029";
            i += 2;
        } else {
            out += c;
        }
    }
    return out;
}

namespace {

// Go's strconv.Quote for printable ASCII and UTF-8; control bytes as \n, \t, \x1b...
std::string go_quote(const std::string& s) {
    std::string out = "\"";
    for (unsigned char c : s) {
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\t':
            out += "\\t";
            break;
        case '\r':
            out += "\\r";
            break;
        default:
            if (c < 0x20 || c == 0x7F) {
                out += fmt::format("\\x{:02x}", c);
            } else {
                out += static_cast<char>(c);
            }
        }
    }
    return out + "\"";
}

std::string pad(std::string s, std::size_t width, bool left, bool zero) {
    if (s.size() >= width) {
        return s;
    }
    const std::size_t n = width - s.size();
    if (left) {
        return s + std::string(n, ' ');
    }
    if (zero && !s.empty() && (s[0] == '-' || s[0] == '+')) {
        return s.substr(0, 1) + std::string(n, '0') + s.substr(1);
    }
    return std::string(n, zero ? '0' : ' ') + s;
}

} // namespace

std::string go_sprintf(const std::string& format, const std::vector<json>& args) {
    std::string out;
    std::size_t argi = 0;
    for (std::size_t i = 0; i < format.size(); ++i) {
        if (format[i] != '%') {
            out += format[i];
            continue;
        }
        bool left = false, zero = false, plus = false;
        std::size_t j = i + 1;
        for (; j < format.size() && std::string_view("-+0 #").find(format[j]) != std::string::npos;
             ++j) {
            left |= format[j] == '-';
            zero |= format[j] == '0';
            plus |= format[j] == '+';
        }
        // Width and precision saturate just past the bound while read, then are refused.
        auto number = [&](std::size_t& n) {
            for (; j < format.size() && std::isdigit(static_cast<unsigned char>(format[j])); ++j) {
                n = std::min(n * 10 + static_cast<std::size_t>(format[j] - '0'),
                             k_template_max_width + 1);
            }
        };
        std::size_t width = 0;
        number(width);
        int prec = -1;
        if (j < format.size() && format[j] == '.') {
            std::size_t p = 0;
            ++j;
            number(p);
            prec = static_cast<int>(p);
        }
        if (width > k_template_max_width || prec > static_cast<int>(k_template_max_width)) {
            throw FuncError(fmt::format("{} in \"{}\" is more than {}",
                                        width > k_template_max_width ? "width" : "precision",
                                        format.substr(i, std::min(j + 1, format.size()) - i),
                                        k_template_max_width));
        }
        if (j >= format.size()) {
            out += "%!(NOVERB)";
            break;
        }
        const char verb = format[j];
        i = j;
        if (verb == '%') {
            out += '%';
            continue;
        }
        if (argi >= args.size()) {
            out += fmt::format("%!{}(MISSING)", verb);
            continue;
        }
        const json& a = args[argi++];
        std::string s;
        const bool num = a.is_number();
        if (verb == 'v' || verb == 's') {
            s = a.is_string() ? a.get<std::string>() : go_value(a);
            if (verb == 's' && prec >= 0 && s.size() > static_cast<std::size_t>(prec)) {
                s.resize(static_cast<std::size_t>(prec));
            }
        } else if (verb == 'q' && a.is_string()) {
            s = go_quote(a.get<std::string>());
        } else if (verb == 't' && a.is_boolean()) {
            s = a.get<bool>() ? "true" : "false";
        } else if ((verb == 'd' || verb == 'x' || verb == 'X' || verb == 'c') &&
                   (a.is_number_integer())) {
            const long long n = a.get<long long>();
            if (verb == 'c') {
                s = std::string(1, static_cast<char>(n));
            } else {
                s = verb == 'd'   ? std::to_string(n)
                    : verb == 'x' ? fmt::format("{:x}", n)
                                  : fmt::format("{:X}", n);
                if (plus && n >= 0) {
                    s = "+" + s;
                }
            }
        } else if ((verb == 'f' || verb == 'e' || verb == 'g') && num) {
            const double d = a.get<double>();
            const int p = prec < 0 ? 6 : prec;
            s = verb == 'f'   ? fmt::format("{:.{}f}", d, p)
                : verb == 'e' ? fmt::format("{:.{}e}", d, p)
                              : (prec < 0 ? go_float(d) : fmt::format("{:.{}g}", d, p));
            if (plus && d >= 0) {
                s = "+" + s;
            }
        } else if (verb == 'x' && a.is_string()) {
            for (unsigned char c : a.get<std::string>()) {
                s += fmt::format("{:02x}", c);
            }
        } else {
            out += fmt::format("%!{}({}={})", verb, type_name(a), go_value(a));
            continue;
        }
        out += pad(std::move(s), width, left, zero && !left && (num || verb == 'x'));
        check_size(out);
    }
    if (argi < args.size()) {
        out += "%!(EXTRA ";
        for (std::size_t k = argi; k < args.size(); ++k) {
            out += (k > argi ? ", " : "") + type_name(args[k]) + "=" + go_value(args[k]);
            check_size(out);
        }
        out += ")";
    }
    return out;
}

} // namespace machine::support::tmpl
