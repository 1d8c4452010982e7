// libssh client against a real sshd on 127.0.0.1.
#include "provision/ssh_client.h"

#include "machine/support/error.h"
#include "machine/support/fs.h"
#include "sshd_fixture.h"

#include <gtest/gtest.h>

#include <poll.h>
#include <pty.h>
#include <sys/stat.h>
#include <termios.h>

#include <future>

using namespace machine;
using namespace machine::provision;
using namespace machine::provision::testing;

namespace {

mode_t mode_of(const fs::path& p) {
    struct stat st {};
    ::stat(p.c_str(), &st);
    return st.st_mode & 07777;
}

class SshClientTest : public ::testing::Test {
protected:
    void SetUp() override {
        m_dir = make_temp_dir("machine-ssh-test-");
        fs::create_directories(m_dir / "server");
        fs::create_directories(m_dir / "machine");
        fs::create_directories(m_dir / "remote");
        keygen(m_dir / "machine" / "id_ed25519");
        m_sshd = std::make_unique<Sshd>(m_dir / "server", m_dir / "machine" / "id_ed25519.pub",
                                        free_port());
        m_sshd->start();
    }
    void TearDown() override {
        m_sshd.reset();
        std::error_code ec;
        fs::remove_all(m_dir, ec);
    }

    SshTarget target() const {
        return {"127.0.0.1", m_sshd->port(), "root", m_dir / "machine" / "id_ed25519",
                m_dir / "machine" / "known_hosts"};
    }
    std::string remote(const std::string& name) const { return (m_dir / "remote" / name).string(); }
    // A session through the libssh backend, as the CLI opens one.
    static std::unique_ptr<SshSession> connect(const SshTarget& t) {
        return libssh_backend().connect(t, std::chrono::seconds(10));
    }

    fs::path m_dir;
    std::unique_ptr<Sshd> m_sshd;
};

std::vector<std::string> external_ssh_args(const SshTarget& t, const std::string& command) {
    auto args = openssh_options(t);
    args.insert(args.end(), {"-o", "BatchMode=yes", "-p", std::to_string(t.port),
                             openssh_destination(t), command});
    return args;
}

} // namespace

TEST_F(SshClientTest, ExecReturnsOutputErrorsAndExitStatus) {
    auto ssh = connect(target());
    auto hi = ssh->exec("echo hi");
    EXPECT_EQ(hi.exit_code, 0);
    EXPECT_EQ(hi.out, "hi\n");
    EXPECT_EQ(hi.err, "");

    auto three = ssh->exec("echo out; echo err >&2; exit 3");
    EXPECT_EQ(three.exit_code, 3);
    EXPECT_EQ(three.out, "out\n");
    EXPECT_EQ(three.err, "err\n");
}

TEST_F(SshClientTest, ExecFeedsStdinThenEof) {
    auto ssh = connect(target());
    EXPECT_EQ(ssh->exec("cat", std::string("line one\nline two\n")).out, "line one\nline two\n");
    std::string big(3 * 1024 * 1024 + 17, 'x');
    auto r = ssh->exec("wc -c", big);
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(std::stoul(r.out), big.size());
    // Without stdin data the command sees EOF at once instead of hanging.
    EXPECT_EQ(ssh->exec("cat; echo done").out, "done\n");
}

