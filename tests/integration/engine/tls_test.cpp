// Real OpenSSL verification of the certificates engine/tls.h makes: in process with
// X509_verify_cert (written here, independent of tls_check.cpp) and with the `openssl` command.
#include "tls_fixture.h"

#include "engine/openssl_util.h"
#include "machine/support/error.h"
#include "machine/support/fs.h"
#include "machine/support/process.h"

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <chrono>
#include <sys/stat.h>

using namespace machine::engine;
using namespace machine::engine::testing;
namespace ossl = machine::engine::ossl;

namespace {

const std::vector<std::string> k_sans = {"192.168.122.5", "myvm", "localhost", "127.0.0.1",
                                         "::1",           "MyVM", "127.0.0.1"};

mode_t mode_of(const fs::path& p) {
    struct stat st {};
    EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
    return st.st_mode & 0777;
}

ossl::X509Ptr load(const fs::path& p) { return ossl::load_cert(p, "test certificate"); }

// Independent of the library's checks: X509_verify_cert with a purpose, returning the error code.
int verify_code(const fs::path& ca, const fs::path& leaf, int purpose) {
    auto ca_cert = load(ca);
    auto leaf_cert = load(leaf);
    ossl::X509StorePtr store(X509_STORE_new());
    ossl::X509StoreCtxPtr ctx(X509_STORE_CTX_new());
    EXPECT_EQ(X509_STORE_add_cert(store.get(), ca_cert.get()), 1);
    EXPECT_EQ(X509_STORE_CTX_init(ctx.get(), store.get(), leaf_cert.get(), nullptr), 1);
    EXPECT_EQ(X509_STORE_CTX_set_purpose(ctx.get(), purpose), 1);
    int rc = X509_verify_cert(ctx.get());
    int err = X509_STORE_CTX_get_error(ctx.get());
    EXPECT_EQ(rc == 1, err == X509_V_OK);
    return err;
}

machine::support::ProcessResult openssl(std::vector<std::string> args) {
    machine::support::SystemProcessRunner runner;
    return runner.run({"openssl", std::move(args), {}, std::nullopt, std::chrono::seconds(20)});
}

std::string cert_text(const fs::path& p) {
    auto r = openssl({"x509", "-noout", "-text", "-in", p.string()});
    EXPECT_TRUE(r.ok()) << r.err;
    return r.out;
}

// A certificate signed by the CA with chosen validity (days from now) and EKU, to test checks
// against certificates the library would never make.
void forge(const CaFiles& ca, const fs::path& out, long from_days, long to_days,
           const char* eku) {
    auto ca_cert = load(ca.cert);
    auto ca_key = ossl::load_private_key(ca.key, "CA key");
    ossl::PkeyPtr key(EVP_EC_gen("P-256"));
    ossl::X509Ptr x(X509_new());
    X509_set_version(x.get(), X509_VERSION_3);
    ASN1_INTEGER_set(X509_get_serialNumber(x.get()), 4242);
    X509_set_issuer_name(x.get(), X509_get_subject_name(ca_cert.get()));
    X509_NAME* name = X509_get_subject_name(x.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("forged"), -1, -1, 0);
    X509_gmtime_adj(X509_getm_notBefore(x.get()), from_days * 86400);
    X509_gmtime_adj(X509_getm_notAfter(x.get()), to_days * 86400);
    X509_set_pubkey(x.get(), key.get());
    if (eku) {
        X509V3_CTX ctx;
        X509V3_set_ctx_nodb(&ctx);
        X509V3_set_ctx(&ctx, ca_cert.get(), x.get(), nullptr, nullptr, 0);
        ossl::X509ExtPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, NID_ext_key_usage, eku));
        X509_add_ext(x.get(), ext.get(), -1);
    }
    ASSERT_GT(X509_sign(x.get(), ca_key.get(), EVP_sha256()), 0);
    machine::support::atomic_write(out, ossl::cert_to_pem(x.get()));
}

class TlsAuthority : public TlsDir {};

