// Docker contexts through the built binary and the real docker client (/usr/local/bin/docker or
// the first docker on PATH): `machine create` writes a context that `docker --context NAME
// version` uses over TLS against a small engine on 127.0.0.1 whose server certificate comes from
// the store's CA; `docker context ls` shows it; `machine use` switches docker's current context;
// `machine rm` removes it; a user's context of the same name survives create, use and rm.
#include "cli_fixture.h"

#include "engine/tls.h"
#include "machine/docker_contexts.h"
#include "machine/support/fs.h"

#include <netinet/in.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <thread>

namespace machine::testing {
namespace {

int free_port() {
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

// Just enough of the Engine API for `docker version`: /_ping (HEAD or GET) and /vX/version,
// over TLS that requires a client certificate from `client_ca`.
class TlsEngine {
public:
    TlsEngine(int port, const fs::path& cert, const fs::path& key, const fs::path& client_ca) {
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
        addr.sin_port = htons(static_cast<uint16_t>(port));
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::bind(m_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
            ::listen(m_fd, 8) != 0)
            throw std::runtime_error("bind/listen failed");
        m_thread = std::thread([this] { serve(); });
    }
    ~TlsEngine() {
        m_stop = true;
        m_thread.join();
        ::close(m_fd);
        SSL_CTX_free(m_ctx);
    }
    int version_requests() const { return m_versions; }

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
                while (handle(ssl)) {
                }
            SSL_shutdown(ssl);
            SSL_free(ssl);
            ::close(c);
        }
    }

    // One request; false when the connection is done.
    bool handle(SSL* ssl) {
        std::string req;
        char buf[4096];
        while (req.find("\r\n\r\n") == std::string::npos) {
            int n = SSL_read(ssl, buf, sizeof buf);
            if (n <= 0)
                return false;
            req.append(buf, static_cast<size_t>(n));
        }
        std::string line = req.substr(0, req.find("\r\n"));
        std::string method = line.substr(0, line.find(' '));
        std::string path = line.substr(method.size() + 1);
        path = path.substr(0, path.find(' '));
        std::string status = "200 OK", body;
        if (path == "/_ping") {
            body = "OK";
        } else if (path.size() > 8 && path.compare(path.size() - 8, 8, "/version") == 0) {
            ++m_versions;
            body =
                R"({"Version":"24.0.7-ctxtest","ApiVersion":"1.43","MinAPIVersion":"1.12",)"
                R"("Os":"linux","Arch":"amd64","GitCommit":"0","GoVersion":"go1","KernelVersion":"6",)"
                R"("Components":[{"Name":"Engine","Version":"24.0.7-ctxtest","Details":{}}]})";
        } else {
            status = "404 Not Found";
            body = R"({"message":"page not found"})";
        }
        std::string resp = "HTTP/1.1 " + status +
                           "\r\nContent-Type: application/json\r\nApi-Version: 1.43\r\n"
                           "Ostype: linux\r\nContent-Length: " +
                           std::to_string(body.size()) + "\r\n\r\n" +
                           (method == "HEAD" ? "" : body);
        return SSL_write(ssl, resp.data(), static_cast<int>(resp.size())) > 0;
    }

    SSL_CTX* m_ctx = nullptr;
    int m_fd = -1;
    std::atomic<bool> m_stop{false};
    std::atomic<int> m_versions{0};
    std::thread m_thread;
};

fs::path docker_binary() {
    for (const char* p : {"/usr/local/bin/docker", "/usr/bin/docker"})
        if (fs::exists(p))
            return p;
    return {};
}

class DockerContextCli : public CliTest {
protected:
    void SetUp() override {
        CliTest::SetUp();
        m_docker = docker_binary();
        if (m_docker.empty())
            GTEST_SKIP() << "no docker client installed";
        m_config = tmp() / "docker-config";
        m_port = free_port();
    }

    std::map<std::string, std::string> docker_env() const {
        return {{"DOCKER_CONFIG", m_config.string()}, {"DOCKER_CONTEXT", ""}};
    }
    support::ProcessResult m(std::vector<std::string> args) const {
        return machine(std::move(args), docker_env());
    }
    support::ProcessResult docker(std::vector<std::string> args) const {
        support::ProcessSpec spec;
        spec.program = m_docker.string();
        spec.args = std::move(args);
        spec.env = env();
        spec.env.erase("DOCKER_HOST");
        for (auto& [k, v] : docker_env())
            spec.env[k] = v;
        spec.env.erase("DOCKER_CONTEXT");
        spec.env["HOME"] = tmp().string();
        spec.timeout = std::chrono::seconds(60);
        support::SystemProcessRunner runner;
        return runner.run(spec);
    }
    std::string url() const { return "tcp://127.0.0.1:" + std::to_string(m_port); }

    // An engine on the machine's URL with a server certificate from the store's CA.
    std::unique_ptr<TlsEngine> start_engine() {
        engine::CaFiles ca{store() / "certs" / "ca.pem", store() / "certs" / "ca-key.pem"};
        engine::issue_server_cert(ca, tmp() / "server.pem", tmp() / "server-key.pem", "test",
                                  {"127.0.0.1", "localhost"});
        return std::make_unique<TlsEngine>(m_port, tmp() / "server.pem", tmp() / "server-key.pem",
                                           ca.cert);
    }

