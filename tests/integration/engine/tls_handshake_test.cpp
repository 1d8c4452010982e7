// A real TLS handshake on 127.0.0.1 between an OpenSSL server set up like dockerd with
// --tlsverify (server cert, client certificate required and verified against the CA) and a client
// set up like the docker CLI with DOCKER_TLS_VERIFY (verifies the server's IP SAN, presents the
// client cert). Loopback only.
#include "tls_fixture.h"

#include "machine/support/handle.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

using namespace machine::engine;
using namespace machine::engine::testing;

namespace {

using SslCtxPtr = machine::support::Handle<SSL_CTX, SSL_CTX_free>;
using SslPtr = machine::support::Handle<SSL, SSL_free>;

struct Fd {
    int fd = -1;
    explicit Fd(int f) : fd(f) {}
    ~Fd() {
        if (fd >= 0)
            ::close(fd);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
};

void set_timeouts(int fd) {
    timeval tv{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

std::string ssl_errors() {
    std::string out;
    while (unsigned long e = ERR_get_error()) {
        char buf[256];
        ERR_error_string_n(e, buf, sizeof buf);
        out += std::string(out.empty() ? "" : "; ") + buf;
    }
    return out;
}

struct ServerResult {
    bool handshake_ok = false;
    std::string peer_cn;
    std::string error;
};

struct ClientResult {
    bool handshake_ok = false;
    std::string reply; // what the server sent after the handshake
    long verify_result = -1;
    std::string error;
};

class TlsHandshake : public TlsDir {
protected:
    void SetUp() override {
        TlsDir::SetUp();
        make_all({"127.0.0.1", "localhost"});
    }

    // Serves one connection on 127.0.0.1 with the server cert, requiring a client certificate
    // from `ca`; writes "pong" after a successful handshake. Returns the client's view.
    ClientResult exchange(const fs::path& server_ca, const fs::path* cert, const fs::path* key,
                          const std::string& expect_ip, ServerResult& server) {
        SslCtxPtr sctx(SSL_CTX_new(TLS_server_method()));
        EXPECT_EQ(SSL_CTX_use_certificate_file(sctx.get(), server_cert.c_str(), SSL_FILETYPE_PEM),
                  1);
        EXPECT_EQ(SSL_CTX_use_PrivateKey_file(sctx.get(), server_key.c_str(), SSL_FILETYPE_PEM),
                  1);
        EXPECT_EQ(SSL_CTX_load_verify_locations(sctx.get(), server_ca.c_str(), nullptr), 1);
        SSL_CTX_set_verify(sctx.get(), SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
                           nullptr);
        SSL_CTX_set_min_proto_version(sctx.get(), TLS1_2_VERSION);

        Fd listener(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = 0;
        EXPECT_EQ(::bind(listener.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
        EXPECT_EQ(::listen(listener.fd, 1), 0);
        socklen_t len = sizeof addr;
        ::getsockname(listener.fd, reinterpret_cast<sockaddr*>(&addr), &len);

        std::thread thread([&] {
            pollfd p{listener.fd, POLLIN, 0};
            if (::poll(&p, 1, 5000) != 1) {
                server.error = "no connection";
                return;
            }
            Fd conn(::accept4(listener.fd, nullptr, nullptr, SOCK_CLOEXEC));
            set_timeouts(conn.fd);
            SslPtr ssl(SSL_new(sctx.get()));
            SSL_set_fd(ssl.get(), conn.fd);
            if (SSL_accept(ssl.get()) != 1) {
                server.error = ssl_errors();
                return;
            }
            server.handshake_ok = true;
            if (X509* peer = SSL_get0_peer_certificate(ssl.get())) {
                char cn[64] = {};
                X509_NAME_get_text_by_NID(X509_get_subject_name(peer), NID_commonName, cn,
                                          sizeof cn);
                server.peer_cn = cn;
            }
            SSL_write(ssl.get(), "pong", 4);
            SSL_shutdown(ssl.get());
        });

        ClientResult client;
        SslCtxPtr cctx(SSL_CTX_new(TLS_client_method()));
        EXPECT_EQ(SSL_CTX_load_verify_locations(cctx.get(), ca.cert.c_str(), nullptr), 1);
        SSL_CTX_set_verify(cctx.get(), SSL_VERIFY_PEER, nullptr);
        if (cert) {
            EXPECT_EQ(SSL_CTX_use_certificate_file(cctx.get(), cert->c_str(), SSL_FILETYPE_PEM),
                      1);
            EXPECT_EQ(SSL_CTX_use_PrivateKey_file(cctx.get(), key->c_str(), SSL_FILETYPE_PEM), 1);
        }
        {
            Fd sock(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
            set_timeouts(sock.fd);
            EXPECT_EQ(::connect(sock.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
            SslPtr ssl(SSL_new(cctx.get()));
            X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl.get()), expect_ip.c_str());
            SSL_set_fd(ssl.get(), sock.fd);
            client.handshake_ok = SSL_connect(ssl.get()) == 1;
            client.verify_result = SSL_get_verify_result(ssl.get());
            if (client.handshake_ok) {
                // Under TLS 1.3 the server judges the client's certificate after the client's
                // handshake is done: only reading shows whether the server accepted it.
                char buf[8] = {};
                int n = SSL_read(ssl.get(), buf, sizeof buf);
                if (n > 0)
                    client.reply.assign(buf, static_cast<size_t>(n));
            }
            client.error = ssl_errors();
        }
        thread.join();
        return client;
    }
};

TEST_F(TlsHandshake, SucceedsWithTheClientCertificate) {
    ServerResult server;
    auto client = exchange(ca.cert, &client_cert, &client_key, "127.0.0.1", server);
    EXPECT_TRUE(client.handshake_ok) << client.error;
    EXPECT_EQ(client.verify_result, X509_V_OK);
    EXPECT_EQ(client.reply, "pong");
    EXPECT_TRUE(server.handshake_ok) << server.error;
    EXPECT_EQ(server.peer_cn, "client");
}

TEST_F(TlsHandshake, FailsWithoutAClientCertificate) {
    ServerResult server;
    auto client = exchange(ca.cert, nullptr, nullptr, "127.0.0.1", server);
    EXPECT_EQ(client.reply, "");
    EXPECT_FALSE(server.handshake_ok);
    EXPECT_NE(server.error.find("peer did not return a certificate"), std::string::npos)
        << server.error;
}

TEST_F(TlsHandshake, FailsWithAClientCertificateFromAnotherCa) {
    CaFiles other{dir / "other-ca.pem", dir / "other-ca-key.pem"};
    ASSERT_TRUE(ensure_ca(other, "mallory"));
    issue_client_cert(other, dir / "m.pem", dir / "m-key.pem", "mallory");
    ServerResult server;
    fs::path mc = dir / "m.pem", mk = dir / "m-key.pem";
    auto client = exchange(ca.cert, &mc, &mk, "127.0.0.1", server);
    EXPECT_EQ(client.reply, "");
    EXPECT_FALSE(server.handshake_ok);
    EXPECT_NE(server.error.find("certificate verify failed"), std::string::npos) << server.error;
}

TEST_F(TlsHandshake, ServerCertificateCannotStandInForTheClientCertificate) {
    ServerResult server;
    auto client = exchange(ca.cert, &server_cert, &server_key, "127.0.0.1", server);
    EXPECT_EQ(client.reply, "");
    EXPECT_FALSE(server.handshake_ok);
    EXPECT_NE(server.error.find("certificate verify failed"), std::string::npos) << server.error;
}

TEST_F(TlsHandshake, ClientRefusesAServerWhoseCertificateDoesNotCoverTheAddress) {
    ServerResult server;
    auto client = exchange(ca.cert, &client_cert, &client_key, "127.0.0.2", server);
    EXPECT_FALSE(client.handshake_ok);
    EXPECT_EQ(client.verify_result, X509_V_ERR_IP_ADDRESS_MISMATCH);
    EXPECT_FALSE(server.handshake_ok);
}

} // namespace
