#pragma once
// Small text helpers used across the layers (once each, not per file).
#include <string>
#include <string_view>

namespace machine::support {

// `s` without leading and trailing whitespace (space, tab, CR, LF, VT, FF).
std::string trim(std::string_view s);
// `s` with ASCII letters lowered; other bytes unchanged.
std::string lower(std::string_view s);

} // namespace machine::support
