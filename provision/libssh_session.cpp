#include "provision/ssh_client.h"

#include "machine/support/fs.h"
#include "machine/support/handle.h"

#include "machine/support/log.h"

#include <fmt/format.h>
#include <libssh/libssh.h>
#include <libssh/sftp.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <mutex>
#include <random>
#include <thread>

namespace machine::provision {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

using SessionPtr = support::Handle<ssh_session_struct, ssh_free>;
using SftpPtr = support::Handle<sftp_session_struct, sftp_free>;
using ChannelPtr = support::Handle<ssh_channel_struct, ssh_channel_free>;
using KeyPtr = support::Handle<ssh_key_struct, ssh_key_free>;
using SftpFilePtr = support::Handle<sftp_file_struct, sftp_close>;
using SftpDirPtr = support::Handle<sftp_dir_struct, sftp_closedir>;
using SftpAttrPtr = support::Handle<sftp_attributes_struct, sftp_attributes_free>;

constexpr size_t k_chunk = 32 * 1024;

void init_libssh() {
    static std::once_flag once;
    std::call_once(once, [] { ssh_init(); });
}

KeyPtr load_private_key(const fs::path& path) {
    ssh_key key = nullptr;
    if (ssh_pki_import_privkey_file(path.c_str(), nullptr, nullptr, nullptr, &key) != SSH_OK ||
        !key) {
        std::error_code ec;
        if (!fs::exists(path, ec))
            throw NotFound(fmt::format("SSH private key {} does not exist", path.string()));
        throw Error(fmt::format("cannot load SSH private key {} (unreadable, encrypted or not a "
                                "private key)",
                                path.string()));
    }
    return KeyPtr(key);
}

std::string endpoint(const SshTarget& t) {
    return fmt::format("{}@{}:{}", t.user, t.host, t.port);
}

std::string short_command(const std::string& cmd) {
    return cmd.size() <= 80 ? cmd : cmd.substr(0, 77) + "...";
}

std::string random_suffix() {
    static thread_local std::mt19937_64 rng(std::random_device{}());
    return fmt::format("{:012x}", rng() & 0xffffffffffffULL);
}

void write_all(int fd, const char* data, size_t len) {
    while (len > 0) {
        ssize_t n = ::write(fd, data, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return; // the local terminal went away; nothing sensible to do
        }
        data += n;
        len -= static_cast<size_t>(n);
    }
}

// Puts a terminal in raw mode for the life of the object.
class RawMode {
public:
    explicit RawMode(int fd) : m_fd(fd) {
        if (tcgetattr(fd, &m_saved) != 0)
            return;
        termios raw = m_saved;
        cfmakeraw(&raw);
        m_active = tcsetattr(fd, TCSADRAIN, &raw) == 0;
    }
    ~RawMode() {
        if (m_active)
            tcsetattr(m_fd, TCSADRAIN, &m_saved);
    }
    RawMode(const RawMode&) = delete;
    RawMode& operator=(const RawMode&) = delete;

private:
    int m_fd;
    termios m_saved{};
    bool m_active = false;
};

std::atomic<bool> g_window_changed{false};
extern "C" void on_sigwinch(int) {
    g_window_changed = true;
}

// Installs a SIGWINCH handler for the life of the object.
class WinchWatch {
public:
    WinchWatch() {
        struct sigaction sa {};
        sa.sa_handler = on_sigwinch;
        sigemptyset(&sa.sa_mask);
        m_installed = sigaction(SIGWINCH, &sa, &m_saved) == 0;
    }
    ~WinchWatch() {
        if (m_installed)
            sigaction(SIGWINCH, &m_saved, nullptr);
    }
    WinchWatch(const WinchWatch&) = delete;
    WinchWatch& operator=(const WinchWatch&) = delete;

private:
    struct sigaction m_saved {};
    bool m_installed = false;
};

bool window_size(int fd, int& cols, int& rows) {
    winsize ws{};
    if (ioctl(fd, TIOCGWINSZ, &ws) != 0 || ws.ws_col == 0)
        return false;
    cols = ws.ws_col;
    rows = ws.ws_row;
    return true;
}

} // namespace

// The libssh implementation of SshSession (machine-backends.so).
class LibsshSession : public SshSession {
public:
    LibsshSession(SshTarget target, std::chrono::milliseconds connect_timeout);
    ~LibsshSession() override;

