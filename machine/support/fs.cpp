#include "machine/support/fs.h"

#include "machine/support/error.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <random>
#include <sstream>
#include <sys/file.h>
#include <sys/stat.h>
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
    fs::create_directories(path, ec);
    if (ec)
        throw StoreError(fmt::format("cannot create {}: {}", path.string(), ec.message()));
    ::chmod(path.c_str(), mode);
}

FileLock::FileLock(const fs::path& path) {
    m_fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (m_fd < 0)
        fail("cannot open lock", path);
    while (::flock(m_fd, LOCK_EX) != 0) {
        if (errno != EINTR) {
            ::close(m_fd);
            fail("cannot lock", path);
        }
    }
}

FileLock::FileLock(FileLock&& other) noexcept : m_fd(other.m_fd) { other.m_fd = -1; }

FileLock::~FileLock() {
    if (m_fd >= 0)
        ::close(m_fd); // closing releases the flock
}

} // namespace machine::support
