#pragma once
// Local stand-ins for machines' Docker engines, on 127.0.0.1 only, for tests that need a real
// socket (the HTTPS client, the listing, the binary run by the compat tests):
// - FakeTlsEngine serves HTTPS like dockerd --tlsverify (its certificate, a client certificate
//   from the given CA required), keeps connections alive, answers GET /info, /nodes/<id> (when
//   given), /_ping and /version (also under an API version prefix, /v1.41/version), and counts
//   connections and requests. On any free port, or on a fixed one (the compat fixtures' URLs
//   name 2376 and 2377) held under a file lock, so parallel test processes take turns;
// - HangingListener accepts connections and never says a word.
// Unit tests answer for an engine without a socket: tests/fakes/fake_engine.h.
#include "machine/support/fs.h"

#include <openssl/ssl.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <list>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace machine::testing {

// A listening socket on 127.0.0.1, any free port.
inline int listen_loopback(int& port) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(fd, 512) != 0)
        throw std::runtime_error("cannot listen on 127.0.0.1");
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    port = ntohs(addr.sin_port);
    return fd;
}

// A listening socket on 127.0.0.1:`port`, waiting up to 20 s for another test to free it.
inline int listen_loopback_at(int port) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        if (std::chrono::steady_clock::now() > deadline)
            throw std::runtime_error("fake engine: 127.0.0.1:" + std::to_string(port) +
                                     " stays busy");
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    if (::listen(fd, 512) != 0)
        throw std::runtime_error("fake engine: listen failed");
    return fd;
}

// A port on 127.0.0.1 where nothing listens (connections are refused).
inline int refusing_port() {
    int port = 0;
    ::close(listen_loopback(port));
    return port;
}

// True when `fd` has data within `ms` (false on timeout or when `stop` is set).
inline bool readable(int fd, int ms, const std::atomic<bool>& stop) {
    for (int waited = 0; waited < ms && !stop; waited += 50) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 50) > 0)
            return true;
    }
    return false;
}

class HangingListener {
public:
    HangingListener() : m_fd(listen_loopback(m_port)) {
        m_thread = std::thread([this] { loop(); });
    }
    ~HangingListener() {
        m_stop = true;
        m_thread.join();
        for (int c : m_held)
            ::close(c);
        ::close(m_fd);
    }
    int port() const { return m_port; }
    // Connections accepted so far.
    std::size_t accepted() const { return m_accepted; }

private:
    // Accepts and never answers; closes its end only once the client has gone.
    void loop() {
        while (!m_stop) {
            std::vector<pollfd> fds{{m_fd, POLLIN, 0}};
            {
                std::lock_guard lock(m_mutex);
                for (int c : m_held)
                    fds.push_back({c, POLLIN, 0});
            }
            if (::poll(fds.data(), fds.size(), 50) <= 0)
                continue;
            std::lock_guard lock(m_mutex);
            for (size_t i = 1; i < fds.size(); ++i) {
                if (!fds[i].revents)
                    continue;
                char buf[4096]; // what the client says is read and dropped, never answered
                ssize_t n = ::recv(fds[i].fd, buf, sizeof buf, MSG_DONTWAIT);
                if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
                    ::close(fds[i].fd);
                    m_held.erase(std::find(m_held.begin(), m_held.end(), fds[i].fd));
                }
            }
            if (fds[0].revents & POLLIN) {
                int c = ::accept4(m_fd, nullptr, nullptr, SOCK_CLOEXEC);
                if (c >= 0) {
                    ++m_accepted;
                    m_held.push_back(c);
                }
            }
        }
    }

    int m_port = 0;
    int m_fd;
    std::atomic<bool> m_stop{false};
    std::atomic<std::size_t> m_accepted{0};
    std::mutex m_mutex;
    std::vector<int> m_held;
    std::thread m_thread;
};

class FakeTlsEngine {
public:
    // On a free port; GET /info answers `info`, GET /nodes/<id> answers `node` (if given).
    FakeTlsEngine(const std::filesystem::path& cert, const std::filesystem::path& key,
                  const std::filesystem::path& client_ca,
                  std::string info = R"({"ServerVersion":"24.0.7"})", std::string node = "")
        : m_info(std::move(info)), m_node(std::move(node)) {
        setup_tls(cert, key, client_ca);
        m_fd = listen_loopback(m_port);
        m_thread = std::thread([this] { accept_loop(); });
    }
    // On 127.0.0.1:`port` (held under a file lock while it lives): an engine of `version`
    // outside any swarm.
    FakeTlsEngine(const std::filesystem::path& cert, const std::filesystem::path& key,
                  const std::filesystem::path& client_ca, int port, std::string version)
        : m_info(R"({"Name":"test-engine","ServerVersion":")" + version +
                 R"(","Swarm":{"LocalNodeState":"inactive","NodeID":""}})"),
          m_version(std::move(version)),
          m_lock(std::make_unique<support::FileLock>(
              std::filesystem::temp_directory_path() /
              ("machine-test-port-" + std::to_string(port) + ".lock"))) {
        setup_tls(cert, key, client_ca);
        m_port = port;
        m_fd = listen_loopback_at(port);
        m_thread = std::thread([this] { accept_loop(); });
    }
    FakeTlsEngine(const FakeTlsEngine&) = delete;
    FakeTlsEngine& operator=(const FakeTlsEngine&) = delete;
    ~FakeTlsEngine() {
        m_stop = true;
        m_thread.join();
        for (auto& c : m_connections)
            c.thread.join();
        ::close(m_fd);
        SSL_CTX_free(m_ctx);
    }
    int port() const { return m_port; }
    std::string url() const { return "tcp://127.0.0.1:" + std::to_string(m_port); }
    int connections() const { return m_accepted; }
    int requests() const { return m_requests; }

