#pragma once
// Internal to engine/: RAII handles for the OpenSSL objects the TLS authority uses, and the one
// helper that turns OpenSSL's error queue into a machine::Error. Not for use outside engine/.
#include "machine/support/handle.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace machine::engine::ossl {

namespace fs = std::filesystem;

using BioPtr = support::Handle<BIO, BIO_free_all>;
using BignumPtr = support::Handle<BIGNUM, BN_free>;
using PkeyPtr = support::Handle<EVP_PKEY, EVP_PKEY_free>;
using X509Ptr = support::Handle<X509, X509_free>;
using X509NamePtr = support::Handle<X509_NAME, X509_NAME_free>;
using X509ExtPtr = support::Handle<X509_EXTENSION, X509_EXTENSION_free>;
using X509StorePtr = support::Handle<X509_STORE, X509_STORE_free>;
using X509StoreCtxPtr = support::Handle<X509_STORE_CTX, X509_STORE_CTX_free>;
using Asn1IntegerPtr = support::Handle<ASN1_INTEGER, ASN1_INTEGER_free>;
using Asn1OctetPtr = support::Handle<ASN1_OCTET_STRING, ASN1_OCTET_STRING_free>;
using Asn1Ia5Ptr = support::Handle<ASN1_IA5STRING, ASN1_IA5STRING_free>;
using GeneralNamePtr = support::Handle<GENERAL_NAME, GENERAL_NAME_free>;
using GeneralNamesPtr = support::Handle<GENERAL_NAMES, GENERAL_NAMES_free>;

// Throws machine::Error("<context>: <OpenSSL's message for the oldest queued error>") and clears
// the queue.
[[noreturn]] void fail(std::string_view context);

// Returns `p` or, when it is null, fails with `context`.
template <class T>
T* check(T* p, std::string_view context) {
    if (!p)
        fail(context);
    return p;
}
inline void check(int rc, std::string_view context) {
    if (rc <= 0)
        fail(context);
}

// PEM text <-> objects. parse_* return nullopt-like null handles when the text is not PEM of that
// kind, so callers can say which file was bad.
X509Ptr parse_cert(const std::string& pem);
PkeyPtr parse_private_key(const std::string& pem);
std::string cert_to_pem(X509* cert);
std::string private_key_to_pem(EVP_PKEY* key);

// Reads and parses a file; throws machine::Error naming the file when it is missing or not PEM.
X509Ptr load_cert(const fs::path& path, std::string_view what);
PkeyPtr load_private_key(const fs::path& path, std::string_view what);

// Wipes a string that held key material before it is freed.
void cleanse(std::string& s);

} // namespace machine::engine::ossl