    ExecResult exec(const std::string& command, const std::optional<std::string>& stdin_data,
                    std::chrono::milliseconds timeout) override;
    void upload(const std::string& remote_path, const std::string& content, int mode) override;
    std::string download(const std::string& remote_path) override;
    void upload_file(const fs::path& local, const std::string& remote_path) override;
    void download_file(const std::string& remote_path, const fs::path& local) override;
    void upload_tree(const fs::path& local_dir, const std::string& remote_dir) override;
    void download_tree(const std::string& remote_dir, const fs::path& local_dir) override;
    bool remote_is_dir(const std::string& remote_path) override;
    int run_interactive(const std::optional<std::string>& command, LocalTerminal term) override;

private:
    [[noreturn]] void fail(const std::string& what) const;
    [[noreturn]] void fail_sftp(const std::string& what, const std::string& path);
    void verify_host_key();
    ChannelPtr open_session_channel();
    sftp_session sftp();
    void write_remote(const std::string& remote_path, int mode,
                      const std::function<size_t(char*, size_t)>& read_chunk);
    void read_remote(const std::string& remote_path,
                     const std::function<void(const char*, size_t)>& write_chunk);

    SshTarget m_target;
    SessionPtr m_session;
    SftpPtr m_sftp; // after m_session so it is freed first
};

LibsshSession::LibsshSession(SshTarget target, std::chrono::milliseconds connect_timeout)
    : m_target(std::move(target)) {
    init_libssh();
    KeyPtr key = load_private_key(m_target.key_path);

    m_session.reset(ssh_new());
    if (!m_session)
        throw SshError("cannot allocate an SSH session");
    ssh_session s = m_session.get();
    long secs = static_cast<long>(connect_timeout.count() / 1000);
    long usecs = static_cast<long>((connect_timeout.count() % 1000) * 1000);
    if (secs == 0 && usecs == 0)
        usecs = 1000;
    bool no = false;
    int port = m_target.port;
    const char* no_file = "/dev/null";
    if (ssh_options_set(s, SSH_OPTIONS_PROCESS_CONFIG, &no) != SSH_OK ||
        ssh_options_set(s, SSH_OPTIONS_HOST, m_target.host.c_str()) != SSH_OK ||
        ssh_options_set(s, SSH_OPTIONS_PORT, &port) != SSH_OK ||
        ssh_options_set(s, SSH_OPTIONS_USER, m_target.user.c_str()) != SSH_OK ||
        ssh_options_set(s, SSH_OPTIONS_TIMEOUT, &secs) != SSH_OK ||
        ssh_options_set(s, SSH_OPTIONS_TIMEOUT_USEC, &usecs) != SSH_OK ||
        ssh_options_set(s, SSH_OPTIONS_KNOWNHOSTS, m_target.known_hosts.c_str()) != SSH_OK ||
        ssh_options_set(s, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, no_file) != SSH_OK)
        fail("setting SSH options");

    if (ssh_connect(s) != SSH_OK)
        fail("cannot connect");
    verify_host_key();

    int rc = ssh_userauth_publickey(s, nullptr, key.get());
    if (rc != SSH_AUTH_SUCCESS)
        throw SshError(fmt::format("ssh {}: the server refused the key {}{}", endpoint(m_target),
                                   m_target.key_path.string(),
                                   rc == SSH_AUTH_ERROR ? std::string(" (") + ssh_get_error(s) + ")"
                                                        : std::string()));
    support::debug("ssh {}: connected", endpoint(m_target));
}

LibsshSession::~LibsshSession() {
    m_sftp.reset();
    if (m_session)
        ssh_disconnect(m_session.get());
}

void LibsshSession::fail(const std::string& what) const {
    throw SshError(fmt::format("ssh {}: {}: {}", endpoint(m_target), what,
                               m_session ? ssh_get_error(m_session.get()) : "no session"));
}

void LibsshSession::fail_sftp(const std::string& what, const std::string& path) {
    int code = m_sftp ? sftp_get_error(m_sftp.get()) : -1;
    std::string msg = fmt::format("sftp {}: {} {}", endpoint(m_target), what, path);
    if (code == SSH_FX_NO_SUCH_FILE || code == SSH_FX_NO_SUCH_PATH)
        throw NotFound(msg + ": no such file or folder");
    if (code == SSH_FX_PERMISSION_DENIED)
        throw SshError(msg + ": permission denied");
    throw SshError(
        fmt::format("{}: {} (sftp status {})", msg, ssh_get_error(m_session.get()), code));
}

