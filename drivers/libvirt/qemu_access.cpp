#include "drivers/libvirt/qemu_access.h"

#include "machine/support/error.h"

#include <fmt/format.h>

#include <algorithm>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>

namespace machine::drivers::libvirt {

namespace fs = std::filesystem;

std::string qemu_user() {
    for (const char* name : {"libvirt-qemu", "qemu"}) {
        if (::getpwnam(name))
            return name;
    }
    return {};
}

std::vector<fs::path> unsearchable_dirs(const fs::path& file, uid_t uid, gid_t gid) {
    std::vector<fs::path> out;
    fs::path dir;
    for (const auto& part : fs::absolute(file).parent_path()) {
        dir /= part;
        struct stat st {};
        if (::stat(dir.c_str(), &st) != 0)
            break;
        bool ok = (st.st_mode & S_IXOTH) || (st.st_uid == uid && (st.st_mode & S_IXUSR)) ||
                  (st.st_gid == gid && (st.st_mode & S_IXGRP));
        if (!ok)
            out.push_back(dir);
    }
    return out;
}

std::vector<fs::path> grant_search_access(const std::vector<fs::path>& files,
                                          const std::string& user,
                                          support::ProcessRunner& runner) {
    const struct passwd* pw = ::getpwnam(user.c_str());
    if (!pw)
        return {};
    std::vector<fs::path> changed;
    for (const auto& file : files) {
        for (const auto& dir : unsearchable_dirs(file, pw->pw_uid, pw->pw_gid)) {
            if (std::find(changed.begin(), changed.end(), dir) != changed.end())
                continue;
            auto r = runner.run({"setfacl", {"-m", fmt::format("u:{}:x", user), dir.string()}});
            if (!r.ok())
                throw DriverError(fmt::format(
                    "qemu runs as {} and cannot reach {}; granting it search access failed: {}"
                    "(or move the store with --storage-path to a place it can read)",
                    user, dir.string(), r.err));
            changed.push_back(dir);
        }
    }
    return changed;
}

bool mode_allows_read_write(const struct stat& st, uid_t uid, const std::vector<gid_t>& groups) {
    const mode_t m = st.st_mode;
    if (uid == 0 || st.st_uid == uid)
        return uid == 0 || ((m & S_IRUSR) && (m & S_IWUSR));
    if (std::find(groups.begin(), groups.end(), st.st_gid) != groups.end())
        return (m & S_IRGRP) && (m & S_IWGRP);
    return (m & S_IROTH) && (m & S_IWOTH);
}

std::string kvm_access_warning(const fs::path& device, const std::string& user) {
    struct stat st {};
    if (user.empty() || ::stat(device.c_str(), &st) != 0)
        return {};
    const struct passwd* pw = ::getpwnam(user.c_str());
    if (!pw)
        return {};
    const uid_t uid = pw->pw_uid;
    const gid_t gid = pw->pw_gid;
    int count = 32;
    std::vector<gid_t> groups(static_cast<size_t>(count));
    if (::getgrouplist(user.c_str(), gid, groups.data(), &count) < 0) {
        groups.resize(static_cast<size_t>(count));
        ::getgrouplist(user.c_str(), gid, groups.data(), &count);
    }
    groups.resize(static_cast<size_t>(std::max(count, 0)));
    if (mode_allows_read_write(st, uid, groups))
        return {};
    const struct passwd* owner = ::getpwuid(st.st_uid);
    const std::string owner_name = owner ? owner->pw_name : std::to_string(st.st_uid);
    const struct group* gr = ::getgrgid(st.st_gid);
    const std::string group_name = gr ? gr->gr_name : std::to_string(st.st_gid);
    return fmt::format(
        "{} is {:04o} {}:{} and {} (the user qemu runs as) cannot open it, so libvirt probes "
        "qemu again before every VM start (about a minute each under emulation). udev normally "
        "makes it root:kvm 0660; fix it with: chgrp kvm {} && chmod 0660 {}",
        device.string(), st.st_mode & 07777, owner_name, group_name, user, device.string(),
        device.string());
}

} // namespace machine::drivers::libvirt