    fs::path m_docker, m_config;
    int m_port = 0;
};

TEST_F(DockerContextCli, CreateWritesAContextTheRealDockerClientUses) {
    auto created = m({"create", "--driver", "none", "--url", url(), "m1"});
    ASSERT_EQ(created.exit_code, 0) << created.out << created.err;
    EXPECT_NE(created.out.find("Wrote docker context \"m1\""), std::string::npos) << created.out;
    auto engine = start_engine();

    auto version = docker({"--context", "m1", "version", "--format", "{{.Server.Version}}"});
    ASSERT_EQ(version.exit_code, 0) << version.out << version.err;
    EXPECT_EQ(version.out, "24.0.7-ctxtest\n");
    EXPECT_GE(engine->version_requests(), 1);

    auto ls = docker({"context", "ls", "--format", "{{.Name}}|{{.DockerEndpoint}}"});
    ASSERT_EQ(ls.exit_code, 0) << ls.err;
    EXPECT_NE(ls.out.find("m1|" + url()), std::string::npos) << ls.out;

    // machine use: docker's current context, then plain `docker version` reaches m1.
    support::atomic_write(m_config / "config.json",
                          "{\n\t\"auths\": {},\n\t\"detachKeys\": \"ctrl-x\"\n}", 0600);
    auto use = m({"use", "m1"});
    ASSERT_EQ(use.exit_code, 0) << use.out << use.err;
    EXPECT_EQ(
        support::read_file(m_config / "config.json"),
        "{\n\t\"auths\": {},\n\t\"detachKeys\": \"ctrl-x\",\n\t\"currentContext\": \"m1\"\n}");
    auto plain = docker({"version", "--format", "{{.Server.Version}}"});
    ASSERT_EQ(plain.exit_code, 0) << plain.err;
    EXPECT_EQ(plain.out, "24.0.7-ctxtest\n");
    auto shown = docker({"context", "show"});
    EXPECT_EQ(shown.out, "m1\n");
    auto unuse = m({"use", "-u"});
    ASSERT_EQ(unuse.exit_code, 0) << unuse.err;
    EXPECT_EQ(support::read_file(m_config / "config.json"),
              "{\n\t\"auths\": {},\n\t\"detachKeys\": \"ctrl-x\"\n}")
        << "use -u gives back the file byte for byte";

    // rm removes it; docker no longer knows it.
    auto rm = m({"rm", "-y", "m1"});
    ASSERT_EQ(rm.exit_code, 0) << rm.err;
    EXPECT_NE(rm.out.find("Removed docker context \"m1\""), std::string::npos) << rm.out;
    auto gone = docker({"context", "inspect", "m1"});
    EXPECT_NE(gone.exit_code, 0) << gone.out;
    EXPECT_FALSE(fs::exists(m_config / "contexts" / "tls" / docker_context_id("m1")));
    EXPECT_FALSE(fs::exists(m_config / "contexts" / "meta" / docker_context_id("m1")));
    EXPECT_FALSE(fs::exists(store() / "contexts" / "m1.json"));
}

TEST_F(DockerContextCli, AUsersContextOfTheSameNameSurvivesCreateUseAndRm) {
    auto made = docker(
        {"context", "create", "m1", "--description", "mine", "--docker", "host=tcp://127.0.0.1:1"});
    ASSERT_EQ(made.exit_code, 0) << made.err;
    auto before = docker({"context", "inspect", "m1"});
    ASSERT_EQ(before.exit_code, 0);

    auto created = m({"create", "--driver", "none", "--url", url(), "m1"});
    ASSERT_EQ(created.exit_code, 0) << created.err;
    EXPECT_NE(created.out.find("Did not write a docker context: \"m1\" already exists"),
              std::string::npos)
        << created.out;
    expect_one_error(m({"use", "m1"}), 2, "machine did not make it");
    EXPECT_FALSE(fs::exists(m_config / "config.json")) << "use changed nothing";
    docker({"context", "use", "m1"});
    expect_one_error(m({"use", "-u"}), 2, "was not made by machine");

    auto rm = m({"rm", "-y", "m1"});
    ASSERT_EQ(rm.exit_code, 0) << rm.err;
    auto after = docker({"context", "inspect", "m1"});
    ASSERT_EQ(after.exit_code, 0) << after.err;
    EXPECT_EQ(after.out, before.out);
    EXPECT_EQ(docker({"context", "show"}).out, "m1\n");
}

TEST_F(DockerContextCli, NoContextOptsOutAndUseWritesItLater) {
    auto created = m({"create", "--driver", "none", "--no-context", "--url", url(), "m1"});
    ASSERT_EQ(created.exit_code, 0) << created.err;
    EXPECT_EQ(created.out.find("docker context"), std::string::npos) << created.out;
    EXPECT_FALSE(fs::exists(m_config / "contexts"));
    auto engine = start_engine();
    auto use = m({"use", "m1"});
    ASSERT_EQ(use.exit_code, 0) << use.err;
    EXPECT_NE(use.out.find("Wrote docker context \"m1\""), std::string::npos) << use.out;
    auto version = docker({"version", "--format", "{{.Server.Version}}"});
    EXPECT_EQ(version.out, "24.0.7-ctxtest\n") << version.err;
    expect_one_error(m({"use", "ghost"}), 3, "machine \"ghost\" does not exist");
    expect_one_error(m({"use", "m1", "-u"}), 2, "");
    // rm of the current context puts docker back on "default".
    auto rm = m({"rm", "-y", "m1"});
    ASSERT_EQ(rm.exit_code, 0) << rm.err;
    EXPECT_EQ(docker({"context", "show"}).out, "default\n");
}

} // namespace
} // namespace machine::testing
