#pragma once
// Subject alternative names for server certificates: which entries are IP addresses and which
// are DNS names, checked and de-duplicated before anything is signed. Pure, so it is unit-tested
// without OpenSSL.
#include <string>
#include <vector>

namespace machine::engine {

struct SanList {
    std::vector<std::string> ips; // canonical text ("10.0.0.1", "::1"), in first-seen order
    std::vector<std::string> dns; // lower-case host names, in first-seen order
};

// Classifies each entry: an IPv4 or IPv6 address (brackets allowed: "[::1]") becomes an IP SAN,
// a host name ("localhost", "vm1.example.com", "*.example.com") a DNS SAN. Duplicates, including
// differently written forms of the same address ("::1" and "0::1"), are kept once.
// Throws UsageError naming the entry when it is neither.
SanList classify_sans(const std::vector<std::string>& entries);

// Whether `s` is a host name that can go in a DNS SAN: dot-separated labels of letters, digits,
// '-' and '_', each 1-63 characters and not starting or ending with '-', at most 253 characters;
// the first label may be "*"; the last may not be all digits ("300.1.1.1" is no name).
bool is_dns_name(const std::string& s);

// The canonical text of an IPv4 or IPv6 address, or "" when `s` is not one.
std::string canonical_ip(const std::string& s);

} // namespace machine::engine
