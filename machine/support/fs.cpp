#include "machine/support/fs.h"

#include "machine/support/error.h"
#include "machine/support/log.h"
#include "machine/support/wait.h"

#include <fmt/format.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <random>
#include <sstream>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

namespace machine::support {
namespace {

[[noreturn]] void fail(const std::string& what, const fs::path& p) {
    throw StoreError(fmt::format("{} {}: {}", what, p.string(), std::strerror(errno)));
}

std::string temp_suffix() {
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    return fmt::format(".tmp.{}.{:x}", ::getpid(), rng());
}

void fsync_dir(const fs::path& dir) {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
}

} // namespace

void atomic_write(const fs::path& path, const std::string& data, mode_t mode) {
    fs::path tmp = path;
    tmp += temp_suffix();
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0)
        fail("cannot create", tmp);
    ::fchmod(fd, mode); // umask must not widen or narrow what was asked for
    const char* p = data.data();
    size_t left = data.size();
    while (left > 0) {
        ssize_t n = ::write(fd, p, left);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            ::close(fd);
            ::unlink(tmp.c_str());
            fail("cannot write", tmp);
        }
        p += n;
        left -= static_cast<size_t>(n);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0) {
        ::unlink(tmp.c_str());
        fail("cannot flush", tmp);
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        ::unlink(tmp.c_str());
        fail("cannot replace", path);
    }
    fsync_dir(path.parent_path().empty() ? fs::path(".") : path.parent_path());
    remove_stale_temps(path);
}

bool is_stale_temp_name(const std::string& name, const std::string& base) {
    const std::string prefix = base + ".tmp.";
    if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0)
        return false;
    std::string rest = name.substr(prefix.size()); // "<pid>.<hex>"
    auto dot = rest.find('.');
    if (dot == 0 || dot == std::string::npos || dot + 1 == rest.size() || dot > 9)
        return false;
    for (size_t i = 0; i < rest.size(); ++i) {
        char c = rest[i];
        bool ok = i < dot ? (c >= '0' && c <= '9')
                          : (i == dot || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
        if (!ok)
            return false;
    }
    pid_t pid = static_cast<pid_t>(std::stol(rest.substr(0, dot)));
    if (pid <= 0 || pid == ::getpid())
        return false;
    return ::kill(pid, 0) != 0 && errno == ESRCH;
}

void remove_stale_temps(const fs::path& path) {
    const std::string base = path.filename().string();
    fs::path dir = path.parent_path().empty() ? fs::path(".") : path.parent_path();
    std::error_code ec;
    for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator();
         it.increment(ec)) {
        std::error_code ec2;
        if (it->is_symlink(ec2) || !it->is_regular_file(ec2))
            continue;
        if (is_stale_temp_name(it->path().filename().string(), base))
            fs::remove(it->path(), ec2);
    }
}

std::optional<std::string> try_read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return std::nullopt;
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string read_file(const fs::path& path) {
    auto s = try_read_file(path);
    if (!s)
        throw NotFound(fmt::format("cannot read {}: {}", path.string(), std::strerror(errno)));
    return *s;
}

void make_dirs(const fs::path& path, mode_t mode) {
    std::error_code ec;
    if (fs::is_directory(path, ec))
        return;
    fs::path parent = path.parent_path();
    if (!parent.empty() && parent != path)
        make_dirs(parent, mode | 0700);
    if (::mkdir(path.c_str(), mode) != 0) {
        if (errno == EEXIST && fs::is_directory(path, ec))
            return; // made by another process meanwhile: theirs to set
        throw StoreError(
            fmt::format("cannot create {}: {}", path.string(),
                        errno == EEXIST ? "a file is in the way" : std::strerror(errno)));
    }
    ::chmod(path.c_str(), mode); // ours, just made: the mode asked for, whatever the umask
}

