// DockerApi (libcurl) against a small TLS server in the test that requires a client
// certificate, with certificates made by the openssl CLI.
#include "provision/docker_api.h"

#include "machine/support/error.h"
#include "machine/support/fs.h"
#include "machine/support/process.h"
#include "sshd_fixture.h" // free_port, make_temp_dir

#include <gtest/gtest.h>

#include <thread>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <poll.h>

#include <atomic>
#include <mutex>

using namespace machine;
using namespace machine::provision;
using namespace machine::provision::testing;

namespace {

void openssl(const std::vector<std::string>& args) {
    support::SystemProcessRunner runner;
    auto r = runner.run({"openssl", args, {}, std::nullopt, std::chrono::seconds(60)});
    if (!r.ok())
        throw std::runtime_error("openssl " + args.front() + " failed: " + r.err);
}

void make_ca(const fs::path& dir, const std::string& name) {
    openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-keyout", (dir / (name + "-key.pem")).string(), "-out",
             (dir / (name + ".pem")).string(), "-days", "2", "-subj", "/CN=" + name, "-addext",
             "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign"});
}

void issue(const fs::path& dir, const std::string& ca, const std::string& name,
           const std::string& extensions) {
    auto ext = dir / (name + ".ext");
    std::ofstream(ext) << extensions;
    openssl({"req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-keyout", (dir / (name + "-key.pem")).string(), "-out",
             (dir / (name + ".csr")).string(), "-subj", "/CN=" + name});
    openssl({"x509", "-req", "-in", (dir / (name + ".csr")).string(), "-CA",
             (dir / (ca + ".pem")).string(), "-CAkey", (dir / (ca + "-key.pem")).string(),
             "-CAcreateserial", "-days", "2", "-extfile", ext.string(), "-out",
             (dir / (name + ".pem")).string()});
}

struct Seen {
    std::string request_line;
    std::string body;
    std::string client_cn;
};