private:
    void setup_tls(const std::filesystem::path& cert, const std::filesystem::path& key,
                   const std::filesystem::path& client_ca) {
        ::signal(SIGPIPE, SIG_IGN); // a client may hang up mid-answer
        m_ctx = SSL_CTX_new(TLS_server_method());
        if (!m_ctx || SSL_CTX_use_certificate_chain_file(m_ctx, cert.c_str()) != 1 ||
            SSL_CTX_use_PrivateKey_file(m_ctx, key.c_str(), SSL_FILETYPE_PEM) != 1 ||
            SSL_CTX_load_verify_locations(m_ctx, client_ca.c_str(), nullptr) != 1)
            throw std::runtime_error("fake engine: TLS setup failed");
        SSL_CTX_set_verify(m_ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
    }

    // "GET /v1.41/info HTTP/1.1" -> "GET /info": the API version prefix docker's client adds.
    static std::string request_line(std::string line) {
        auto slash = line.find(" /v1.");
        if (slash != std::string::npos) {
            auto next = line.find('/', slash + 2);
            if (next != std::string::npos && next < line.find(' ', slash + 1))
                line.erase(slash + 1, next - slash - 1);
        }
        return line;
    }

    void accept_loop() {
        while (!m_stop) {
            if (!readable(m_fd, 50, m_stop))
                continue;
            int c = ::accept4(m_fd, nullptr, nullptr, SOCK_CLOEXEC);
            if (c < 0)
                continue;
            ++m_accepted;
            // Join the connections that ended (a stress run makes thousands).
            for (auto it = m_connections.begin(); it != m_connections.end();) {
                if (*it->done) {
                    it->thread.join();
                    it = m_connections.erase(it);
                } else {
                    ++it;
                }
            }
            auto done = std::make_shared<std::atomic<bool>>(false);
            m_connections.push_back({std::thread([this, c, done] {
                                         serve(c);
                                         *done = true;
                                     }),
                                     done});
        }
    }

    // One connection: requests one after another until the client closes it (keep-alive).
    void serve(int c) {
        SSL* ssl = SSL_new(m_ctx);
        SSL_set_fd(ssl, c);
        timeval tv{5, 0};
        ::setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        if (SSL_accept(ssl) == 1) {
            std::string buffer;
            while (!m_stop) {
                auto end = buffer.find("\r\n\r\n");
                if (end == std::string::npos) {
                    if (SSL_pending(ssl) == 0 && !readable(c, 5000, m_stop))
                        break;
                    char buf[4096];
                    int n = SSL_read(ssl, buf, sizeof buf);
                    if (n <= 0)
                        break;
                    buffer.append(buf, static_cast<size_t>(n));
                    continue;
                }
                std::string line = request_line(buffer.substr(0, buffer.find("\r\n")));
                buffer.erase(0, end + 4); // GETs only: no body
                ++m_requests;
                std::string status = "200 OK", type = "application/json", body;
                if (line.rfind("GET /info ", 0) == 0)
                    body = m_info;
                else if (line.rfind("GET /version ", 0) == 0)
                    body = R"({"Version":")" + m_version + R"(","ApiVersion":"1.43","Os":"linux"})";
                else if (line.rfind("GET /nodes/", 0) == 0 && !m_node.empty())
                    body = m_node;
                else if (line.rfind("GET /_ping ", 0) == 0)
                    type = "text/plain", body = "OK";
                else
                    status = "404 Not Found", body = R"({"message":"page not found"})";
                std::string resp = "HTTP/1.1 " + status + "\r\nContent-Type: " + type +
                                   "\r\nContent-Length: " +
                                   std::to_string(body.size()) + "\r\n\r\n" + body;
                if (SSL_write(ssl, resp.data(), static_cast<int>(resp.size())) <= 0)
                    break;
            }
            SSL_shutdown(ssl);
        }
        SSL_free(ssl);
        ::close(c);
    }

    std::string m_info, m_node;
    std::string m_version = "24.0.7";
    std::unique_ptr<support::FileLock> m_lock; // a fixed port's, released after the socket
    SSL_CTX* m_ctx = nullptr;
    int m_port = 0;
    int m_fd = -1;
    std::atomic<bool> m_stop{false};
    std::atomic<int> m_accepted{0}, m_requests{0};
    std::thread m_thread;
    struct Connection {
        std::thread thread;
        std::shared_ptr<std::atomic<bool>> done;
    };
    std::list<Connection> m_connections; // only the accept thread touches it until the end
};

} // namespace machine::testing
