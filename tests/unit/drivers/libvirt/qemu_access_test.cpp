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
