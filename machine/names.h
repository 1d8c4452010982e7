#pragma once
// Machine names: docker-machine's rule (letters, digits, '-', '.'; starts with a letter or
// digit) tightened to what a hostname and a libvirt/VirtualBox VM name both accept.
#include <optional>
#include <string>

namespace machine {

// nullopt if valid, else the reason in one line ("name must start with a letter or digit").
std::optional<std::string> name_problem(const std::string& name);
// Throws UsageError with the reason.
void validate_name(const std::string& name);

} // namespace machine