// Serves HTTPS on 127.0.0.1 until destroyed; requires a client certificate from `ca`.
class FakeEngine {
public:
    FakeEngine(const fs::path& cert, const fs::path& key, const fs::path& client_ca)
        : m_port(free_port()) {
        // The client may hang up mid-handshake (that is what the refusal tests provoke); the
        // server's writes must then fail with EPIPE, not kill the test binary.
        ::signal(SIGPIPE, SIG_IGN);
        m_ctx = SSL_CTX_new(TLS_server_method());
        if (SSL_CTX_use_certificate_chain_file(m_ctx, cert.c_str()) != 1 ||
            SSL_CTX_use_PrivateKey_file(m_ctx, key.c_str(), SSL_FILETYPE_PEM) != 1 ||
            SSL_CTX_load_verify_locations(m_ctx, client_ca.c_str(), nullptr) != 1)
            throw std::runtime_error("server TLS setup failed");
        SSL_CTX_set_verify(m_ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
        m_fd = ::socket(AF_INET, SOCK_STREAM, 0);
        int one = 1;
        ::setsockopt(m_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(static_cast<uint16_t>(m_port));
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::bind(m_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
            ::listen(m_fd, 8) != 0)
            throw std::runtime_error("bind/listen failed");
        m_thread = std::thread([this] { serve(); });
    }
    ~FakeEngine() {
        m_stop = true;
        m_thread.join();
        ::close(m_fd);
        SSL_CTX_free(m_ctx);
    }

    std::string url() const { return "https://127.0.0.1:" + std::to_string(m_port); }
    int port() const { return m_port; }
    std::vector<Seen> seen() {
        std::lock_guard lock(m_mutex);
        return m_seen;
    }
    int failed_handshakes() const { return m_failed_handshakes; }

private:
    void serve() {
        while (!m_stop) {
            pollfd p{m_fd, POLLIN, 0};
            if (::poll(&p, 1, 50) <= 0)
                continue;
            int c = ::accept(m_fd, nullptr, nullptr);
            if (c < 0)
                continue;
            timeval tv{5, 0};
            ::setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
            SSL* ssl = SSL_new(m_ctx);
            SSL_set_fd(ssl, c);
            if (SSL_accept(ssl) == 1)
                handle(ssl);
            else
                ++m_failed_handshakes;
            SSL_shutdown(ssl);
            SSL_free(ssl);
            ::close(c);
        }
    }

    void handle(SSL* ssl) {
        Seen s;
        if (X509* peer = SSL_get1_peer_certificate(ssl)) {
            char cn[256] = {0};
            X509_NAME_get_text_by_NID(X509_get_subject_name(peer), NID_commonName, cn, sizeof cn);
            s.client_cn = cn;
            X509_free(peer);
        }
        std::string req;
        char buf[4096];
        size_t header_end;
        while ((header_end = req.find("\r\n\r\n")) == std::string::npos) {
            int n = SSL_read(ssl, buf, sizeof buf);
            if (n <= 0)
                return;
            req.append(buf, static_cast<size_t>(n));
        }
        s.request_line = req.substr(0, req.find("\r\n"));
        size_t length = 0;
        auto cl = req.find("Content-Length: ");
        if (cl != std::string::npos)
            length = std::stoul(req.substr(cl + 16));
        s.body = req.substr(header_end + 4);
        while (s.body.size() < length) {
            int n = SSL_read(ssl, buf, sizeof buf);
            if (n <= 0)
                return;
            s.body.append(buf, static_cast<size_t>(n));
        }
        {
            std::lock_guard lock(m_mutex);
            m_seen.push_back(s);
        }
        std::string status = "200 OK", type = "application/json", body;
        if (s.request_line == "GET /_ping HTTP/1.1") {
            type = "text/plain";
            body = "OK";
        } else if (s.request_line == "GET /version HTTP/1.1") {
            body = R"({"Version":"24.0.7","ApiVersion":"1.43"})";
        } else if (s.request_line == "POST /swarm/init HTTP/1.1") {
            status = "503 Service Unavailable";
            body = R"({"message":"This node is already part of a swarm."})";
        } else {
            status = "404 Not Found";
            body = R"({"message":"page not found"})";
        }
        std::string resp = "HTTP/1.1 " + status + "\r\nContent-Type: " + type +
                           "\r\nContent-Length: " + std::to_string(body.size()) +
                           "\r\nConnection: close\r\n\r\n" + body;
        SSL_write(ssl, resp.data(), static_cast<int>(resp.size()));
    }

    int m_port;
    SSL_CTX* m_ctx = nullptr;
    int m_fd = -1;
    std::atomic<bool> m_stop{false};
    std::atomic<int> m_failed_handshakes{0};
    std::thread m_thread;
    std::mutex m_mutex;
    std::vector<Seen> m_seen;
};

class DockerApiTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        s_dir = make_temp_dir("machine-api-test-");
        make_ca(s_dir, "ca");
        make_ca(s_dir, "other-ca");
        issue(s_dir, "ca", "server",
              "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n"
              "keyUsage=critical,digitalSignature\n");
        issue(s_dir, "ca", "client",
              "extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature\n");
        issue(s_dir, "other-ca", "stranger",
              "extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature\n");
    }
    static void TearDownTestSuite() {
        std::error_code ec;
        fs::remove_all(s_dir, ec);
    }
    void SetUp() override {
        m_engine = std::make_unique<FakeEngine>(s_dir / "server.pem", s_dir / "server-key.pem",
                                                s_dir / "ca.pem");
    }

    TlsFiles good() const {
        return {s_dir / "ca.pem", s_dir / "client.pem", s_dir / "client-key.pem"};
    }

    static fs::path s_dir;
    std::unique_ptr<FakeEngine> m_engine;
};

fs::path DockerApiTest::s_dir;

} // namespace

TEST_F(DockerApiTest, PingVerifiesTheServerAndPresentsTheClientCert) {
    DockerApi api(m_engine->url(), good(), curl_request);
    EXPECT_TRUE(api.ping());
    auto seen = m_engine->seen();
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].request_line, "GET /_ping HTTP/1.1");
    EXPECT_EQ(seen[0].client_cn, "client");
}

