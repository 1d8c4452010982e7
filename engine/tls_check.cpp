// Local checks and inspection of certificates (see tls.h). Nothing here generates keys or talks
// to the network: `machine env` and `machine ls` call it on every run.
#include "engine/openssl_util.h"
#include "engine/tls.h"

#include "machine/support/error.h"
#include "machine/support/fs.h"

#include <fmt/format.h>
#include <openssl/err.h>

#include <arpa/inet.h>
#include <algorithm>
#include <ctime>
#include <optional>

namespace machine::engine {
namespace {

using namespace ossl;

std::string join(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v)
        out += (out.empty() ? "" : ", ") + s;
    return out;
}

std::string format_time(const ASN1_TIME* t) {
    std::tm tm{};
    if (ASN1_TIME_to_tm(t, &tm) != 1) {
        ERR_clear_error();
        return "an unreadable date";
    }
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", &tm);
    return buf;
}

std::vector<std::string> sans_of(X509* cert) {
    std::vector<std::string> out;
    auto* names = static_cast<GENERAL_NAMES*>(
        X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
    if (!names)
        return out;
    GeneralNamesPtr owner(names);
    for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
        const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names, i);
        if (gn->type == GEN_DNS) {
            const ASN1_STRING* s = gn->d.dNSName;
            out.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                             static_cast<size_t>(ASN1_STRING_length(s)));
        } else if (gn->type == GEN_IPADD) {
            const ASN1_OCTET_STRING* s = gn->d.iPAddress;
            int len = ASN1_STRING_length(s);
            char buf[INET6_ADDRSTRLEN];
            int family = len == 4 ? AF_INET : len == 16 ? AF_INET6 : 0;
            if (family && inet_ntop(family, ASN1_STRING_get0_data(s), buf, sizeof buf))
                out.emplace_back(buf);
        }
    }
    return out;
}

// Reads a certificate for a check: a problem line instead of an exception.
X509Ptr read_for_check(const fs::path& path, const char* what, std::string& problem) {
    auto text = support::try_read_file(path);
    if (!text) {
        problem = fmt::format("the {} {} is missing or unreadable", what, path.string());
        return nullptr;
    }
    auto cert = parse_cert(*text);
    if (!cert)
        problem = fmt::format("the {} {} is not a PEM certificate", what, path.string());
    return cert;
}

// Chain, validity and purpose; `what` is "server certificate" or "client certificate".
CertCheck verify(const fs::path& ca_path, X509* ca, X509* leaf, int purpose, const char* what) {
    X509StorePtr store(X509_STORE_new());
    X509StoreCtxPtr ctx(X509_STORE_CTX_new());
    if (!store || !ctx || X509_STORE_add_cert(store.get(), ca) != 1 ||
        X509_STORE_CTX_init(ctx.get(), store.get(), leaf, nullptr) != 1 ||
        X509_STORE_CTX_set_purpose(ctx.get(), purpose) != 1) {
        ERR_clear_error();
        return {false, fmt::format("cannot set up verification of the {}", what)};
    }
    if (X509_verify_cert(ctx.get()) == 1) {
        // OpenSSL's purpose check accepts a certificate without any extendedKeyUsage; we insist.
        uint32_t want = purpose == X509_PURPOSE_SSL_SERVER ? XKU_SSL_SERVER : XKU_SSL_CLIENT;
        if (!(X509_get_extension_flags(leaf) & EXFLAG_XKUSAGE) ||
            !(X509_get_extended_key_usage(leaf) & want))
            return {false, fmt::format("the {} lacks the TLS {} extended key usage", what,
                                       purpose == X509_PURPOSE_SSL_SERVER ? "server" : "client")};
        return {true, ""};
    }
    int err = X509_STORE_CTX_get_error(ctx.get());
    X509* bad = X509_STORE_CTX_get_current_cert(ctx.get());
    ERR_clear_error();
    std::string subject = bad == ca ? fmt::format("the CA certificate {}", ca_path.string())
                                    : fmt::format("the {}", what);
    switch (err) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
        return {false, fmt::format("{} expired on {}", subject,
                                   format_time(X509_get0_notAfter(bad ? bad : leaf)))};
    case X509_V_ERR_CERT_NOT_YET_VALID:
        return {false, fmt::format("{} is not valid until {} (is this computer's clock right?)",
                                   subject, format_time(X509_get0_notBefore(bad ? bad : leaf)))};
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
        return {false, fmt::format("the {} was not signed by the CA {}", what, ca_path.string())};
    case X509_V_ERR_INVALID_PURPOSE:
        return {false, fmt::format("the {} is not meant for a TLS {}", what,
                                   purpose == X509_PURPOSE_SSL_SERVER ? "server" : "client")};
    default:
        return {false, fmt::format("the {} does not verify against the CA {}: {}", what,
                                   ca_path.string(), X509_verify_cert_error_string(err))};
    }
}