void LibsshSession::verify_host_key() {
    ssh_session s = m_session.get();
    auto state = ssh_session_is_known_server(s);
    switch (state) {
    case SSH_KNOWN_HOSTS_OK:
        return;
    case SSH_KNOWN_HOSTS_CHANGED:
    case SSH_KNOWN_HOSTS_OTHER:
        throw HostKeyMismatch(fmt::format(
            "the host key of {}:{} does not match the one pinned in {} at first contact; "
            "refusing to connect. If this machine was recreated at the same address, delete that "
            "file and retry; otherwise something else is answering at this address",
            m_target.host, m_target.port, m_target.known_hosts.string()));
    case SSH_KNOWN_HOSTS_UNKNOWN:
    case SSH_KNOWN_HOSTS_NOT_FOUND:
        if (ssh_session_update_known_hosts(s) != SSH_OK)
            fail(fmt::format("cannot pin the host key in {}", m_target.known_hosts.string()));
        support::debug("ssh {}: host key pinned in {}", endpoint(m_target),
                       m_target.known_hosts.string());
        return;
    case SSH_KNOWN_HOSTS_ERROR:
    default:
        fail(fmt::format("cannot check the host key against {}", m_target.known_hosts.string()));
    }
}

ChannelPtr LibsshSession::open_session_channel() {
    ChannelPtr ch(ssh_channel_new(m_session.get()));
    if (!ch)
        fail("cannot create a channel");
    if (ssh_channel_open_session(ch.get()) != SSH_OK)
        fail("cannot open a session channel");
    return ch;
}

ExecResult LibsshSession::exec(const std::string& command,
                               const std::optional<std::string>& stdin_data,
                               std::chrono::milliseconds timeout) {
    support::debug("ssh {}: {}", endpoint(m_target), command);
    auto deadline = Clock::now() + timeout;
    ChannelPtr ch = open_session_channel();
    if (ssh_channel_request_exec(ch.get(), command.c_str()) != SSH_OK)
        fail("cannot start the remote command");
    if (stdin_data) {
        const char* p = stdin_data->data();
        size_t left = stdin_data->size();
        while (left > 0) {
            uint32_t n = static_cast<uint32_t>(std::min(left, k_chunk));
            int w = ssh_channel_write(ch.get(), p, n);
            if (w == SSH_ERROR)
                fail("cannot send stdin to the remote command");
            p += w;
            left -= static_cast<size_t>(w);
        }
    }
    if (ssh_channel_send_eof(ch.get()) != SSH_OK)
        fail("cannot close the remote command's stdin");

    ExecResult result;
    char buf[k_chunk];
    while (!ssh_channel_is_eof(ch.get())) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left <= 0ms) {
            ssh_channel_close(ch.get());
            throw TimeoutError(fmt::format("ssh {}: `{}` did not finish within {} s",
                                           endpoint(m_target), short_command(command),
                                           timeout.count() / 1000));
        }
        int slice = static_cast<int>(std::min<long long>(left.count(), 100));
        int n = ssh_channel_read_timeout(ch.get(), buf, sizeof buf, 0, slice);
        if (n == SSH_ERROR)
            fail("reading the remote command's output");
        if (n > 0)
            result.out.append(buf, static_cast<size_t>(n));
        while ((n = ssh_channel_read_nonblocking(ch.get(), buf, sizeof buf, 1)) > 0)
            result.err.append(buf, static_cast<size_t>(n));
        if (n == SSH_ERROR)
            fail("reading the remote command's errors");
    }
    result.exit_code = ssh_channel_get_exit_status(ch.get());
    ssh_channel_close(ch.get());
    return result;
}

sftp_session LibsshSession::sftp() {
    if (m_sftp)
        return m_sftp.get();
    SftpPtr sftp(sftp_new(m_session.get()));
    if (!sftp)
        fail("cannot start SFTP");
    if (sftp_init(sftp.get()) != SSH_OK)
        fail("cannot start SFTP (is the sftp subsystem enabled in sshd?)");
    m_sftp = std::move(sftp);
    return m_sftp.get();
}

