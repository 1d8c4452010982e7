#include "engine/openssl_util.h"

#include "machine/support/error.h"
#include "machine/support/fs.h"

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>

namespace machine::engine::ossl {

void fail(std::string_view context) {
    unsigned long code = ERR_get_error();
    ERR_clear_error();
    if (code == 0)
        throw Error(fmt::format("{}: OpenSSL reported a failure without a reason", context));
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    throw Error(fmt::format("{}: {}", context, buf));
}

namespace {

BioPtr memory_bio(const std::string& text) {
    return BioPtr(check(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())),
                        "cannot allocate a memory BIO"));
}

std::string bio_text(BIO* bio) {
    char* data = nullptr;
    long n = BIO_get_mem_data(bio, &data);
    return std::string(data, static_cast<size_t>(n));
}

} // namespace

X509Ptr parse_cert(const std::string& pem) {
    auto bio = memory_bio(pem);
    X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    ERR_clear_error();
    return cert;
}

PkeyPtr parse_private_key(const std::string& pem) {
    auto bio = memory_bio(pem);
    // An empty passphrase callback: an encrypted key fails here instead of prompting on a tty.
    auto no_pass = [](char*, int, int, void*) { return 0; };
    PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_pass, nullptr));
    ERR_clear_error();
    return key;
}

std::string cert_to_pem(X509* cert) {
    BioPtr bio(check(BIO_new(BIO_s_mem()), "cannot allocate a memory BIO"));
    check(PEM_write_bio_X509(bio.get(), cert), "cannot encode the certificate as PEM");
    return bio_text(bio.get());
}

std::string private_key_to_pem(EVP_PKEY* key) {
    BioPtr bio(check(BIO_new(BIO_s_mem()), "cannot allocate a memory BIO"));
    check(PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr),
          "cannot encode the private key as PEM");
    std::string pem = bio_text(bio.get());
    // The BIO's buffer held the key too.
    char* data = nullptr;
    long n = BIO_get_mem_data(bio.get(), &data);
    if (data && n > 0)
        OPENSSL_cleanse(data, static_cast<size_t>(n));
    return pem;
}

X509Ptr load_cert(const fs::path& path, std::string_view what) {
    auto text = support::try_read_file(path);
    if (!text)
        throw Error(fmt::format("cannot read the {} {}", what, path.string()));
    auto cert = parse_cert(*text);
    if (!cert)
        throw Error(fmt::format("the {} {} is not a PEM certificate", what, path.string()));
    return cert;
}

PkeyPtr load_private_key(const fs::path& path, std::string_view what) {
    auto text = support::try_read_file(path);
    if (!text)
        throw Error(fmt::format("cannot read the {} {}", what, path.string()));
    auto key = parse_private_key(*text);
    cleanse(*text);
    if (!key)
        throw Error(fmt::format("the {} {} is not an unencrypted PEM private key", what,
                                path.string()));
    return key;
}

void cleanse(std::string& s) {
    if (!s.empty())
        OPENSSL_cleanse(s.data(), s.size());
}

} // namespace machine::engine::ossl