TEST_F(DockerApiTest, VersionGetAndPost) {
    DockerApi api(m_engine->url() + "/", good(), curl_request); // a trailing slash is tolerated
    EXPECT_EQ(api.version(), "24.0.7");

    auto r = api.post("/swarm/init", {{"ListenAddr", "0.0.0.0:2377"}});
    EXPECT_EQ(r.status, 503);
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(r.body.value("message", ""), "This node is already part of a swarm.");
    auto seen = m_engine->seen();
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_EQ(nlohmann::json::parse(seen[1].body)["ListenAddr"], "0.0.0.0:2377");

    try {
        api.get("/nodes");
        FAIL() << "expected Error";
    } catch (const Error& e) {
        std::string what = e.what();
        EXPECT_NE(what.find("HTTP 404"), std::string::npos) << what;
        EXPECT_NE(what.find("page not found"), std::string::npos) << what;
    }
}

TEST_F(DockerApiTest, ServerFromAnotherCaIsRefused) {
    auto tls = good();
    tls.ca = s_dir / "other-ca.pem";
    DockerApi api(m_engine->url(), tls, curl_request);
    try {
        api.ping();
        FAIL() << "expected Error";
    } catch (const Error& e) {
        std::string what = e.what();
        EXPECT_NE(what.find("certificate"), std::string::npos) << what;
        EXPECT_NE(what.find(m_engine->url()), std::string::npos) << what;
    }
    EXPECT_TRUE(m_engine->seen().empty());
}

TEST_F(DockerApiTest, NameNotInTheCertificateIsRefused) {
    DockerApi api("https://localhost:" + std::to_string(m_engine->port()), good(), curl_request);
    EXPECT_THROW(api.ping(), Error);
    EXPECT_TRUE(m_engine->seen().empty());
}

TEST_F(DockerApiTest, ClientCertFromAnotherCaIsRejectedByTheServer) {
    TlsFiles tls{s_dir / "ca.pem", s_dir / "stranger.pem", s_dir / "stranger-key.pem"};
    DockerApi api(m_engine->url(), tls, curl_request);
    EXPECT_THROW(api.ping(), Error);
    EXPECT_TRUE(m_engine->seen().empty());
    // The server thread counts the refused handshake after the client has already seen the alert
    // (TLS 1.3 checks the client certificate after the client's Finished): wait for it a little.
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (m_engine->failed_handshakes() < 1 && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_GE(m_engine->failed_handshakes(), 1);
}

TEST_F(DockerApiTest, WaitForPingReturnsAtOnceWhenUp) {
    DockerApi api(m_engine->url(), good(), curl_request);
    auto start = std::chrono::steady_clock::now();
    api.wait_for_ping(start + std::chrono::seconds(10));
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

TEST_F(DockerApiTest, WaitForPingTimesOutWithTheLastError) {
    DockerApi api("https://127.0.0.1:" + std::to_string(free_port()), good(), curl_request,
                  std::chrono::milliseconds(500));
    auto start = std::chrono::steady_clock::now();
    try {
        api.wait_for_ping(start + std::chrono::milliseconds(1200));
        FAIL() << "expected TimeoutError";
    } catch (const TimeoutError& e) {
        EXPECT_NE(std::string(e.what()).find("did not answer"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("onnect"), std::string::npos) << e.what();
    }
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
}

TEST_F(DockerApiTest, WaitForPingNeverOvershootsTheDeadlineOnASilentPeer) {
    // Listens but never accepts: the TCP connect succeeds and the TLS handshake stalls.
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    ASSERT_EQ(::listen(fd, 8), 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    DockerApi api("https://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)), good(), curl_request,
                  std::chrono::seconds(30));
    auto start = std::chrono::steady_clock::now();
    EXPECT_THROW(api.wait_for_ping(start + std::chrono::milliseconds(1500)), TimeoutError);
    auto took = std::chrono::steady_clock::now() - start;
    ::close(fd);
    EXPECT_GE(took, std::chrono::milliseconds(1400));
    EXPECT_LT(took, std::chrono::milliseconds(3000));
}
