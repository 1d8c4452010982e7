#pragma once
// A local TLS "Docker engine" on 127.0.0.1 for the compat tests: serves /_ping, /version and
// /info over HTTPS and requires a client certificate from the given CA, like dockerd --tlsverify.
// Loopback only. A fixed port (the fixture's URLs name 2376 and 2377) is held under a file lock,
// so parallel test processes take turns instead of failing to bind.
#include "machine/support/fs.h"

#include <openssl/ssl.h>

#include <arpa/inet.h>
#include <csignal>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

namespace machine::testing {

class TlsTestEngine {
public:
    TlsTestEngine(const std::filesystem::path& cert, const std::filesystem::path& key,
                  const std::filesystem::path& client_ca, int port, std::string version)
        : m_port(port), m_version(std::move(version)),
          m_lock(std::make_unique<support::FileLock>(
              std::filesystem::temp_directory_path() /
              ("machine-test-port-" + std::to_string(port) + ".lock"))) {
        ::signal(SIGPIPE, SIG_IGN);
        m_ctx = SSL_CTX_new(TLS_server_method());
        if (SSL_CTX_use_certificate_chain_file(m_ctx, cert.c_str()) != 1 ||
            SSL_CTX_use_PrivateKey_file(m_ctx, key.c_str(), SSL_FILETYPE_PEM) != 1 ||
            SSL_CTX_load_verify_locations(m_ctx, client_ca.c_str(), nullptr) != 1)
            throw std::runtime_error("test engine: TLS setup failed");
        SSL_CTX_set_verify(m_ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
        m_fd = ::socket(AF_INET, SOCK_STREAM, 0);
        int one = 1;
        ::setsockopt(m_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(static_cast<uint16_t>(port));
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (::bind(m_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
            if (std::chrono::steady_clock::now() > deadline)
                throw std::runtime_error("test engine: 127.0.0.1:" + std::to_string(port) +
                                         " stays busy");
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
        }
        if (::listen(m_fd, 16) != 0)
            throw std::runtime_error("test engine: listen failed");
        m_thread = std::thread([this] { serve(); });
    }
    ~TlsTestEngine() {
        m_stop = true;
        m_thread.join();
        ::close(m_fd);
        SSL_CTX_free(m_ctx);
    }
    TlsTestEngine(const TlsTestEngine&) = delete;
    TlsTestEngine& operator=(const TlsTestEngine&) = delete;

    int requests() const { return m_requests; }

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
            SSL_shutdown(ssl);
            SSL_free(ssl);
            ::close(c);
        }
    }

    bool handle(SSL* ssl) {
        std::string req;
        char buf[4096];
        while (req.find("\r\n\r\n") == std::string::npos) {
            int n = SSL_read(ssl, buf, sizeof buf);
            if (n <= 0)
                return false;
            req.append(buf, static_cast<size_t>(n));
        }
        ++m_requests;
        const std::string line = req.substr(0, req.find("\r\n"));
        auto path_is = [&](const std::string& p) {
            return line.rfind("GET " + p + " ", 0) == 0 ||
                   (line.rfind("GET /v1.", 0) == 0 && line.find(p + " ") != std::string::npos);
        };
        std::string status = "200 OK", type = "application/json", body;
        if (path_is("/_ping")) {
            type = "text/plain";
            body = "OK";
        } else if (path_is("/version")) {
            body = R"({"Version":")" + m_version + R"(","ApiVersion":"1.41","Os":"linux"})";
        } else if (path_is("/info")) {
            body = R"({"Name":"test-engine","ServerVersion":")" + m_version +
                   R"(","Swarm":{"LocalNodeState":"inactive","NodeID":""}})";
        } else {
            status = "404 Not Found";
            body = R"({"message":"page not found"})";
        }
        // One request per connection: a kept-alive client must not hold up the next one.
        std::string resp = "HTTP/1.1 " + status + "\r\nContent-Type: " + type +
                           "\r\nContent-Length: " + std::to_string(body.size()) +
                           "\r\nConnection: close\r\n\r\n" + body;
        SSL_write(ssl, resp.data(), static_cast<int>(resp.size()));
        return false;
    }

    int m_port;
    std::string m_version;
    std::unique_ptr<support::FileLock> m_lock;
    SSL_CTX* m_ctx = nullptr;
    int m_fd = -1;
    std::atomic<bool> m_stop{false};
    std::atomic<int> m_requests{0};
    std::thread m_thread;
};

} // namespace machine::testing
