#pragma once
// A private OpenSSH server on 127.0.0.1 for integration tests: own host key, own
// authorized_keys, own config, run with -D through support::ProcessRunner in a thread and
// stopped through its pid file.
#include "machine/support/fs.h"
#include "machine/support/process.h"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

namespace machine::provision::testing {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// A TCP port on 127.0.0.1 that nothing listened on a moment ago.
inline int free_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
}

inline bool port_open(int port) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return ok;
}

inline fs::path make_temp_dir(const std::string& prefix) {
    std::string tmpl = (fs::temp_directory_path() / (prefix + "XXXXXX")).string();
    char* p = ::mkdtemp(tmpl.data());
    if (!p)
        throw std::runtime_error("mkdtemp failed");
    return fs::path(p);
}

inline void keygen(const fs::path& key, const std::string& type = "ed25519") {
    support::SystemProcessRunner runner;
    auto r =
        runner.run({"ssh-keygen", {"-q", "-t", type, "-N", "", "-C", "test", "-f", key.string()}});
    if (!r.ok())
        throw std::runtime_error("ssh-keygen failed: " + r.err);
}

class Sshd {
public:
    // `dir` holds the config, host key and authorized_keys; `client_pub` is authorized for root.
    Sshd(fs::path dir, const fs::path& client_pub, int port) : m_dir(std::move(dir)), m_port(port) {
        fs::create_directories("/run/sshd"); // sshd's privilege separation folder
        if (!fs::exists(m_dir / "host_key"))
            keygen(m_dir / "host_key");
        fs::copy_file(client_pub, m_dir / "authorized_keys", fs::copy_options::overwrite_existing);
        std::ofstream(m_dir / "sshd_config")
            << "ListenAddress 127.0.0.1\n"
            << "HostKey " << (m_dir / "host_key").string() << "\n"
            << "PidFile " << (m_dir / "sshd.pid").string() << "\n"
            << "AuthorizedKeysFile " << (m_dir / "authorized_keys").string() << "\n"
            << "PermitRootLogin prohibit-password\n"
            << "PasswordAuthentication no\nKbdInteractiveAuthentication no\n"
            << "UsePAM no\nStrictModes no\nLogLevel ERROR\n"
            << "Subsystem sftp internal-sftp\n";
    }
    ~Sshd() { stop(); }

    void start() {
        fs::remove(m_dir / "sshd.pid");
        m_thread = std::thread([this] {
            support::SystemProcessRunner runner;
            m_result = runner.run(
                {"/usr/sbin/sshd",
                 {"-D", "-e", "-f", (m_dir / "sshd_config").string(), "-p", std::to_string(m_port)},
                 {},
                 std::nullopt,
                 std::chrono::minutes(5)});
        });
        auto deadline = std::chrono::steady_clock::now() + 10s;
        while (!port_open(m_port)) {
            if (std::chrono::steady_clock::now() > deadline)
                throw std::runtime_error("sshd did not start listening");
            std::this_thread::sleep_for(20ms);
        }
    }

    void stop() {
        if (!m_thread.joinable())
            return;
        auto deadline = std::chrono::steady_clock::now() + 5s;
        while (std::chrono::steady_clock::now() < deadline) {
            auto pid = support::try_read_file(m_dir / "sshd.pid");
            if (pid && !pid->empty()) {
                ::kill(std::stoi(*pid), SIGTERM);
                break;
            }
            std::this_thread::sleep_for(20ms);
        }
        m_thread.join();
    }

    void replace_host_key() {
        fs::remove(m_dir / "host_key");
        fs::remove(m_dir / "host_key.pub");
        keygen(m_dir / "host_key");
    }

    int port() const { return m_port; }
    const support::ProcessResult& result() const { return m_result; }

private:
    fs::path m_dir;
    int m_port;
    std::thread m_thread;
    support::ProcessResult m_result;
};

} // namespace machine::provision::testing
