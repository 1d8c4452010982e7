#include "machine/ssh_keys.h"

#include "machine/support/error.h"
#include "machine/support/fs.h"
#include "machine/support/handle.h"

#include <libssh/libssh.h>

#include <cstdlib>

namespace machine {

namespace {
void free_cstring(char* p) { ssh_string_free_char(p); }
using KeyPtr = support::Handle<ssh_key_struct, ssh_key_free>;
using CString = support::Handle<char, free_cstring>;
} // namespace

std::string generate_ssh_key(const std::filesystem::path& path, const std::string& comment) {
    ssh_key raw = nullptr;
    if (ssh_pki_generate(SSH_KEYTYPE_ED25519, 0, &raw) != SSH_OK)
        throw Error("cannot generate an ed25519 SSH key");
    KeyPtr key(raw);
    char* priv = nullptr;
    if (ssh_pki_export_privkey_base64(key.get(), nullptr, nullptr, nullptr, &priv) != SSH_OK)
        throw Error("cannot export the SSH private key");
    CString priv_text(priv);
    char* pub = nullptr;
    if (ssh_pki_export_pubkey_base64(key.get(), &pub) != SSH_OK)
        throw Error("cannot export the SSH public key");
    CString pub_text(pub);
    std::string line = std::string("ssh-ed25519 ") + pub_text.get() + " " + comment;
    support::atomic_write(path, priv_text.get(), 0600);
    support::atomic_write(path.string() + ".pub", line + "\n", 0644);
    return line;
}

} // namespace machine
