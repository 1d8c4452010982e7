#pragma once
// NO_PROXY as the comma-separated list it is, not as a string to search in.
#include <string>
#include <vector>

namespace machine::env {

// The entries of a NO_PROXY value, trimmed of spaces and tabs, empty ones dropped, in order.
std::vector<std::string> split_no_proxy(const std::string& value);

// `existing` with `host` appended unless an entry equals it exactly ("10.0.0.1" is added to
// "10.0.0.10"), rejoined with ","; entries are trimmed, empty ones dropped, order kept.
std::string merge_no_proxy(const std::string& existing, const std::string& host);

} // namespace machine::env
