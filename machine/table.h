#pragma once
// Plain-text tables as docker prints them: each column padded to its widest cell, `gap` spaces
// between columns, no trailing spaces.
#include <cstddef>
#include <string>
#include <vector>

namespace machine {

// One line per row (the first is usually the header), each ending in '\n'.
std::string render_columns(const std::vector<std::vector<std::string>>& rows, std::size_t gap = 2);

} // namespace machine