TEST_F(TlsAuthority, ChainVerifiesInProcessWithTheRightPurposes) {
    make_all(k_sans);
    EXPECT_EQ(verify_code(ca.cert, server_cert, X509_PURPOSE_SSL_SERVER), X509_V_OK);
    EXPECT_EQ(verify_code(ca.cert, client_cert, X509_PURPOSE_SSL_CLIENT), X509_V_OK);
    // The EKUs keep the two apart: neither certificate can stand in for the other.
    EXPECT_EQ(verify_code(ca.cert, server_cert, X509_PURPOSE_SSL_CLIENT),
              X509_V_ERR_INVALID_PURPOSE);
    EXPECT_EQ(verify_code(ca.cert, client_cert, X509_PURPOSE_SSL_SERVER),
              X509_V_ERR_INVALID_PURPOSE);
    EXPECT_TRUE(check_server_cert(ca.cert, server_cert, "192.168.122.5").ok);
    EXPECT_TRUE(check_server_cert(ca.cert, server_cert, "::1").ok);
    EXPECT_TRUE(check_server_cert(ca.cert, server_cert, "").ok);
    auto client = check_client_cert(ca.cert, client_cert);
    EXPECT_TRUE(client.ok) << client.problem;
    EXPECT_FALSE(check_client_cert(ca.cert, server_cert).ok);
    EXPECT_FALSE(check_server_cert(ca.cert, client_cert, "").ok);
}

TEST_F(TlsAuthority, APassedCheckCarriesTheWindowWhereCaAndCertificateAreBothValid) {
    make_all(k_sans);
    auto server = check_server_cert(ca.cert, server_cert, "192.168.122.5");
    ASSERT_TRUE(server.ok) << server.problem;
    auto now = std::chrono::system_clock::now();
    EXPECT_LE(server.valid_from, now);
    EXPECT_GT(server.valid_until, now);
    // The earliest notAfter of the two: the server certificate's, never later than the CA's.
    EXPECT_EQ(server.valid_until, std::min(certificate_expiry(server_cert),
                                           certificate_expiry(ca.cert)));
}

TEST_F(TlsAuthority, OpensslCommandVerifiesPurposesAndAddresses) {
    make_all(k_sans);
    auto ok = [&](std::vector<std::string> args, const fs::path& leaf) {
        std::vector<std::string> all = {"verify", "-CAfile", ca.cert.string()};
        all.insert(all.end(), args.begin(), args.end());
        all.push_back(leaf.string());
        auto r = openssl(all);
        if (r.ok()) {
            EXPECT_EQ(r.out, leaf.string() + ": OK\n");
        }
        return r.ok();
    };
    EXPECT_TRUE(ok({"-purpose", "sslserver"}, server_cert));
    EXPECT_TRUE(ok({"-purpose", "sslserver", "-verify_ip", "192.168.122.5"}, server_cert));
    EXPECT_TRUE(ok({"-purpose", "sslserver", "-verify_ip", "::1"}, server_cert));
    EXPECT_TRUE(ok({"-purpose", "sslserver", "-verify_hostname", "myvm"}, server_cert));
    EXPECT_TRUE(ok({"-purpose", "sslclient"}, client_cert));
    EXPECT_FALSE(ok({"-purpose", "sslserver", "-verify_ip", "192.168.122.6"}, server_cert));
    EXPECT_FALSE(ok({"-purpose", "sslserver", "-verify_hostname", "other"}, server_cert));
    EXPECT_FALSE(ok({"-purpose", "sslclient"}, server_cert));
    EXPECT_FALSE(ok({"-purpose", "sslserver"}, client_cert));
    EXPECT_FALSE(ok({"-purpose", "sslserver"}, ca.key)); // a key is no certificate
}

