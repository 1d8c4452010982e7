#include "engine/image/image_cache.h"

#include "machine/support/error.h"
#include "machine/support/fs.h"
#include "machine/support/log.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace machine::engine::image {

namespace {

bool is_hash_name(const std::string& name) {
    return name.size() == 64 &&
           std::all_of(name.begin(), name.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
           });
}

std::optional<ImageInfo> load(const fs::path& dir) {
    auto text = support::try_read_file(dir / "manifest.json");
    if (!text)
        return std::nullopt;
    auto info = parse_manifest(*text, dir);
    if (!fs::exists(info.disk))
        return std::nullopt;
    return info;
}

std::string human_bytes(std::uint64_t b) {
    if (b >= (std::uint64_t{1} << 30))
        return fmt::format("{:.1f} GiB", b / double(std::uint64_t{1} << 30));
    return fmt::format("{:.0f} MiB", b / double(1 << 20));
}

} // namespace

ImageCache::ImageCache(fs::path store, support::ProcessRunner& runner, BuildOptions options,
                       std::vector<RecipeFile> recipe)
    : m_root(store / "cache" / "images"), m_runner(runner), m_options(std::move(options)),
      m_recipe(std::move(recipe)) {
    if (m_options.deb_cache.empty())
        m_options.deb_cache = store / "cache" / "debs";
}

std::string ImageCache::current_recipe_hash() const {
    return recipe_hash(m_recipe, m_options.variant);
}

std::optional<ImageInfo> ImageCache::find(const std::string& hash) const {
    if (hash.size() < 6 || !fs::is_directory(m_root))
        return std::nullopt;
    if (is_hash_name(hash))
        return load(m_root / hash);
    std::optional<ImageInfo> found;
    for (const auto& e : fs::directory_iterator(m_root)) {
        auto name = e.path().filename().string();
        if (!is_hash_name(name) || name.compare(0, hash.size(), hash) != 0)
            continue;
        auto info = load(e.path());
        if (!info)
            continue;
        if (found)
            throw UsageError(fmt::format("image id '{}' is ambiguous: give more characters", hash));
        found = info;
    }
    return found;
}

ImageInfo ImageCache::ensure(const Progress& progress) {
    auto hash = current_recipe_hash();
    if (auto info = find(hash))
        return *info;
    return build_locked(hash, progress, false);
}

ImageInfo ImageCache::rebuild(const Progress& progress) {
    return build_locked(current_recipe_hash(), progress, true);
}

ImageInfo ImageCache::build_locked(const std::string& hash, const Progress& progress,
                                   bool replace) {
    support::make_dirs(m_root);
    support::FileLock lock(m_root / fmt::format(".{}.lock", hash));
    // Another process may have built it while we waited for the lock.
    if (!replace)
        if (auto info = find(hash))
            return *info;
    clean_stale(hash);
    const fs::path tmp = m_root / fmt::format(".tmp-{}-{}", hash, ::getpid());
    const fs::path final_dir = m_root / hash;
    ImageInfo info;
    try {
        ImageBuilder builder(m_runner, m_options, m_recipe);
        info = builder.build(tmp, progress);
    } catch (...) {
        clean_stale(hash);
        throw;
    }
    if (replace && fs::exists(final_dir)) {
        fs::path old = m_root / fmt::format(".old-{}-{}", hash, ::getpid());
        fs::rename(final_dir, old);
        fs::rename(tmp, final_dir);
        fs::remove_all(old);
    } else {
        fs::rename(tmp, final_dir);
    }
    info.dir = final_dir;
    info.disk = final_dir / info.disk.filename();
    if (progress)
        progress(fmt::format("[{:6.1f}s] image {} ready ({} qcow2, kernel {})", info.build_seconds,
                             hash.substr(0, 12), human_bytes(info.qcow2_bytes), info.kernel));
    return info;
}

// Removes what a killed build of `hash` left behind: its mount, loop device and temp folder.
// Called with the hash's lock held, so no live build owns these.
void ImageCache::clean_stale(const std::string& hash) {
    if (!fs::is_directory(m_root))
        return;
    const std::string prefix = fmt::format(".tmp-{}-", hash);
    for (const auto& e : fs::directory_iterator(m_root)) {
        auto name = e.path().filename().string();
        if (name.compare(0, prefix.size(), prefix) != 0 && name.rfind(".old-" + hash, 0) != 0)
            continue;
        const auto dir = e.path();
        std::ifstream mounts("/proc/self/mounts");
        std::string line;
        std::vector<std::string> under;
        while (std::getline(mounts, line)) {
            std::istringstream fields(line);
            std::string dev, where;
            fields >> dev >> where;
            if (where.rfind(dir.string() + "/", 0) == 0)
                under.push_back(where);
        }
        std::sort(under.rbegin(), under.rend()); // deepest first
        for (const auto& m : under)
            m_runner.run({.program = "umount", .args = {"-l", m}});
        auto raw = dir / "work" / "disk.raw";
        if (fs::exists(raw)) {
            auto loops = m_runner.run({.program = "losetup", .args = {"-j", raw.string()}});
            std::istringstream in(loops.out);
            while (std::getline(in, line))
                if (auto colon = line.find(':'); colon != std::string::npos)
                    m_runner.run({.program = "losetup", .args = {"-d", line.substr(0, colon)}});
        }
        support::debug("removing the unfinished image build {}", dir.string());
        m_runner.run({.program = "rm", .args = {"-rf", "--one-file-system", dir.string()}});
    }
}

std::vector<ImageInfo> ImageCache::list() const {
    std::vector<ImageInfo> images;
    if (!fs::is_directory(m_root))
        return images;
    for (const auto& e : fs::directory_iterator(m_root)) {
        if (!is_hash_name(e.path().filename().string()))
            continue;
        try {
            if (auto info = load(e.path()))
                images.push_back(*info);
        } catch (const Error& err) {
            support::warn("{}", err.what());
        }
    }
    std::sort(images.begin(), images.end(),
              [](const ImageInfo& a, const ImageInfo& b) { return a.built_at > b.built_at; });
    return images;
}

void ImageCache::remove(const std::string& hash) {
    auto info = find(hash);
    if (!info)
        throw NotFound(fmt::format("no image '{}' in {}", hash, m_root.string()));
    support::FileLock lock(m_root / fmt::format(".{}.lock", info->hash));
    fs::path gone = m_root / fmt::format(".old-{}-{}", info->hash, ::getpid());
    fs::rename(info->dir, gone); // atomic: the image disappears at once
    fs::remove_all(gone);
}

std::string format_image_table(const std::vector<ImageInfo>& images,
                               const std::string& current_hash) {
    std::string out = fmt::format("{:<14}{:<8}{:<22}{:<18}{:<10}{}\n", "IMAGE", "ENGINE", "BUILT",
                                  "KERNEL", "SIZE", "CURRENT");
    for (const auto& i : images)
        out += fmt::format("{:<14}{:<8}{:<22}{:<18}{:<10}{}\n", i.hash.substr(0, 12),
                           i.variant.with_engine ? "docker" : "none",
                           i.built_at.empty() ? "-" : i.built_at, i.kernel.empty() ? "-" : i.kernel,
                           human_bytes(i.qcow2_bytes), i.hash == current_hash ? "*" : "");
    return out;
}

} // namespace machine::engine::image