void LibsshSession::write_remote(const std::string& remote_path, int mode,
                             const std::function<size_t(char*, size_t)>& read_chunk) {
    sftp_session sf = sftp();
    std::string tmp = remote_path + ".machine-" + random_suffix() + ".tmp";
    auto mode_bits = static_cast<mode_t>(mode & 07777);
    SftpFilePtr file(sftp_open(sf, tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL, mode_bits));
    if (!file)
        fail_sftp("cannot create", tmp);
    try {
        char buf[k_chunk];
        for (;;) {
            size_t n = read_chunk(buf, sizeof buf);
            if (n == 0)
                break;
            size_t off = 0;
            while (off < n) {
                ssize_t w = sftp_write(file.get(), buf + off, n - off);
                if (w < 0)
                    fail_sftp("cannot write", tmp);
                off += static_cast<size_t>(w);
            }
        }
        if (sftp_close(file.release()) != SSH_OK)
            fail_sftp("cannot finish writing", tmp);
        // The server's umask may have cleared bits asked for (never added any): set them exactly.
        if (sftp_chmod(sf, tmp.c_str(), mode_bits) != SSH_OK)
            fail_sftp("cannot set the mode of", tmp);
        if (sftp_rename(sf, tmp.c_str(), remote_path.c_str()) != SSH_OK) {
            // SFTP v3 rename refuses an existing target; replace it.
            sftp_unlink(sf, remote_path.c_str());
            if (sftp_rename(sf, tmp.c_str(), remote_path.c_str()) != SSH_OK)
                fail_sftp("cannot rename a temp file to", remote_path);
        }
    } catch (...) {
        file.reset();
        sftp_unlink(sf, tmp.c_str());
        throw;
    }
}

void LibsshSession::read_remote(const std::string& remote_path,
                            const std::function<void(const char*, size_t)>& write_chunk) {
    sftp_session sf = sftp();
    SftpFilePtr file(sftp_open(sf, remote_path.c_str(), O_RDONLY, 0));
    if (!file)
        fail_sftp("cannot open", remote_path);
    char buf[k_chunk];
    for (;;) {
        ssize_t n = sftp_read(file.get(), buf, sizeof buf);
        if (n < 0)
            fail_sftp("cannot read", remote_path);
        if (n == 0)
            break;
        write_chunk(buf, static_cast<size_t>(n));
    }
}

void LibsshSession::upload(const std::string& remote_path, const std::string& content, int mode) {
    support::debug("sftp {}: upload {} ({} bytes, mode {:o})", endpoint(m_target), remote_path,
                   content.size(), mode);
    size_t pos = 0;
    write_remote(remote_path, mode, [&](char* buf, size_t cap) {
        size_t n = std::min(cap, content.size() - pos);
        std::memcpy(buf, content.data() + pos, n);
        pos += n;
        return n;
    });
}

std::string LibsshSession::download(const std::string& remote_path) {
    std::string out;
    read_remote(remote_path, [&](const char* p, size_t n) { out.append(p, n); });
    return out;
}

void LibsshSession::upload_file(const fs::path& local, const std::string& remote_path) {
    std::ifstream in(local, std::ios::binary);
    if (!in)
        throw NotFound(fmt::format("{}: cannot open for reading", local.string()));
    auto perms = static_cast<int>(fs::status(local).permissions() & fs::perms::mask) & 0777;
    support::debug("sftp {}: upload {} -> {}", endpoint(m_target), local.string(), remote_path);
    write_remote(remote_path, perms, [&](char* buf, size_t cap) {
        in.read(buf, static_cast<std::streamsize>(cap));
        return static_cast<size_t>(in.gcount());
    });
}

