#pragma once
// The system libvirtd (qemu:///system) runs qemu as an unprivileged user (libvirt-qemu on
// Debian, qemu on Fedora). libvirt relabels the disk files for it, but not the folders above
// them: a store under /root (0700) leaves qemu with "Permission denied". Like virt-manager, we
// grant that user search-only (--x) access to each folder on the way with a POSIX ACL, and say so.
#include "machine/support/process.h"

#include <sys/stat.h>

#include <filesystem>
#include <string>
#include <vector>

namespace machine::drivers::libvirt {

// The user qemu runs as under the system libvirtd, or "" when there is no such user here.
std::string qemu_user();

// Folders from `/` down to the folder holding `file` that `uid`/`gid` cannot search through
// its mode bits (ownership, group and "other" x bits checked; ACLs already set are not read).
std::vector<std::filesystem::path> unsearchable_dirs(const std::filesystem::path& file, uid_t uid,
                                                     gid_t gid);

// Grants `user` search access to every folder above each file that it cannot search yet.
// Returns the folders changed (one setfacl each, through the runner).
std::vector<std::filesystem::path> grant_search_access(const std::vector<std::filesystem::path>& files,
                                                       const std::string& user,
                                                       support::ProcessRunner& runner);

// Whether mode bits let `uid` (member of `groups`) open the file read-write (no ACLs read).
bool mode_allows_read_write(const struct stat& st, uid_t uid, const std::vector<gid_t>& groups);

// libvirtd probes qemu's capabilities as root, where /dev/kvm opens, then checks /dev/kvm as the
// qemu user. When that user cannot open it (a root-only /dev/kvm on a host without udev), libvirt
// finds its capability cache stale and probes qemu again on every domain start: about a minute
// per start under software emulation. One line saying so and how to fix it, or "" when `user`
// can open `device` read-write, or there is no such device or user.
std::string kvm_access_warning(const std::filesystem::path& device, const std::string& user);

} // namespace machine::drivers::libvirt
