#include "env/no_proxy.h"
#include "machine/support/text.h"

#include <algorithm>

namespace machine::env {

namespace {

using support::trim;

} // namespace

std::vector<std::string> split_no_proxy(const std::string& value) {
    std::vector<std::string> entries;
    std::size_t start = 0;
    while (start <= value.size()) {
        auto comma = value.find(',', start);
        if (comma == std::string::npos) {
            comma = value.size();
        }
        if (auto entry = trim(value.substr(start, comma - start)); !entry.empty()) {
            entries.push_back(std::move(entry));
        }
        start = comma + 1;
    }
    return entries;
}

std::string merge_no_proxy(const std::string& existing, const std::string& host) {
    auto entries = split_no_proxy(existing);
    const std::string wanted = trim(host);
    if (!wanted.empty() && std::find(entries.begin(), entries.end(), wanted) == entries.end()) {
        entries.push_back(wanted);
    }
    std::string out;
    for (const auto& e : entries) {
        if (!out.empty()) {
            out += ',';
        }
        out += e;
    }
    return out;
}

} // namespace machine::env
