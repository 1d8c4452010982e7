// Issuing: the CA, client and server certificates (see tls.h).
#include "engine/openssl_util.h"
#include "engine/san.h"
#include "engine/tls.h"

#include "machine/support/error.h"
#include "machine/support/fs.h"
#include "machine/support/log.h"

#include <fmt/format.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/rand.h>

#include <arpa/inet.h>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace machine::engine {
namespace {

using namespace ossl;

constexpr long k_ca_days = 3650;    // ~10 years
constexpr long k_leaf_days = 1095;  // ~3 years
constexpr long k_backdate_s = 3600; // tolerate a guest clock running up to an hour behind
constexpr size_t k_max_name = 64;   // ub-organization-name / ub-common-name in RFC 5280

void check_org(const std::string& org) {
    if (org.empty() || org.size() > k_max_name)
        throw UsageError(fmt::format("certificate organization '{}' must be 1 to {} characters",
                                     org, k_max_name));
    for (unsigned char c : org)
        if (c < 0x20 || c == 0x7f)
            throw UsageError("certificate organization must not contain control characters");
}

PkeyPtr new_key() {
    // P-256: see tls.h for why.
    return PkeyPtr(check(EVP_EC_gen("P-256"), "cannot generate an ECDSA P-256 key"));
}

// A positive, non-zero 128-bit random serial (RFC 5280 allows up to 20 octets).
Asn1IntegerPtr random_serial() {
    unsigned char bytes[16];
    do {
        check(RAND_bytes(bytes, sizeof bytes), "cannot draw a random serial number");
        bytes[0] &= 0x7f;
    } while (bytes[0] == 0);
    BignumPtr bn(check(BN_bin2bn(bytes, sizeof bytes, nullptr), "cannot build a serial number"));
    return Asn1IntegerPtr(
        check(BN_to_ASN1_INTEGER(bn.get(), nullptr), "cannot encode a serial number"));
}

X509NamePtr make_name(const std::string& org, const std::string& cn) {
    X509NamePtr name(check(X509_NAME_new(), "cannot allocate a certificate name"));
    auto add = [&](const char* field, const std::string& value) {
        check(X509_NAME_add_entry_by_txt(name.get(), field, MBSTRING_UTF8,
                                         reinterpret_cast<const unsigned char*>(value.c_str()), -1,
                                         -1, 0),
              fmt::format("cannot set {}={} in a certificate name", field, value));
    };
    add("O", org);
    if (!cn.empty())
        add("CN", cn);
    return name;
}

// A certificate with everything but extensions and the signature filled in.
X509Ptr new_cert(X509_NAME* subject, X509_NAME* issuer, EVP_PKEY* key, long days) {
    X509Ptr cert(check(X509_new(), "cannot allocate a certificate"));
    check(X509_set_version(cert.get(), X509_VERSION_3), "cannot set the certificate version");
    auto serial = random_serial();
    check(X509_set_serialNumber(cert.get(), serial.get()), "cannot set the serial number");
    check(X509_set_subject_name(cert.get(), subject), "cannot set the subject");
    check(X509_set_issuer_name(cert.get(), issuer), "cannot set the issuer");
    check(X509_gmtime_adj(X509_getm_notBefore(cert.get()), -k_backdate_s) != nullptr,
          "cannot set notBefore");
    check(X509_time_adj_ex(X509_getm_notAfter(cert.get()), static_cast<int>(days), 0, nullptr) !=
              nullptr,
          "cannot set notAfter");
    check(X509_set_pubkey(cert.get(), key), "cannot set the public key");
    return cert;
}

// Adds one extension given in OpenSSL's config syntax (fixed strings only: never user input).
void add_ext(X509* cert, X509* issuer, int nid, const char* value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    X509ExtPtr ext(check(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value),
                         fmt::format("cannot build the {} extension", OBJ_nid2sn(nid))));
    check(X509_add_ext(cert, ext.get(), -1),
          fmt::format("cannot add the {} extension", OBJ_nid2sn(nid)));
}

// The subjectAltName extension, built from structures so no SAN text is ever parsed as config.
void add_sans(X509* cert, const SanList& sans) {
    GeneralNamesPtr names(check(GENERAL_NAMES_new(), "cannot allocate subjectAltName"));
    auto push = [&](GENERAL_NAME* gn) {
        if (!sk_GENERAL_NAME_push(names.get(), gn)) {
            GENERAL_NAME_free(gn);
            fail("cannot build subjectAltName");
        }
    };
    for (const auto& dns : sans.dns) {
        Asn1Ia5Ptr s(check(ASN1_IA5STRING_new(), "cannot allocate a DNS name"));
        check(ASN1_STRING_set(s.get(), dns.data(), static_cast<int>(dns.size())),
              "cannot set a DNS name");
        GeneralNamePtr gn(check(GENERAL_NAME_new(), "cannot allocate a DNS name"));
        GENERAL_NAME_set0_value(gn.get(), GEN_DNS, s.release());
        push(gn.release());
    }
    for (const auto& ip : sans.ips) {
        unsigned char buf[16];
        int len = ip.find(':') == std::string::npos ? 4 : 16;
        if (inet_pton(len == 4 ? AF_INET : AF_INET6, ip.c_str(), buf) != 1)
            throw Error(fmt::format("cannot encode IP address {}", ip)); // classify_sans checked
        Asn1OctetPtr s(check(ASN1_OCTET_STRING_new(), "cannot allocate an IP address"));
        check(ASN1_OCTET_STRING_set(s.get(), buf, len), "cannot set an IP address");
        GeneralNamePtr gn(check(GENERAL_NAME_new(), "cannot allocate an IP address"));
        GENERAL_NAME_set0_value(gn.get(), GEN_IPADD, s.release());
        push(gn.release());
    }
    check(X509_add1_ext_i2d(cert, NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT),
          "cannot add the subjectAltName extension");
}

