#include "machine/certs.h"

#include "engine/san.h"

#include "engine/tls.h"
#include "machine/support/fs.h"

#include <algorithm>

namespace machine {

namespace {
constexpr const char* k_org = "machine";

fs::path or_default(const fs::path& given, const fs::path& fallback) {
    return given.empty() ? fallback : fs::absolute(given);
}
} // namespace

TlsPaths resolve_tls_paths(const Store& store, const TlsPaths& o) {
    fs::path dir = store.certs_dir();
    return {or_default(o.ca_cert, dir / "ca.pem"), or_default(o.ca_key, dir / "ca-key.pem"),
            or_default(o.client_cert, dir / "cert.pem"), or_default(o.client_key, dir / "key.pem")};
}

bool ensure_store_certs(const TlsPaths& paths) {
    std::error_code ec;
    auto complete = [&] {
        return fs::exists(paths.ca_cert, ec) && fs::exists(paths.ca_key, ec) &&
               fs::exists(paths.client_cert, ec) && fs::exists(paths.client_key, ec);
    };
    // Temp files a killed create left beside them (ours by name, their writer gone).
    for (const auto& p : {paths.ca_cert, paths.ca_key, paths.client_cert, paths.client_key})
        support::remove_stale_temps(p);
    if (complete()) {
        engine::ensure_ca({paths.ca_cert, paths.ca_key}, k_org); // clears its own stale temps
        return false;
    }
    // Parallel `machine create`s on a fresh store must make one CA and one client pair, and
    // none may see (or copy) a pair half-written by another: decide and write under one lock.
    // The key is written before the certificate, so once all four files exist they match.
    // (The CA's own folder is made by ensure_ca, and only when it creates a CA there.)
    support::make_dirs(paths.client_cert.parent_path(), 0700);
    support::FileLock lock(paths.client_cert.parent_path() / ".certs.lock");
    bool created = engine::ensure_ca({paths.ca_cert, paths.ca_key}, k_org);
    if (!fs::exists(paths.client_cert, ec) || !fs::exists(paths.client_key, ec)) {
        engine::issue_client_cert({paths.ca_cert, paths.ca_key}, paths.client_cert,
                                  paths.client_key, k_org);
        created = true;
    }
    return created;
}

AuthOptions make_auth_options(const Store& store, const TlsPaths& paths, const std::string& name,
                              const std::vector<std::string>& extra_sans) {
    AuthOptions a;
    fs::path dir = store.machine_dir(name);
    a.cert_dir = store.certs_dir();
    a.ca_cert = paths.ca_cert;
    a.ca_key = paths.ca_key;
    a.client_cert = paths.client_cert;
    a.client_key = paths.client_key;
    a.server_cert = dir / "server.pem";
    a.server_key = dir / "server-key.pem";
    a.store_path = dir;
    a.server_cert_sans = extra_sans;
    return a;
}

void install_client_certs(const AuthOptions& auth) {
    support::atomic_write(auth.store_path / "ca.pem", support::read_file(auth.ca_cert), 0644);
    support::atomic_write(auth.store_path / "cert.pem", support::read_file(auth.client_cert), 0644);
    support::atomic_write(auth.store_path / "key.pem", support::read_file(auth.client_key), 0600);
}

std::vector<std::string> server_sans(const Host& host, const std::string& ip) {
    std::vector<std::string> sans;
    auto add = [&](const std::string& s) {
        if (!s.empty() && std::find(sans.begin(), sans.end(), s) == sans.end())
            sans.push_back(s);
    };
    add(ip);
    // A valid machine name that is not a DNS name ("0": an all-digit last label reads as a
    // mistyped address) is simply not a certificate name; the IP and --tls-san still are.
    if (engine::is_dns_name(host.name))
        add(host.name);
    add("localhost");
    add("127.0.0.1");
    for (const auto& s : host.options.auth.server_cert_sans)
        add(s);
    return sans;
}

void issue_server_cert(const Host& host, const std::string& ip) {
    const auto& a = host.options.auth;
    engine::issue_server_cert({a.ca_cert, a.ca_key}, a.server_cert, a.server_key,
                              k_org + std::string(".") + host.name, server_sans(host, ip));
}

void regenerate_client_cert(const TlsPaths& paths) {
    engine::issue_client_cert({paths.ca_cert, paths.ca_key}, paths.client_cert, paths.client_key,
                              k_org);
}

} // namespace machine