ScratchDir::ScratchDir(const fs::path& parent, const std::string& prefix) {
    std::string templ = (parent / (prefix + "XXXXXX")).string();
    if (!::mkdtemp(templ.data()))
        throw Error(fmt::format("cannot make a temp folder in {}: {}", parent.string(),
                                std::strerror(errno)));
    m_path = templ;
}

ScratchDir::~ScratchDir() {
    std::error_code ec;
    fs::remove_all(m_path, ec);
}

namespace {

// "pid N: <command line>" of the process holding the flock on `fd`'s file, from /proc/locks
// (nothing is written into lock files, so taking a lock never changes the store), or "".
std::string describe_holder(int fd) {
    struct stat st {};
    if (::fstat(fd, &st) != 0)
        return "";
    const std::string id = fmt::format("{:02x}:{:02x}:{}", major(st.st_dev), minor(st.st_dev),
                                       static_cast<unsigned long>(st.st_ino));
    std::istringstream locks(try_read_file("/proc/locks").value_or(""));
    for (std::string line; std::getline(locks, line);) {
        std::istringstream fields(line);
        std::string index, kind, mode, access, pid, where;
        fields >> index >> kind;
        if (kind == "->" || kind != "FLOCK") // "->": a waiter, not the holder
            continue;
        fields >> mode >> access >> pid >> where;
        if (where != id || pid.empty() || pid == "0")
            continue;
        auto cmd = try_read_file(fs::path("/proc") / pid / "cmdline").value_or("");
        std::string out;
        for (unsigned char c : cmd.substr(0, 200))
            out += (c == 0 || c < 0x20 || c == 0x7f) ? ' ' : static_cast<char>(c);
        while (!out.empty() && out.back() == ' ')
            out.pop_back();
        return out.empty() ? "pid " + pid : fmt::format("pid {}: {}", pid, out);
    }
    return "";
}

} // namespace

FileLock::FileLock(const fs::path& path, const LockWait& wait) {
    m_fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (m_fd < 0)
        fail("cannot open lock", path);
    // One try now; 0: locked, 1: held by another, throws on any other failure.
    auto try_lock = [&] {
        for (;;) {
            if (::flock(m_fd, LOCK_EX | LOCK_NB) == 0)
                return true;
            if (errno == EINTR)
                continue;
            if (errno == EWOULDBLOCK)
                return false;
            ::close(m_fd);
            m_fd = -1;
            fail("cannot lock", path);
        }
    };
    if (try_lock())
        return;
    Clock& clock = wait.clock ? *wait.clock : steady_clock();
    const auto start = clock.now();
    bool noticed = false;
    const std::string what = wait.what.empty() ? path.string() : wait.what;
    WaitSpec spec;
    spec.deadline = start + wait.timeout;
    spec.first_delay = spec.max_delay = std::chrono::milliseconds(50); // a lock is polled
    spec.timeout_message = [&](const WaitOutcome&) {
        std::string holder = describe_holder(m_fd);
        ::close(m_fd);
        m_fd = -1;
        auto secs = std::chrono::duration<double>(wait.timeout).count();
        return fmt::format(
            "gave up waiting for {} after {:g} s{}; pass --timeout SECONDS to wait longer", what,
            secs, holder.empty() ? "" : fmt::format(" (held by {})", holder));
    };
    wait_until(clock, spec, [&](std::chrono::milliseconds, std::string&) {
        if (try_lock())
            return true;
        if (!noticed && clock.now() - start >= wait.notice_after) {
            noticed = true;
            std::string holder = describe_holder(m_fd);
            write_stderr(fmt::format("waiting for {}{}...", what,
                                     holder.empty() ? "" : fmt::format(" (held by {})", holder)));
        }
        return false;
    });
}

FileLock::FileLock(FileLock&& other) noexcept : m_fd(other.m_fd) {
    other.m_fd = -1;
}

FileLock::~FileLock() {
    if (m_fd >= 0)
        ::close(m_fd); // closing releases the flock
}

} // namespace machine::support
