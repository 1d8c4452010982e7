#pragma once
// The TLS authority: one CA per store signs the client certificate the host's docker client uses
// and each machine's server certificate, so the engine's API on :2376 accepts only our client
// and the client accepts only our engines.
//
// Keys are ECDSA P-256: generating one takes well under a millisecond (RSA 2048 takes ~50-200 ms
// and varies), signatures verify fast, and Docker's Go TLS stack and every OpenSSL/Go/Python
// client accept them. Certificates are signed with SHA-256.
//
// Private keys are written 0600 from the moment they exist (temp file + rename); certificates
// 0644. Key material never goes to a log or a command line. OpenSSL failures throw
// machine::Error with OpenSSL's own message; bad user input (an invalid SAN) throws UsageError.
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace machine::engine {

namespace fs = std::filesystem;

struct CaFiles {
    fs::path cert; // PEM certificate, 0644
    fs::path key;  // PEM private key (PKCS#8, unencrypted), 0600
};

// Creates a self-signed CA (O=<org>, CA:TRUE, ~10 years) unless both files exist; an existing CA
// is reused, never replaced. Returns true when it created one. Throws Error when only one of the
// two files exists (a half-present CA must be looked at by a person, not overwritten).
// Creation is serialized across processes by a flock on `.ca.lock` beside the key.
bool ensure_ca(const CaFiles& ca, const std::string& org);

// Signs a client certificate (CN=client, O=<org>, clientAuth, ~3 years) with a fresh key.
void issue_client_cert(const CaFiles& ca, const fs::path& cert, const fs::path& key,
                       const std::string& org);

// Signs a server certificate (serverAuth, ~3 years) with a fresh key. Each entry of `sans` is an
// IPv4/IPv6 address (-> IP SAN) or a host name (-> DNS SAN); duplicates are dropped. CN is the
// first DNS name, or `org` when there is none. Throws UsageError for an entry that is neither.
void issue_server_cert(const CaFiles& ca, const fs::path& cert, const fs::path& key,
                       const std::string& org, const std::vector<std::string>& sans);

// The outcome of a local certificate check (no network). `problem` is one line for a person,
// empty when ok.
struct CertCheck {
    bool ok = false;
    std::string problem;
    // When ok: the window in which both the CA and the certificate are valid (the latest
    // notBefore, the earliest notAfter), so a caller may remember the result until then.
    std::chrono::system_clock::time_point valid_from{};
    std::chrono::system_clock::time_point valid_until{};
};

// Checks, reading each file once and generating nothing (fast enough for `machine env`): the
// chain verifies against `ca_cert`, the certificate is within its validity period, it carries
// the serverAuth extended key usage, and, unless `ip` is empty, `ip` is among its IP SANs.
// Never throws for missing or malformed files: they are reported as the problem.
CertCheck check_server_cert(const fs::path& ca_cert, const fs::path& server_cert,
                            const std::string& ip);

// The same for a client certificate: chain, validity, clientAuth extended key usage.
CertCheck check_client_cert(const fs::path& ca_cert, const fs::path& client_cert);

// The certificate's subject alternative names as text, in certificate order: IP addresses
// ("192.0.2.7", "::1") and DNS names. Throws Error when the file cannot be read or parsed.
std::vector<std::string> certificate_sans(const fs::path& cert);

// When the certificate stops being valid (its notAfter). Throws Error like certificate_sans.
std::chrono::system_clock::time_point certificate_expiry(const fs::path& cert);

// Whether the private key in `key` belongs to the certificate in `cert`. Throws Error when either
// file cannot be read or parsed.
bool key_matches_cert(const fs::path& key, const fs::path& cert);

} // namespace machine::engine