void sign(X509* cert, EVP_PKEY* key) {
    check(X509_sign(cert, key, EVP_sha256()), "cannot sign the certificate");
}

// Key first, so a certificate on disk never points at a key that does not exist yet.
void write_pair(X509* cert, EVP_PKEY* key, const fs::path& cert_path, const fs::path& key_path) {
    std::string key_pem = private_key_to_pem(key);
    try {
        support::atomic_write(key_path, key_pem, 0600);
    } catch (...) {
        cleanse(key_pem);
        throw;
    }
    cleanse(key_pem);
    support::atomic_write(cert_path, cert_to_pem(cert), 0644);
}

struct LoadedCa {
    X509Ptr cert;
    PkeyPtr key;
};

LoadedCa load_ca(const CaFiles& ca) {
    LoadedCa out{load_cert(ca.cert, "CA certificate"), load_private_key(ca.key, "CA key")};
    if (X509_check_private_key(out.cert.get(), out.key.get()) != 1) {
        ERR_clear_error();
        throw Error(fmt::format("the CA key {} does not belong to the CA certificate {}",
                                ca.key.string(), ca.cert.string()));
    }
    return out;
}

void issue_leaf(const CaFiles& ca, const fs::path& cert_path, const fs::path& key_path,
                const std::string& org, const std::string& cn, const char* eku,
                const SanList* sans) {
    check_org(org);
    auto authority = load_ca(ca);
    auto key = new_key();
    auto subject = make_name(org, cn);
    auto cert = new_cert(subject.get(), X509_get_subject_name(authority.cert.get()), key.get(),
                         k_leaf_days);
    X509* x = cert.get();
    X509* issuer = authority.cert.get();
    add_ext(x, issuer, NID_basic_constraints, "critical,CA:FALSE");
    add_ext(x, issuer, NID_key_usage, "critical,digitalSignature");
    add_ext(x, issuer, NID_ext_key_usage, eku);
    add_ext(x, issuer, NID_subject_key_identifier, "hash");
    add_ext(x, issuer, NID_authority_key_identifier, "keyid:always");
    if (sans)
        add_sans(x, *sans);
    sign(x, authority.key.get());
    write_pair(x, key.get(), cert_path, key_path);
}

} // namespace

namespace {

constexpr const char* k_ca_temp_prefix = ".ca.tmp.";

// The pid in ".ca.tmp.<pid>.XXXXXX", or 0 when `name` is not one of our CA temp folders.
pid_t ca_temp_pid(const std::string& name) {
    if (name.rfind(k_ca_temp_prefix, 0) != 0)
        return 0;
    std::string rest = name.substr(std::strlen(k_ca_temp_prefix));
    auto dot = rest.find('.');
    if (dot == 0 || dot == std::string::npos || dot > 9 || rest.size() != dot + 7)
        return 0;
    for (size_t i = 0; i < dot; ++i)
        if (rest[i] < '0' || rest[i] > '9')
            return 0;
    return static_cast<pid_t>(std::stol(rest.substr(0, dot)));
}

bool key_matches(const fs::path& cert, const fs::path& key) {
    try {
        auto c = load_cert(cert, "CA certificate");
        auto k = load_private_key(key, "CA key");
        bool ok = X509_check_private_key(c.get(), k.get()) == 1;
        ERR_clear_error();
        return ok;
    } catch (const std::exception&) {
        ERR_clear_error();
        return false;
    }
}

void fsync_dir(const fs::path& dir) {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
}

// Run under the CA lock. A create killed between moving the key and the certificate into place
// left the key alone, with the certificate still in its temp folder: finish the move. Temp folders
// of processes that no longer run are then removed; nothing else in the folder is touched.
void finish_interrupted_ca(const CaFiles& ca, const fs::path& dir) {
    std::error_code ec;
    for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator();
         it.increment(ec)) {
        std::error_code ec2;
        pid_t pid = ca_temp_pid(it->path().filename().string());
        if (pid <= 0 || it->is_symlink(ec2) || !it->is_directory(ec2))
            continue;
        fs::path cert = it->path() / "ca.pem";
        if (fs::exists(ca.key, ec2) && !fs::exists(ca.cert, ec2) &&
            fs::is_regular_file(cert, ec2) && key_matches(cert, ca.key)) {
            if (::rename(cert.c_str(), ca.cert.c_str()) == 0)
                fsync_dir(ca.cert.parent_path());
            else
                support::atomic_write(ca.cert, support::read_file(cert), 0644);
            support::info("completed the CA an interrupted create left without its certificate: {}",
                          ca.cert.string());
        }
        if (pid != ::getpid() && ::kill(pid, 0) != 0 && errno == ESRCH)
            fs::remove_all(it->path(), ec2);
    }
}