void LibsshSession::download_file(const std::string& remote_path, const fs::path& local) {
    int mode = 0644;
    {
        SftpAttrPtr attr(sftp_stat(sftp(), remote_path.c_str()));
        if (!attr)
            fail_sftp("cannot stat", remote_path);
        if (attr->type == SSH_FILEXFER_TYPE_DIRECTORY)
            throw UsageError(fmt::format("{} is a folder on the machine (use -r)", remote_path));
        mode = static_cast<int>(attr->permissions & 0777);
    }
    support::debug("sftp {}: download {} -> {}", endpoint(m_target), remote_path, local.string());
    fs::path tmp = local;
    tmp += ".machine-" + random_suffix() + ".part";
    int fd =
        ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, static_cast<mode_t>(mode));
    if (fd < 0)
        throw Error(fmt::format("{}: cannot create: {}", tmp.string(), std::strerror(errno)));
    try {
        read_remote(remote_path, [&](const char* p, size_t n) {
            while (n > 0) {
                ssize_t w = ::write(fd, p, n);
                if (w < 0) {
                    if (errno == EINTR)
                        continue;
                    throw Error(
                        fmt::format("{}: write failed: {}", tmp.string(), std::strerror(errno)));
                }
                p += w;
                n -= static_cast<size_t>(w);
            }
        });
        if (::fsync(fd) != 0 || ::close(fd) != 0) {
            fd = -1;
            throw Error(fmt::format("{}: write failed: {}", tmp.string(), std::strerror(errno)));
        }
        fd = -1;
        fs::rename(tmp, local);
    } catch (...) {
        if (fd >= 0)
            ::close(fd);
        std::error_code ec;
        fs::remove(tmp, ec);
        throw;
    }
}

bool LibsshSession::remote_is_dir(const std::string& remote_path) {
    SftpAttrPtr attr(sftp_stat(sftp(), remote_path.c_str()));
    return attr && attr->type == SSH_FILEXFER_TYPE_DIRECTORY;
}

void LibsshSession::upload_tree(const fs::path& local_dir, const std::string& remote_dir) {
    if (!fs::is_directory(local_dir))
        throw NotFound(fmt::format("{}: not a folder", local_dir.string()));
    sftp_session sf = sftp();
    auto perms = static_cast<mode_t>(fs::status(local_dir).permissions() & fs::perms::mask) & 0777;
    if (sftp_mkdir(sf, remote_dir.c_str(), perms) != SSH_OK && !remote_is_dir(remote_dir))
        fail_sftp("cannot create the folder", remote_dir);
    std::vector<fs::directory_entry> entries(fs::directory_iterator(local_dir), {});
    std::sort(entries.begin(), entries.end());
    for (const auto& e : entries) {
        std::string remote = remote_dir + "/" + e.path().filename().string();
        if (e.is_directory() && !e.is_symlink())
            upload_tree(e.path(), remote);
        else if (e.is_regular_file())
            upload_file(e.path(), remote);
        else
            support::warn("scp: skipping {} (not a regular file or folder)", e.path().string());
    }
}

void LibsshSession::download_tree(const std::string& remote_dir, const fs::path& local_dir) {
    sftp_session sf = sftp();
    SftpDirPtr dir(sftp_opendir(sf, remote_dir.c_str()));
    if (!dir)
        fail_sftp("cannot list", remote_dir);
    std::vector<std::pair<std::string, uint8_t>> entries;
    while (SftpAttrPtr attr{sftp_readdir(sf, dir.get())}) {
        std::string name = attr->name ? attr->name : "";
        if (name.empty() || name == "." || name == "..")
            continue;
        // A listing names entries of this folder: a name with '/' (a hostile or broken server's
        // "../x" or "a/b") would write outside local_dir.
        if (name.find('/') != std::string::npos)
            throw Error(fmt::format("{}: the server listed an entry named \"{}\" (with '/'); "
                                    "nothing outside {} is written",
                                    remote_dir, name, local_dir.string()));
        uint8_t type = attr->type;
        if (type == SSH_FILEXFER_TYPE_SYMLINK) { // follow links to files, as scp does
            SftpAttrPtr target(sftp_stat(sf, (remote_dir + "/" + name).c_str()));
            type = target && target->type == SSH_FILEXFER_TYPE_REGULAR ? SSH_FILEXFER_TYPE_REGULAR
                                                                       : SSH_FILEXFER_TYPE_SPECIAL;
        }
        entries.emplace_back(name, type);
    }
    if (!sftp_dir_eof(dir.get()))
        fail_sftp("cannot list", remote_dir);
    std::sort(entries.begin(), entries.end());
    std::error_code ec; // made once the listing is known to be safe
    fs::create_directories(local_dir, ec);
    if (!fs::is_directory(local_dir))
        throw Error(fmt::format("{}: cannot create the folder", local_dir.string()));
    for (const auto& [name, type] : entries) {
        std::string remote = remote_dir + "/" + name;
        if (type == SSH_FILEXFER_TYPE_DIRECTORY)
            download_tree(remote, local_dir / name);
        else if (type == SSH_FILEXFER_TYPE_REGULAR)
            download_file(remote, local_dir / name);
        else
            support::warn("scp: skipping {} (not a regular file or folder)", remote);
    }
}

