#pragma once
// Local stand-ins for machines' Docker engines, on 127.0.0.1 only:
// - FakeTlsEngine serves HTTPS like dockerd --tlsverify (its certificate, a client certificate
//   from the given CA required), keeps connections alive, answers GET /info, /nodes/<id> (when
//   given), /_ping and /version, and counts connections and requests;
// - HangingListener accepts connections and never says a word.
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
    FakeTlsEngine(const std::filesystem::path& cert, const std::filesystem::path& key,
                  const std::filesystem::path& client_ca,
                  std::string info = R"({"ServerVersion":"24.0.7"})", std::string node = "")
        : m_info(std::move(info)), m_node(std::move(node)) {
        ::signal(SIGPIPE, SIG_IGN); // a client may hang up mid-answer
        m_ctx = SSL_CTX_new(TLS_server_method());
        if (!m_ctx || SSL_CTX_use_certificate_chain_file(m_ctx, cert.c_str()) != 1 ||
            SSL_CTX_use_PrivateKey_file(m_ctx, key.c_str(), SSL_FILETYPE_PEM) != 1 ||
            SSL_CTX_load_verify_locations(m_ctx, client_ca.c_str(), nullptr) != 1)
            throw std::runtime_error("fake engine: TLS setup failed");
        SSL_CTX_set_verify(m_ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
        m_fd = listen_loopback(m_port);
        m_thread = std::thread([this] { accept_loop(); });
    }
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
                std::string line = buffer.substr(0, buffer.find("\r\n"));
                buffer.erase(0, end + 4); // GETs only: no body
                ++m_requests;
                std::string status = "200 OK", body;
                if (line.rfind("GET /info ", 0) == 0)
                    body = m_info;
                else if (line.rfind("GET /version ", 0) == 0)
                    body = R"({"Version":"24.0.7","ApiVersion":"1.43"})";
                else if (line.rfind("GET /nodes/", 0) == 0 && !m_node.empty())
                    body = m_node;
                else if (line.rfind("GET /_ping ", 0) == 0)
                    body = "OK";
                else
                    status = "404 Not Found", body = R"({"message":"page not found"})";
                std::string resp = "HTTP/1.1 " + status +
                                   "\r\nContent-Type: application/json\r\nContent-Length: " +
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