TEST_F(TlsAuthority, ExtensionsSubjectsAndKeysAreWhatDockerExpects) {
    make_all(k_sans);
    std::string ca_text = cert_text(ca.cert);
    EXPECT_NE(ca_text.find("Subject: O = alice.myvm\n"), std::string::npos) << ca_text;
    EXPECT_NE(ca_text.find("X509v3 Basic Constraints: critical\n                CA:TRUE"),
              std::string::npos)
        << ca_text;
    EXPECT_NE(ca_text.find("X509v3 Key Usage: critical\n                Digital Signature, "
                           "Certificate Sign, CRL Sign"),
              std::string::npos)
        << ca_text;
    EXPECT_NE(ca_text.find("X509v3 Subject Key Identifier"), std::string::npos);
    EXPECT_NE(ca_text.find("ASN1 OID: prime256v1"), std::string::npos);
    EXPECT_NE(ca_text.find("Signature Algorithm: ecdsa-with-SHA256"), std::string::npos);

    std::string server_text = cert_text(server_cert);
    EXPECT_NE(server_text.find("Subject: O = alice.myvm, CN = myvm\n"), std::string::npos)
        << server_text;
    EXPECT_NE(server_text.find("TLS Web Server Authentication"), std::string::npos);
    EXPECT_EQ(server_text.find("TLS Web Client Authentication"), std::string::npos);
    EXPECT_NE(server_text.find("CA:FALSE"), std::string::npos);
    EXPECT_NE(server_text.find("X509v3 Authority Key Identifier"), std::string::npos);
    EXPECT_NE(server_text.find("DNS:myvm, DNS:localhost, IP Address:192.168.122.5, "
                               "IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1"),
              std::string::npos)
        << server_text;

    std::string client_text = cert_text(client_cert);
    EXPECT_NE(client_text.find("Subject: O = alice.myvm, CN = client\n"), std::string::npos);
    EXPECT_NE(client_text.find("TLS Web Client Authentication"), std::string::npos);
    EXPECT_EQ(client_text.find("TLS Web Server Authentication"), std::string::npos);
    EXPECT_EQ(client_text.find("Subject Alternative Name"), std::string::npos);

    // Serials are random and distinct; 128 bits with the top bit clear print as 16 hex octets
    // (15 when the random top octet is small enough to be dropped, which is rare but legal).
    auto serial = [&](const fs::path& p) {
        auto r = openssl({"x509", "-noout", "-serial", "-in", p.string()});
        EXPECT_TRUE(r.ok());
        return r.out;
    };
    std::string a = serial(ca.cert), b = serial(client_cert), c = serial(server_cert);
    EXPECT_NE(a, b);
    EXPECT_NE(b, c);
    EXPECT_NE(a, c);
    EXPECT_GE(c.size(), std::string("serial=\n").size() + 30) << c;

    EXPECT_TRUE(key_matches_cert(server_key, server_cert));
    EXPECT_TRUE(key_matches_cert(client_key, client_cert));
    EXPECT_TRUE(key_matches_cert(ca.key, ca.cert));
    EXPECT_FALSE(key_matches_cert(client_key, server_cert));
    EXPECT_FALSE(key_matches_cert(server_key, ca.cert));
    // The key files are PKCS#8 PEM, which Docker's Go TLS loader reads.
    EXPECT_EQ(machine::support::read_file(server_key).rfind("-----BEGIN PRIVATE KEY-----", 0), 0u);
}

TEST_F(TlsAuthority, SansAreReadBackDeduplicatedAndExpiryIsAboutThreeAndTenYears) {
    make_all(k_sans);
    EXPECT_EQ(certificate_sans(server_cert),
              (std::vector<std::string>{"myvm", "localhost", "192.168.122.5", "127.0.0.1", "::1"}));
    EXPECT_TRUE(certificate_sans(client_cert).empty());
    using namespace std::chrono;
    auto days_left = [](const fs::path& p) {
        return duration_cast<hours>(certificate_expiry(p) - system_clock::now()).count() / 24.0;
    };
    EXPECT_NEAR(days_left(ca.cert), 3650, 1);
    EXPECT_NEAR(days_left(server_cert), 1095, 1);
    EXPECT_NEAR(days_left(client_cert), 1095, 1);
    EXPECT_THROW(certificate_sans(dir / "absent.pem"), machine::Error);
}

