#pragma once
// The image recipe compiled into this binary (engine/image/recipe/*), and the content hash that
// names an image in the cache: the same recipe and variant always give the same hash.
#include <string>
#include <vector>

namespace machine::engine::image {

// Bumped when the way the builder turns a recipe into a disk changes (part of the hash).
inline constexpr const char* k_image_version = "1";

struct RecipeFile {
    std::string name;    // file name inside recipe/, e.g. "customize.sh"
    std::string content;
};

// What to put in the image. Each combination is cached under its own hash.
struct ImageVariant {
    bool with_engine = true; // docker.io installed and enabled
    bool trim = true;        // false: the untrimmed baseline (for benchmarks)
};

// The recipe files embedded at build time, sorted by name.
std::vector<RecipeFile> embedded_recipe();

// Lowercase hex sha256 over the image version, the variant and every file (name and content).
std::string recipe_hash(const std::vector<RecipeFile>& recipe, const ImageVariant& variant);

// The non-comment, non-blank lines of a package list file ("packages.txt").
std::vector<std::string> package_list(const std::string& content);

// The packages of `variant` from `recipe` (packages.txt, plus packages-engine.txt with the engine).
std::vector<std::string> packages_for(const std::vector<RecipeFile>& recipe,
                                      const ImageVariant& variant);

// The recipe file called `name`; throws NotFound.
const RecipeFile& recipe_file(const std::vector<RecipeFile>& recipe, const std::string& name);

} // namespace machine::engine::image
