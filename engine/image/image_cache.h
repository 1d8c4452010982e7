#pragma once
// The image cache of a store: <store>/cache/images/<hash>/{disk.qcow2,manifest.json,packages.txt}.
// Shared by every machine of the store; an image is built once per recipe hash and never
// rebuilt while the recipe is unchanged. Builds happen in a temp folder renamed into place, so a
// killed build never leaves a half image; concurrent builders of one hash serialize on a flock.
#include "engine/image/image_builder.h"

#include <optional>
#include <string>
#include <vector>

namespace machine::engine::image {

class ImageCache {
public:
    // `options.deb_cache` defaults to <store>/cache/debs (downloaded packages, reused by builds).
    ImageCache(fs::path store, support::ProcessRunner& runner, BuildOptions options = {},
               std::vector<RecipeFile> recipe = embedded_recipe());

    // <store>/cache/images
    fs::path root() const { return m_root; }

    // Hash of the embedded recipe with this cache's variant: what ensure() returns.
    std::string current_recipe_hash() const;

    // The image with this hash (or unique hash prefix, at least 6 characters), if built.
    // Throws UsageError for an ambiguous prefix.
    std::optional<ImageInfo> find(const std::string& hash) const;

    // The current image, built first if absent (progress gets one line per step).
    ImageInfo ensure(const Progress& progress);

    // Builds the current image again even if cached (replacing it atomically).
    ImageInfo rebuild(const Progress& progress);

    // Every complete image, newest first.
    std::vector<ImageInfo> list() const;

    // Deletes an image (hash or unique prefix). Throws NotFound.
    void remove(const std::string& hash);

private:
    ImageInfo build_locked(const std::string& hash, const Progress& progress, bool replace);
    void clean_stale(const std::string& hash);

    fs::path m_root;
    support::ProcessRunner& m_runner;
    BuildOptions m_options;
    std::vector<RecipeFile> m_recipe;
};

// A table for `machine image ls`: HASH (12 chars), ENGINE, BUILT, KERNEL, SIZE, CURRENT.
std::string format_image_table(const std::vector<ImageInfo>& images,
                               const std::string& current_hash);

} // namespace machine::engine::image
