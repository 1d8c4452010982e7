#include "drivers/libvirt/qemu_access.h"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

namespace fs = std::filesystem;
using machine::drivers::libvirt::unsearchable_dirs;

namespace {

struct TempTree {
    fs::path root = fs::temp_directory_path() / ("qemu-access-" + std::to_string(::getpid()));
    TempTree() { fs::create_directories(root / "store" / "machines" / "m1"); }
    ~TempTree() { fs::remove_all(root); }
};

constexpr uid_t k_other_uid = 65534; // nobody: neither owner nor group of the temp folders
constexpr gid_t k_other_gid = 65534;

} // namespace

TEST(UnsearchableDirs, ListsPrivateFoldersOnTheWayForAnotherUser) {
    TempTree t;
    ::chmod(t.root.c_str(), 0755);
    ::chmod((t.root / "store").c_str(), 0700);
    ::chmod((t.root / "store" / "machines").c_str(), 0700);
    ::chmod((t.root / "store" / "machines" / "m1").c_str(), 0711);
    auto dirs = unsearchable_dirs(t.root / "store" / "machines" / "m1" / "disk.qcow2", k_other_uid,
                                  k_other_gid);
    std::vector<fs::path> want{t.root / "store", t.root / "store" / "machines"};
    // Folders above the temp dir (/, /tmp) are world-searchable on any sane system.
    EXPECT_EQ(dirs, want);
}

TEST(UnsearchableDirs, OwnerCanSearchItsOwnPrivateFolders) {
    TempTree t;
    ::chmod((t.root / "store").c_str(), 0700);
    auto dirs = unsearchable_dirs(t.root / "store" / "machines" / "m1" / "disk.qcow2", ::getuid(),
                                  ::getgid());
    EXPECT_TRUE(dirs.empty());
}

namespace {
struct stat mode_stat(mode_t mode, uid_t uid, gid_t gid) {
    struct stat st {};
    st.st_mode = S_IFCHR | mode;
    st.st_uid = uid;
    st.st_gid = gid;
    return st;
}
} // namespace

TEST(ModeAllowsReadWrite, RootOnlyKvmShutsOutTheQemuUserUntilItIsGroupKvm) {
    using machine::drivers::libvirt::mode_allows_read_write;
    const gid_t kvm = 108;
    const uid_t qemu = 64055;
    EXPECT_FALSE(mode_allows_read_write(mode_stat(0600, 0, 0), qemu, {kvm}));     // no udev
    EXPECT_TRUE(mode_allows_read_write(mode_stat(0660, 0, kvm), qemu, {kvm}));    // udev's
    EXPECT_FALSE(mode_allows_read_write(mode_stat(0640, 0, kvm), qemu, {kvm}));   // read only
    EXPECT_FALSE(mode_allows_read_write(mode_stat(0660, 0, kvm), qemu, {100}));   // not in kvm
    EXPECT_TRUE(mode_allows_read_write(mode_stat(0666, 0, 0), qemu, {}));         // others rw
    EXPECT_TRUE(mode_allows_read_write(mode_stat(0600, qemu, 0), qemu, {}));      // owner
    EXPECT_TRUE(mode_allows_read_write(mode_stat(0600, 0, 0), 0, {}));            // root
}

TEST(KvmAccessWarning, NamesTheModeAndTheFixOnlyWhenTheUserIsShutOut) {
    using machine::drivers::libvirt::kvm_access_warning;
    TempTree t;
    fs::path dev = t.root / "kvm";
    { FILE* f = std::fopen(dev.c_str(), "w"); ASSERT_NE(f, nullptr); std::fclose(f); }
    ASSERT_EQ(::chown(dev.c_str(), 0, 0), 0);
    ::chmod(dev.c_str(), 0600);
    std::string w = kvm_access_warning(dev, "nobody");
    EXPECT_NE(w.find("0600 root:root"), std::string::npos) << w;
    EXPECT_NE(w.find("nobody"), std::string::npos) << w;
    EXPECT_NE(w.find("chgrp kvm " + dev.string() + " && chmod 0660 " + dev.string()),
              std::string::npos)
        << w;
    ::chmod(dev.c_str(), 0666);
    EXPECT_EQ(kvm_access_warning(dev, "nobody"), "");
    EXPECT_EQ(kvm_access_warning(t.root / "absent", "nobody"), "") << "no device, no warning";
    ::chmod(dev.c_str(), 0600);
    EXPECT_EQ(kvm_access_warning(dev, "no-such-user-here"), "");
}