// Writes the pair into a fresh private folder beside the key, then renames the key and then the
// certificate into place: a kill at any moment leaves either no CA, or a key whose certificate
// finish_interrupted_ca can still find.
void write_ca(X509* cert, EVP_PKEY* key, const CaFiles& ca, const fs::path& dir) {
    std::string templ = (dir / fmt::format("{}{}.XXXXXX", k_ca_temp_prefix, ::getpid())).string();
    if (!::mkdtemp(templ.data()))
        throw Error(
            fmt::format("cannot make a temp folder in {}: {}", dir.string(), std::strerror(errno)));
    fs::path tmp = templ;
    write_pair(cert, key, tmp / "ca.pem", tmp / "ca-key.pem");
    if (::rename((tmp / "ca-key.pem").c_str(), ca.key.c_str()) != 0)
        throw Error(
            fmt::format("cannot move the CA key to {}: {}", ca.key.string(), std::strerror(errno)));
    fsync_dir(dir);
    if (::rename((tmp / "ca.pem").c_str(), ca.cert.c_str()) != 0) // another file system
        support::atomic_write(ca.cert, support::read_file(tmp / "ca.pem"), 0644);
    fsync_dir(ca.cert.parent_path().empty() ? fs::path(".") : ca.cert.parent_path());
    std::error_code ec;
    fs::remove_all(tmp, ec);
}

} // namespace

bool ensure_ca(const CaFiles& ca, const std::string& org) {
    auto complete = [&] {
        bool have_cert = fs::exists(ca.cert);
        bool have_key = fs::exists(ca.key);
        if (have_cert != have_key) {
            const auto& present = have_cert ? ca.cert : ca.key;
            const auto& missing = have_cert ? ca.key : ca.cert;
            throw Error(fmt::format(
                "the CA is incomplete: {} exists but {} is missing; restore it, or remove {} to "
                "create a new CA (every machine's certificates would then need regenerating)",
                present.string(), missing.string(), present.string()));
        }
        return have_cert;
    };
    fs::path dir = ca.key.parent_path().empty() ? fs::path(".") : ca.key.parent_path();
    if (fs::exists(ca.cert) && fs::exists(ca.key)) {
        finish_interrupted_ca(ca, dir); // only removes temp folders of processes that are gone
        return false;
    }
    check_org(org);
    if (!fs::exists(dir))
        support::make_dirs(dir, 0700);
    // Half a CA that no interrupted create of ours explains is refused before any lock file is
    // made beside it (it may be someone else's folder).
    bool temp_there = false;
    std::error_code ec;
    for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator();
         it.increment(ec))
        temp_there = temp_there || ca_temp_pid(it->path().filename().string()) > 0;
    if (!temp_there)
        complete();
    // Two `machine create` at once must not make two CAs: decide again under a lock.
    support::FileLock lock(dir / ".ca.lock");
    finish_interrupted_ca(ca, dir);
    if (complete())
        return false;

    auto key = new_key();
    auto name = make_name(org, "");
    auto cert = new_cert(name.get(), name.get(), key.get(), k_ca_days);
    X509* x = cert.get();
    add_ext(x, x, NID_basic_constraints, "critical,CA:TRUE");
    add_ext(x, x, NID_key_usage, "critical,keyCertSign,cRLSign,digitalSignature");
    add_ext(x, x, NID_subject_key_identifier, "hash");
    sign(x, key.get());
    write_ca(x, key.get(), ca, dir);
    support::debug("created CA {} (O={})", ca.cert.string(), org);
    return true;
}

void issue_client_cert(const CaFiles& ca, const fs::path& cert, const fs::path& key,
                       const std::string& org) {
    issue_leaf(ca, cert, key, org, "client", "clientAuth", nullptr);
}

void issue_server_cert(const CaFiles& ca, const fs::path& cert, const fs::path& key,
                       const std::string& org, const std::vector<std::string>& sans) {
    SanList list = classify_sans(sans);
    if (list.ips.empty() && list.dns.empty())
        throw UsageError("a server certificate needs at least one IP address or DNS name");
    std::string cn = org;
    for (const auto& dns : list.dns) {
        if (dns.size() <= k_max_name && dns.front() != '*') {
            cn = dns;
            break;
        }
    }
    issue_leaf(ca, cert, key, org, cn, "serverAuth", &list);
}

} // namespace machine::engine