TEST_F(SshClientTest, ExecTimeoutIsBounded) {
    auto ssh = connect(target());
    auto start = std::chrono::steady_clock::now();
    EXPECT_THROW(ssh->exec("sleep 20", std::nullopt, std::chrono::milliseconds(500)), TimeoutError);
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST_F(SshClientTest, UploadSetsTheModeFromCreationAndReplaces) {
    auto ssh = connect(target());
    std::string key = "-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n";
    ssh->upload(remote("server-key.pem"), key, 0600);
    EXPECT_EQ(support::read_file(m_dir / "remote" / "server-key.pem"), key);
    EXPECT_EQ(mode_of(m_dir / "remote" / "server-key.pem"), 0600u);

    ssh->upload(remote("server-key.pem"), "second\n", 0644);
    EXPECT_EQ(support::read_file(m_dir / "remote" / "server-key.pem"), "second\n");
    EXPECT_EQ(mode_of(m_dir / "remote" / "server-key.pem"), 0644u);
    // No temp files are left next to the target.
    EXPECT_EQ(std::distance(fs::directory_iterator(m_dir / "remote"), fs::directory_iterator()), 1);
}

TEST_F(SshClientTest, UploadIntoAMissingFolderFailsWithTheRemotePath) {
    auto ssh = connect(target());
    try {
        ssh->upload(remote("no/such/dir/file"), "x", 0644);
        FAIL() << "expected an error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("no/such/dir"), std::string::npos) << e.what();
    }
}

TEST_F(SshClientTest, DownloadReturnsContentAndMissingIsNotFound) {
    std::string data(200 * 1024, '\0');
    for (size_t i = 0; i < data.size(); ++i)
        data[i] = static_cast<char>(i * 7);
    support::atomic_write(m_dir / "remote" / "blob", data, 0640);
    auto ssh = connect(target());
    EXPECT_EQ(ssh->download(remote("blob")), data);
    EXPECT_THROW(ssh->download(remote("absent")), NotFound);

    ssh->download_file(remote("blob"), m_dir / "local-blob");
    EXPECT_EQ(support::read_file(m_dir / "local-blob"), data);
    EXPECT_EQ(mode_of(m_dir / "local-blob"), 0640u);
}

TEST_F(SshClientTest, TreesRoundTrip) {
    auto src = m_dir / "src";
    fs::create_directories(src / "a" / "b");
    fs::create_directories(src / "empty");
    support::atomic_write(src / "top.txt", "top\n", 0644);
    support::atomic_write(src / "a" / "run.sh", "#!/bin/sh\necho run\n", 0755);
    support::atomic_write(src / "a" / "b" / "deep.txt", "deep\n", 0600);

    auto ssh = connect(target());
    ssh->upload_tree(src, remote("copy"));
    auto up = m_dir / "remote" / "copy";
    EXPECT_EQ(support::read_file(up / "top.txt"), "top\n");
    EXPECT_EQ(support::read_file(up / "a" / "b" / "deep.txt"), "deep\n");
    EXPECT_EQ(mode_of(up / "a" / "run.sh"), 0755u);
    EXPECT_EQ(mode_of(up / "a" / "b" / "deep.txt"), 0600u);
    EXPECT_TRUE(fs::is_directory(up / "empty"));
    EXPECT_TRUE(ssh->remote_is_dir(remote("copy")));
    EXPECT_FALSE(ssh->remote_is_dir(remote("copy/top.txt")));

    ssh->download_tree(remote("copy"), m_dir / "back");
    EXPECT_EQ(support::read_file(m_dir / "back" / "a" / "run.sh"), "#!/bin/sh\necho run\n");
    EXPECT_EQ(mode_of(m_dir / "back" / "a" / "run.sh"), 0755u);
    EXPECT_EQ(support::read_file(m_dir / "back" / "a" / "b" / "deep.txt"), "deep\n");
    EXPECT_TRUE(fs::is_directory(m_dir / "back" / "empty"));
}

TEST_F(SshClientTest, HostKeyIsPinnedAndUsableByOpenSsh) {
    auto t = target();
    ASSERT_FALSE(fs::exists(t.known_hosts));
    { auto ssh = connect(t); }
    auto pinned = support::read_file(t.known_hosts);
    EXPECT_EQ(pinned.rfind("[127.0.0.1]:" + std::to_string(t.port) + " ssh-ed25519 ", 0), 0u)
        << pinned;
    { auto again = connect(t); } // the pinned key matches: no error, no second entry
    EXPECT_EQ(support::read_file(t.known_hosts), pinned);

    // The external client, with the options machine ssh uses, accepts the same file with strict
    // checking and passes the exit status through.
    support::SystemProcessRunner runner;
    auto r = runner.run(
        {"ssh", external_ssh_args(t, "exit 7"), {}, std::nullopt, std::chrono::seconds(20)});
    EXPECT_EQ(r.exit_code, 7) << r.err;
}

TEST_F(SshClientTest, ChangedHostKeyIsRefusedAndNotRetried) {
    auto t = target();
    { auto ssh = connect(t); }
    m_sshd->stop();
    m_sshd->replace_host_key();
    m_sshd->start();
    try {
        auto ssh = connect(t);
        FAIL() << "expected HostKeyMismatch";
    } catch (const HostKeyMismatch& e) {
        std::string what = e.what();
        EXPECT_NE(what.find("does not match"), std::string::npos) << what;
        EXPECT_NE(what.find(t.known_hosts.string()), std::string::npos) << what;
    }
    auto start = std::chrono::steady_clock::now();
    EXPECT_THROW(wait_for_ssh(libssh_backend(), t, start + std::chrono::seconds(20), {}),
                 HostKeyMismatch);
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));

    // The external client with machine's options refuses it too.
    support::SystemProcessRunner runner;
    auto r = runner.run(
        {"ssh", external_ssh_args(t, "true"), {}, std::nullopt, std::chrono::seconds(20)});
    EXPECT_EQ(r.exit_code, 255);
    EXPECT_NE(r.err.find("IDENTIFICATION HAS CHANGED"), std::string::npos) << r.err;
}

TEST_F(SshClientTest, WrongKeyIsAnAuthError) {
    keygen(m_dir / "other");
    auto t = target();
    t.key_path = m_dir / "other";
    try {
        auto ssh = connect(t);
        FAIL() << "expected SshError";
    } catch (const HostKeyMismatch&) {
        FAIL() << "not a host key problem";
    } catch (const SshError& e) {
        EXPECT_NE(std::string(e.what()).find("refused the key"), std::string::npos) << e.what();
    }
}

