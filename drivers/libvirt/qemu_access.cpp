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

} // namespace machine::drivers::libvirt
