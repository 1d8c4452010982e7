#pragma once
// The little XML the libvirt driver needs: escaping for the documents it writes, and XPath
// queries (libxml2) over the documents libvirt hands back.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace machine::drivers::libvirt::xml {

// Escapes &, <, >, ' and " so the text is safe in element text and in either kind of attribute.
std::string escape(std::string_view text);

struct Element {
    std::map<std::string, std::string> attrs;
    std::string text;  // concatenated text content
    std::string attr(const std::string& name) const;  // "" when absent
};

// The elements `xpath` selects in `document`; nullopt when the document is not well-formed.
std::optional<std::vector<Element>> select(const std::string& document, const std::string& xpath);

} // namespace machine::drivers::libvirt::xml
