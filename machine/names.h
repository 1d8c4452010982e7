#pragma once
// Machine names: docker-machine's rule (letters, digits, '-', '.'; starts with a letter or
// digit) tightened to what a hostname and a libvirt/VirtualBox VM name both accept.
//
// A MachineName can only hold a valid name, so "..", "/abs/dir" or "a/b" can never become a
// path under the store: every Store method takes a MachineName, and the conversion from a
// string (implicit, so each command's plain strings are checked where they reach the store)
// throws UsageError (exit 2) before anything is touched.
#include <optional>
#include <string>

namespace machine {

// nullopt if valid, else the reason in one line ("name must start with a letter or digit").
std::optional<std::string> name_problem(const std::string& name);
// Throws UsageError with the reason.
void validate_name(const std::string& name);

class MachineName {
public:
    // Throws UsageError ("invalid machine name \"..\": ...") for an invalid name.
    MachineName(std::string name); // NOLINT(google-explicit-constructor): validation point
    MachineName(const char* name) : MachineName(std::string(name)) {}

    const std::string& str() const { return m_name; }

    friend bool operator==(const MachineName& a, const MachineName& b) {
        return a.m_name == b.m_name;
    }

private:
    std::string m_name;
};

} // namespace machine
