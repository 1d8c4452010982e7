#pragma once
// Where a machine's TLS material lives and how it is made: a store-wide CA and client
// certificate (made once, or given with --tls-*), copies of CA and client cert in each machine
// folder (DOCKER_CERT_PATH), and a server certificate per machine whose SANs cover its IP.
#include "machine/host.h"
#include "machine/store.h"

#include <string>
#include <vector>

namespace machine {

struct TlsPaths {
    fs::path ca_cert, ca_key, client_cert, client_key;
};

// The --tls-* overrides; empty fields mean "the store's own under <store>/certs".
TlsPaths resolve_tls_paths(const Store& store, const TlsPaths& overrides);
// Makes the CA and client certificate if absent; an existing CA is always reused.
// Returns true if it created anything (the caller says so once).
bool ensure_store_certs(const TlsPaths& paths);
// AuthOptions for a new machine in the store.
AuthOptions make_auth_options(const Store& store, const TlsPaths& paths, const std::string& name,
                              const std::vector<std::string>& extra_sans);
// Copies ca.pem, cert.pem, key.pem (0600) into the machine folder for DOCKER_CERT_PATH.
void install_client_certs(const AuthOptions& auth);
// The SANs a server certificate of this host must carry: IP, name, localhost, 127.0.0.1, extras.
std::vector<std::string> server_sans(const Host& host, const std::string& ip);
// (Re)issues the machine's server certificate for `ip`.
void issue_server_cert(const Host& host, const std::string& ip);
// Issues a fresh client certificate from the CA and re-installs it in every machine folder.
void regenerate_client_cert(const TlsPaths& paths);

} // namespace machine
