#include "engine/san.h"

#include "machine/support/error.h"

#include <fmt/format.h>

#include <algorithm>
#include <arpa/inet.h>
#include <cctype>

namespace machine::engine {

std::string canonical_ip(const std::string& text) {
    std::string s = text;
    if (s.size() > 2 && s.front() == '[' && s.back() == ']')
        s = s.substr(1, s.size() - 2);
    unsigned char buf[16];
    char out[INET6_ADDRSTRLEN];
    if (s.find(':') == std::string::npos) {
        if (inet_pton(AF_INET, s.c_str(), buf) == 1 &&
            inet_ntop(AF_INET, buf, out, sizeof out) != nullptr)
            return out;
        return "";
    }
    if (inet_pton(AF_INET6, s.c_str(), buf) == 1 &&
        inet_ntop(AF_INET6, buf, out, sizeof out) != nullptr)
        return out;
    return "";
}

bool is_dns_name(const std::string& s) {
    if (s.empty() || s.size() > 253)
        return false;
    size_t start = 0;
    bool first = true;
    while (true) {
        size_t dot = s.find('.', start);
        std::string label = s.substr(start, dot == std::string::npos ? std::string::npos
                                                                      : dot - start);
        bool wildcard = first && label == "*" && dot != std::string::npos;
        if (!wildcard) {
            if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
                return false;
            for (char c : label) {
                auto u = static_cast<unsigned char>(c);
                if (!std::isalnum(u) && c != '-' && c != '_')
                    return false;
            }
        }
        if (dot == std::string::npos) // an all-digit last label is a mistyped address
            return !std::all_of(label.begin(), label.end(),
                                [](unsigned char c) { return std::isdigit(c); });
        start = dot + 1;
        first = false;
    }
}

SanList classify_sans(const std::vector<std::string>& entries) {
    SanList out;
    for (const auto& entry : entries) {
        if (auto ip = canonical_ip(entry); !ip.empty()) {
            if (std::find(out.ips.begin(), out.ips.end(), ip) == out.ips.end())
                out.ips.push_back(ip);
            continue;
        }
        if (!is_dns_name(entry))
            throw UsageError(fmt::format(
                "certificate name '{}' is neither an IP address nor a DNS name", entry));
        std::string name = entry;
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        if (std::find(out.dns.begin(), out.dns.end(), name) == out.dns.end())
            out.dns.push_back(name);
    }
    return out;
}

} // namespace machine::engine
