#pragma once
// The system libvirtd (qemu:///system) runs qemu as an unprivileged user (libvirt-qemu on
// Debian, qemu on Fedora). libvirt relabels the disk files for it, but not the folders above
// them: a store under /root (0700) leaves qemu with "Permission denied". Like virt-manager, we
// grant that user search-only (--x) access to each folder on the way with a POSIX ACL, and say so.
#include "machine/support/process.h"

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

} // namespace machine::drivers::libvirt
