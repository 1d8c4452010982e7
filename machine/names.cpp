#include "machine/names.h"

#include "machine/support/error.h"

#include <fmt/format.h>

#include <cctype>

namespace machine {

namespace {
// The name as it may be shown in one line: control characters escaped, at most 80 characters.
std::string printable(const std::string& name) {
    std::string out;
    for (unsigned char c : name.substr(0, 80)) {
        if (c < 0x20 || c == 0x7f)
            out += fmt::format("\\x{:02x}", c);
        else
            out += static_cast<char>(c);
    }
    if (name.size() > 80)
        out += "...";
    return out;
}
} // namespace

std::optional<std::string> name_problem(const std::string& name) {
    if (name.empty())
        return "a machine name cannot be empty";
    if (name.size() > 63)
        return "a machine name is at most 63 characters (it becomes the VM's hostname)";
    if (!std::isalnum(static_cast<unsigned char>(name.front())))
        return "a machine name must start with a letter or digit";
    for (char c : name) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.')
            return fmt::format("'{}' is not allowed: use letters, digits, '-' and '.'",
                               printable(std::string(1, c)));
    }
    // Each dot-separated label must be a valid hostname label.
    size_t start = 0;
    while (start <= name.size()) {
        size_t end = name.find('.', start);
        if (end == std::string::npos)
            end = name.size();
        std::string label = name.substr(start, end - start);
        if (label.empty())
            return "a machine name cannot contain empty labels (\"..\" or a trailing '.')";
        if (label.front() == '-' || label.back() == '-')
            return fmt::format("\"{}\": a hostname label cannot start or end with '-'", label);
        start = end + 1;
    }
    return std::nullopt;
}

void validate_name(const std::string& name) {
    if (auto problem = name_problem(name))
        throw UsageError(fmt::format("invalid machine name \"{}\": {}", printable(name), *problem));
}

MachineName::MachineName(std::string name) : m_name(std::move(name)) {
    validate_name(m_name);
}

} // namespace machine