TEST_F(SshClientTest, MissingKeyFileIsNotRetried) {
    auto t = target();
    t.key_path = m_dir / "nope";
    auto start = std::chrono::steady_clock::now();
    EXPECT_THROW(wait_for_ssh(libssh_backend(), t, start + std::chrono::seconds(20), {}), NotFound);
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

TEST_F(SshClientTest, WaitForSshTimesOutWithTheSerialLogTail) {
    auto t = target();
    t.port = free_port(); // nothing listens there
    auto start = std::chrono::steady_clock::now();
    try {
        wait_for_ssh(libssh_backend(), t, start + std::chrono::milliseconds(1500), [] {
            return std::string("[  OK  ] Reached target Multi-User System.\n"
                               "debian login: \n");
        });
        FAIL() << "expected TimeoutError";
    } catch (const TimeoutError& e) {
        std::string what = e.what();
        EXPECT_NE(what.find("Reached target Multi-User System."), std::string::npos) << what;
        EXPECT_NE(what.find("debian login:"), std::string::npos) << what;
        EXPECT_NE(what.find("127.0.0.1:" + std::to_string(t.port)), std::string::npos) << what;
        EXPECT_NE(what.find("onnect"), std::string::npos) << what; // the last connect error
    }
    auto took = std::chrono::steady_clock::now() - start;
    EXPECT_GE(took, std::chrono::milliseconds(1400));
    EXPECT_LT(took, std::chrono::milliseconds(4000));
}

TEST_F(SshClientTest, WaitForSshRetriesUntilTheServerAndKeyAreThere) {
    // sshd is up but does not know the key yet (the seed has not run): auth is refused at first.
    std::ofstream(m_dir / "server" / "authorized_keys", std::ios::trunc) << "";
    auto t = target();
    auto later = std::async(std::launch::async, [&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(1200));
        fs::copy_file(m_dir / "machine" / "id_ed25519.pub", m_dir / "server" / "authorized_keys",
                      fs::copy_options::overwrite_existing);
    });
    auto start = std::chrono::steady_clock::now();
    auto ssh = wait_for_ssh(libssh_backend(), t, start + std::chrono::seconds(20), {});
    later.get();
    auto took = std::chrono::steady_clock::now() - start;
    EXPECT_GE(took, std::chrono::milliseconds(1200));
    EXPECT_LT(took, std::chrono::milliseconds(5000)); // backoff is capped at 2 s
    EXPECT_EQ(ssh->exec("echo ready").out, "ready\n");
}

TEST_F(SshClientTest, ExecInteractiveWithoutTerminalStreamsAndPassesStatus) {
    auto ssh = connect(target());
    int in[2], out[2], err[2];
    ASSERT_EQ(::pipe(in), 0);
    ASSERT_EQ(::pipe(out), 0);
    ASSERT_EQ(::pipe(err), 0);
    std::string input = "from stdin\n";
    ASSERT_EQ(::write(in[1], input.data(), input.size()), static_cast<ssize_t>(input.size()));
    ::close(in[1]);
    int status = ssh->run_interactive("cat; echo oops >&2; exit 4", {in[0], out[1], err[1]});
    ::close(in[0]);
    ::close(out[1]);
    ::close(err[1]);
    auto drain = [](int fd) {
        std::string s;
        char buf[256];
        ssize_t n;
        while ((n = ::read(fd, buf, sizeof buf)) > 0)
            s.append(buf, static_cast<size_t>(n));
        ::close(fd);
        return s;
    };
    EXPECT_EQ(status, 4);
    EXPECT_EQ(drain(out[0]), "from stdin\n");
    EXPECT_EQ(drain(err[0]), "oops\n");
}

TEST_F(SshClientTest, InteractiveShellOnATerminalGetsAPtyOfTheRightSize) {
    int master = -1, slave = -1;
    winsize ws{};
    ws.ws_row = 33;
    ws.ws_col = 101;
    ASSERT_EQ(::openpty(&master, &slave, nullptr, nullptr, &ws), 0);
    termios before{};
    ASSERT_EQ(::tcgetattr(slave, &before), 0);

    std::string typed = "stty size; tty >/dev/null && echo has-tty; exit 5\n";
    ASSERT_EQ(::write(master, typed.data(), typed.size()), static_cast<ssize_t>(typed.size()));
    std::string seen;
    std::atomic<bool> done{false};
    std::thread reader([&] {
        char buf[512];
        while (!done) {
            pollfd p{master, POLLIN, 0};
            if (::poll(&p, 1, 50) > 0) {
                ssize_t n = ::read(master, buf, sizeof buf);
                if (n <= 0)
                    break;
                seen.append(buf, static_cast<size_t>(n));
            }
        }
    });
    int status;
    {
        auto ssh = connect(target());
        status = ssh->run_interactive(std::nullopt, {slave, slave, slave});
    }
    done = true;
    reader.join();
    termios after{};
    ::tcgetattr(slave, &after);
    ::close(slave);
    ::close(master);

    EXPECT_EQ(status, 5) << seen;
    EXPECT_NE(seen.find("33 101"), std::string::npos) << seen;
    EXPECT_NE(seen.find("has-tty"), std::string::npos) << seen;
    // The local terminal is back in its original (cooked) mode.
    EXPECT_EQ(after.c_lflag, before.c_lflag);
    EXPECT_EQ(after.c_iflag, before.c_iflag);
    EXPECT_EQ(after.c_oflag, before.c_oflag);
}