TEST_F(TlsAuthority, WrongCaFailsEverywhere) {
    make_all(k_sans);
    CaFiles other{dir / "other-ca.pem", dir / "other-ca-key.pem"};
    ASSERT_TRUE(ensure_ca(other, "mallory"));
    EXPECT_EQ(verify_code(other.cert, server_cert, X509_PURPOSE_SSL_SERVER),
              X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
    auto r = openssl({"verify", "-CAfile", other.cert.string(), "-purpose", "sslserver",
                      server_cert.string()});
    EXPECT_FALSE(r.ok());
    auto check = check_server_cert(other.cert, server_cert, "192.168.122.5");
    EXPECT_FALSE(check.ok);
    EXPECT_EQ(check.problem, "the server certificate was not signed by the CA " +
                                 other.cert.string());
    EXPECT_FALSE(check_client_cert(other.cert, client_cert).ok);
}

TEST_F(TlsAuthority, PrivateKeysAre0600AndCertificates0644EvenUnderPermissiveUmask) {
    mode_t old = ::umask(0);
    make_all(k_sans);
    ::umask(old);
    EXPECT_EQ(mode_of(ca.key), 0600u);
    EXPECT_EQ(mode_of(client_key), 0600u);
    EXPECT_EQ(mode_of(server_key), 0600u);
    EXPECT_EQ(mode_of(ca.cert), 0644u);
    EXPECT_EQ(mode_of(client_cert), 0644u);
    EXPECT_EQ(mode_of(server_cert), 0644u);
    // No temp files (which would have held a key) are left behind.
    for (auto& e : fs::directory_iterator(dir))
        EXPECT_EQ(e.path().filename().string().find(".tmp"), std::string::npos) << e.path();
}

TEST_F(TlsAuthority, ExistingCaIsReusedByteForByteAndHalfCaIsRefused) {
    make_all(k_sans);
    std::string cert_before = machine::support::read_file(ca.cert);
    std::string key_before = machine::support::read_file(ca.key);
    EXPECT_FALSE(ensure_ca(ca, "someone-else"));
    EXPECT_EQ(machine::support::read_file(ca.cert), cert_before);
    EXPECT_EQ(machine::support::read_file(ca.key), key_before);
    // Certificates issued before and after still share the one CA.
    issue_server_cert(ca, dir / "s2.pem", dir / "s2-key.pem", "alice.myvm", {"10.0.0.7"});
    EXPECT_TRUE(check_server_cert(ca.cert, server_cert, "192.168.122.5").ok);
    EXPECT_TRUE(check_server_cert(ca.cert, dir / "s2.pem", "10.0.0.7").ok);

    fs::rename(ca.key, dir / "moved-key.pem");
    try {
        ensure_ca(ca, "alice.myvm");
        FAIL() << "a CA without its key was accepted";
    } catch (const machine::Error& e) {
        std::string what = e.what();
        EXPECT_NE(what.find(ca.key.string() + " is missing"), std::string::npos) << what;
    }
    EXPECT_EQ(machine::support::read_file(ca.cert), cert_before); // untouched
    fs::rename(dir / "moved-key.pem", ca.key);
    fs::remove(ca.cert);
    try {
        ensure_ca(ca, "alice.myvm");
        FAIL() << "a CA key without its certificate was accepted";
    } catch (const machine::Error& e) {
        EXPECT_NE(std::string(e.what()).find(ca.cert.string() + " is missing"),
                  std::string::npos)
            << e.what();
    }
    EXPECT_EQ(machine::support::read_file(ca.key), key_before);
}

TEST_F(TlsAuthority, CheckServerCertNamesTheMissingAddressAndWhatIsCovered) {
    make_all(k_sans);
    auto check = check_server_cert(ca.cert, server_cert, "192.168.122.9");
    EXPECT_FALSE(check.ok);
    EXPECT_EQ(check.problem, "the server certificate does not cover 192.168.122.9 (it covers: "
                             "myvm, localhost, 192.168.122.5, 127.0.0.1, ::1)");
    EXPECT_EQ(check_server_cert(ca.cert, server_cert, "not-an-ip").problem,
              "'not-an-ip' is not an IP address");
}

TEST_F(TlsAuthority, ChecksReportMissingExpiredFutureAndEkulessCertificates) {
    make_all(k_sans);
    auto missing = check_server_cert(ca.cert, dir / "nope.pem", "");
    EXPECT_FALSE(missing.ok);
    EXPECT_EQ(missing.problem, "the server certificate " + (dir / "nope.pem").string() +
                                   " is missing or unreadable");
    EXPECT_EQ(check_server_cert(ca.key, server_cert, "").problem,
              "the CA certificate " + ca.key.string() + " is not a PEM certificate");

    forge(ca, dir / "expired.pem", -30, -1, "serverAuth");
    auto expired = check_server_cert(ca.cert, dir / "expired.pem", "");
    EXPECT_FALSE(expired.ok);
    EXPECT_EQ(expired.problem.rfind("the server certificate expired on 20", 0), 0u)
        << expired.problem;

    forge(ca, dir / "future.pem", 2, 30, "serverAuth");
    auto future = check_server_cert(ca.cert, dir / "future.pem", "");
    EXPECT_NE(future.problem.find("is not valid until"), std::string::npos) << future.problem;

    forge(ca, dir / "noeku.pem", -1, 30, nullptr);
    EXPECT_EQ(verify_code(ca.cert, dir / "noeku.pem", X509_PURPOSE_SSL_SERVER), X509_V_OK)
        << "OpenSSL alone accepts a certificate without EKU";
    EXPECT_EQ(check_server_cert(ca.cert, dir / "noeku.pem", "").problem,
              "the server certificate lacks the TLS server extended key usage");
    forge(ca, dir / "clienteku.pem", -1, 30, "clientAuth");
    EXPECT_EQ(check_server_cert(ca.cert, dir / "clienteku.pem", "").problem,
              "the server certificate is not meant for a TLS server");
}

TEST_F(TlsAuthority, BadInputIsRefusedBeforeAnythingIsWritten) {
    ASSERT_TRUE(ensure_ca(ca, "alice.myvm"));
    EXPECT_THROW(issue_server_cert(ca, server_cert, server_key, "alice.myvm", {"ok", "bad name"}),
                 machine::UsageError);
    EXPECT_THROW(issue_server_cert(ca, server_cert, server_key, "alice.myvm", {}),
                 machine::UsageError);
    EXPECT_THROW(issue_client_cert(ca, client_cert, client_key, ""), machine::UsageError);
    EXPECT_THROW(ensure_ca({dir / "x.pem", dir / "x-key.pem"}, std::string(65, 'o')),
                 machine::UsageError);
    EXPECT_FALSE(fs::exists(server_cert));
    EXPECT_FALSE(fs::exists(server_key));
    EXPECT_FALSE(fs::exists(client_key));
    EXPECT_FALSE(fs::exists(dir / "x-key.pem"));
}

TEST_F(TlsAuthority, IssuingWithAMismatchedCaKeyFails) {
    ASSERT_TRUE(ensure_ca(ca, "alice.myvm"));
    CaFiles other{dir / "o.pem", dir / "o-key.pem"};
    ASSERT_TRUE(ensure_ca(other, "other"));
    CaFiles mixed{ca.cert, other.key};
    try {
        issue_client_cert(mixed, client_cert, client_key, "alice.myvm");
        FAIL() << "signed with a key that is not the CA's";
    } catch (const machine::Error& e) {
        EXPECT_NE(std::string(e.what()).find("does not belong to the CA certificate"),
                  std::string::npos);
    }
    EXPECT_FALSE(fs::exists(client_key));
}

TEST_F(TlsAuthority, ServerCertWithoutDnsNamesUsesOrgAsCommonName) {
    ASSERT_TRUE(ensure_ca(ca, "alice.myvm"));
    issue_server_cert(ca, server_cert, server_key, "alice.myvm", {"10.1.2.3"});
    EXPECT_NE(cert_text(server_cert).find("Subject: O = alice.myvm, CN = alice.myvm\n"),
              std::string::npos);
    EXPECT_EQ(certificate_sans(server_cert), std::vector<std::string>{"10.1.2.3"});
}

} // namespace