// An ASN1 time as a time point; nullopt when OpenSSL cannot read it.
std::optional<std::chrono::system_clock::time_point> time_point(const ASN1_TIME* t) {
    std::tm tm{};
    if (ASN1_TIME_to_tm(t, &tm) != 1) {
        ERR_clear_error();
        return std::nullopt;
    }
    return std::chrono::system_clock::from_time_t(timegm(&tm));
}

// Sets the window in which both `ca` and `leaf` are valid; not ok when a date is unreadable.
CertCheck with_validity(CertCheck result, X509* ca, X509* leaf, const char* what) {
    auto from_ca = time_point(X509_get0_notBefore(ca));
    auto from_leaf = time_point(X509_get0_notBefore(leaf));
    auto until_ca = time_point(X509_get0_notAfter(ca));
    auto until_leaf = time_point(X509_get0_notAfter(leaf));
    if (!from_ca || !from_leaf || !until_ca || !until_leaf)
        return {false, fmt::format("cannot read the validity dates of the {} or its CA", what)};
    result.valid_from = std::max(*from_ca, *from_leaf);
    result.valid_until = std::min(*until_ca, *until_leaf);
    return result;
}

CertCheck check_leaf(const fs::path& ca_path, const fs::path& leaf_path, int purpose,
                     const char* what, const std::string& ip) {
    CertCheck result;
    auto ca = read_for_check(ca_path, "CA certificate", result.problem);
    if (!ca)
        return result;
    auto leaf = read_for_check(leaf_path, what, result.problem);
    if (!leaf)
        return result;
    result = verify(ca_path, ca.get(), leaf.get(), purpose, what);
    if (!result.ok)
        return result;
    if (ip.empty())
        return with_validity(result, ca.get(), leaf.get(), what);
    int rc = X509_check_ip_asc(leaf.get(), ip.c_str(), 0);
    ERR_clear_error();
    if (rc == 1)
        return with_validity(result, ca.get(), leaf.get(), what);
    if (rc == -2)
        return {false, fmt::format("'{}' is not an IP address", ip)};
    auto sans = sans_of(leaf.get());
    return {false, fmt::format("the {} does not cover {} (it covers: {})", what, ip,
                               sans.empty() ? "nothing" : join(sans))};
}

} // namespace

CertCheck check_server_cert(const fs::path& ca_cert, const fs::path& server_cert,
                            const std::string& ip) {
    return check_leaf(ca_cert, server_cert, X509_PURPOSE_SSL_SERVER, "server certificate", ip);
}

CertCheck check_client_cert(const fs::path& ca_cert, const fs::path& client_cert) {
    return check_leaf(ca_cert, client_cert, X509_PURPOSE_SSL_CLIENT, "client certificate", "");
}

std::vector<std::string> certificate_sans(const fs::path& cert) {
    return sans_of(load_cert(cert, "certificate").get());
}

std::chrono::system_clock::time_point certificate_expiry(const fs::path& cert) {
    auto x = load_cert(cert, "certificate");
    std::tm tm{};
    if (ASN1_TIME_to_tm(X509_get0_notAfter(x.get()), &tm) != 1)
        fail(fmt::format("cannot read the expiry date of {}", cert.string()));
    return std::chrono::system_clock::from_time_t(timegm(&tm));
}

bool key_matches_cert(const fs::path& key, const fs::path& cert) {
    auto k = load_private_key(key, "private key");
    auto x = load_cert(cert, "certificate");
    bool match = EVP_PKEY_eq(X509_get0_pubkey(x.get()), k.get()) == 1;
    ERR_clear_error();
    return match;
}

} // namespace machine::engine
