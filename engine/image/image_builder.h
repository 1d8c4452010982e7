#pragma once
// Builds the bundled machine image from the embedded recipe: mmdebstrap (Debian 12 packages)
// -> ext4 root file system -> MBR disk with extlinux (boots under qemu/libvirt and VirtualBox
// without direct kernel boot) -> qcow2. Needs root (mmdebstrap root mode, a loop device).
#include "engine/image/recipe.h"
#include "machine/support/process.h"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace machine::engine::image {

namespace fs = std::filesystem;

// Receives one line per build step, prefixed with the elapsed time: "[  12.3s] making ...".
using Progress = std::function<void(const std::string& step)>;

struct BuildOptions {
    ImageVariant variant;
    std::string suite = "bookworm";
    // Apt sources, one "deb URI SUITE COMPONENTS" line each (the host's Debian mirror).
    std::vector<std::string> sources = {
        "deb http://deb.debian.org/debian bookworm main",
        "deb http://deb.debian.org/debian bookworm-updates main",
        "deb http://deb.debian.org/debian-security bookworm-security main",
    };
    std::uint64_t disk_bytes = std::uint64_t{4} << 30; // virtual size; the guest grows into more
    fs::path deb_cache;                                 // downloaded .debs kept here; empty: none
    fs::path mbr_bin = "/usr/lib/syslinux/mbr/mbr.bin";
};

// One image in the cache, as its manifest.json describes it.
struct ImageInfo {
    std::string hash;            // recipe hash (the cache key)
    std::string version;         // k_image_version at build time
    ImageVariant variant;
    fs::path dir;                // <store>/cache/images/<hash>
    fs::path disk;               // dir / "disk.qcow2"
    std::string built_at;        // UTC, ISO 8601
    double build_seconds = 0;
    std::string kernel;          // e.g. "6.1.0-37-amd64"
    std::uint64_t virtual_bytes = 0;
    std::uint64_t raw_bytes = 0; // data allocated in the raw disk before conversion
    std::uint64_t qcow2_bytes = 0;
};

class ImageBuilder {
public:
    ImageBuilder(support::ProcessRunner& runner, BuildOptions options,
                 std::vector<RecipeFile> recipe = embedded_recipe());

    // The cache key of what build() makes.
    std::string hash() const;

    // Programs (and files) a build needs that are missing on this host, with the Debian package
    // that provides each: "extlinux (package extlinux)". Empty when a build can start.
    std::vector<std::string> missing_prerequisites() const;

    // Builds into `out_dir` (created; scratch files live in out_dir/work and are removed):
    // disk.qcow2, packages.txt (dpkg -l of the image) and manifest.json. Throws Unavailable when
    // prerequisites are missing, Error when a step fails (with the program's last output).
    ImageInfo build(const fs::path& out_dir, const Progress& progress);

private:
    support::ProcessResult run_step(support::ProcessSpec spec, const std::string& what);
    std::vector<std::string> mmdebstrap_args(const fs::path& recipe_dir,
                                             const fs::path& rootfs) const;

    support::ProcessRunner& m_runner;
    BuildOptions m_options;
    std::vector<RecipeFile> m_recipe;
};

enum class DiskFormat { qcow2, vdi, vmdk, raw };

// Converts a disk with qemu-img (e.g. the cached qcow2 to VDI for VirtualBox). Writes out.tmp
// and renames it, so `out` is either complete or absent.
void convert_disk(const fs::path& in, const fs::path& out, DiskFormat format,
                  support::ProcessRunner& runner);

// manifest.json <-> ImageInfo (dir and disk are set from `dir`).
std::string manifest_json(const ImageInfo& info);
ImageInfo parse_manifest(const std::string& json, const fs::path& dir);

} // namespace machine::engine::image