int LibsshSession::run_interactive(const std::optional<std::string>& command, LocalTerminal term) {
    ssh_session s = m_session.get();
    ChannelPtr ch = open_session_channel();

    bool tty = ::isatty(term.in) == 1;
    std::optional<RawMode> raw;
    std::optional<WinchWatch> winch;
    if (tty) {
        int cols = 80, rows = 24;
        window_size(term.in, cols, rows);
        const char* env_term = std::getenv("TERM");
        std::string term_name = env_term && *env_term ? env_term : "xterm";
        if (ssh_channel_request_pty_size(ch.get(), term_name.c_str(), cols, rows) != SSH_OK)
            fail("cannot allocate a remote terminal");
        g_window_changed = false;
        winch.emplace();
        raw.emplace(term.in);
    }
    int rc = command ? ssh_channel_request_exec(ch.get(), command->c_str())
                     : ssh_channel_request_shell(ch.get());
    if (rc != SSH_OK)
        fail(command ? "cannot start the remote command" : "cannot start a remote shell");

    bool local_eof = false;
    char buf[k_chunk];
    for (;;) {
        pollfd fds[2] = {{local_eof ? -1 : term.in, POLLIN, 0}, {ssh_get_fd(s), POLLIN, 0}};
        int pr = ::poll(fds, 2, 100);
        if (pr < 0 && errno != EINTR)
            throw Error(fmt::format("poll failed: {}", std::strerror(errno)));
        if (!local_eof && pr > 0 && (fds[0].revents & (POLLIN | POLLHUP | POLLERR))) {
            ssize_t n = ::read(term.in, buf, sizeof buf);
            if (n > 0) {
                const char* p = buf;
                size_t left = static_cast<size_t>(n);
                while (left > 0) {
                    int w = ssh_channel_write(ch.get(), p, static_cast<uint32_t>(left));
                    if (w == SSH_ERROR)
                        fail("cannot send input");
                    p += w;
                    left -= static_cast<size_t>(w);
                }
            } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
                local_eof = true;
                ssh_channel_send_eof(ch.get());
            }
        }
        if (tty && g_window_changed.exchange(false)) {
            int cols = 0, rows = 0;
            if (window_size(term.in, cols, rows))
                ssh_channel_change_pty_size(ch.get(), cols, rows);
        }
        int n;
        while ((n = ssh_channel_read_nonblocking(ch.get(), buf, sizeof buf, 0)) > 0)
            write_all(term.out, buf, static_cast<size_t>(n));
        if (n == SSH_ERROR)
            fail("reading the remote output");
        while ((n = ssh_channel_read_nonblocking(ch.get(), buf, sizeof buf, 1)) > 0)
            write_all(term.err, buf, static_cast<size_t>(n));
        if (n == SSH_ERROR)
            fail("reading the remote errors");
        if (ssh_channel_is_eof(ch.get()) || ssh_channel_is_closed(ch.get()))
            break;
    }
    int status = ssh_channel_get_exit_status(ch.get());
    ssh_channel_close(ch.get());
    return status;
}


namespace {

void free_cstring(char* p) { ssh_string_free_char(p); }
using CString = support::Handle<char, free_cstring>;

std::string write_ed25519_key(const fs::path& path, const std::string& comment) {
    init_libssh();
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

// The libssh implementation of SshBackend (machine-backends.so).
class LibsshBackend final : public SshBackend {
public:
    std::unique_ptr<SshSession> connect(const SshTarget& target,
                                        std::chrono::milliseconds connect_timeout) override {
        return std::make_unique<LibsshSession>(target, connect_timeout);
    }
    void check_private_key(const fs::path& key) override { load_private_key(key); }
    std::string generate_ed25519_key(const fs::path& path, const std::string& comment) override {
        return write_ed25519_key(path, comment);
    }
};

} // namespace

SshBackend& libssh_backend() {
    static LibsshBackend backend;
    return backend;
}

} // namespace machine::provision
