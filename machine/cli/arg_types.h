#pragma once
// Type names that mark what an argument holds, shown by --help and read by the completion
// generator (completion.h): a machine name, or NAME:PATH / a local path.

namespace machine::cli {

inline constexpr const char* k_machine_type = "MACHINE";
inline constexpr const char* k_machine_path_type = "[MACHINE:]PATH";

} // namespace machine::cli
