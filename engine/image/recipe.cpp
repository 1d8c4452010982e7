#include "engine/image/recipe.h"

#include "machine/support/error.h"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cstddef>
#include <memory>
#include <sstream>

namespace machine::engine::image {

namespace {

struct EmbeddedFile {
    const char* name;
    const unsigned char* data;
    std::size_t size;
};

#include "engine/image/recipe_data.inc"

using MdCtx = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

// Length-prefixed so that ("ab","c") and ("a","bc") hash differently.
void feed(EVP_MD_CTX* ctx, const std::string& s) {
    std::string n = fmt::format("{}:", s.size());
    EVP_DigestUpdate(ctx, n.data(), n.size());
    EVP_DigestUpdate(ctx, s.data(), s.size());
}

} // namespace

std::vector<RecipeFile> embedded_recipe() {
    std::vector<RecipeFile> files;
    for (const auto& f : k_recipe_files)
        files.push_back({f.name, std::string(reinterpret_cast<const char*>(f.data), f.size)});
    std::sort(files.begin(), files.end(),
              [](const RecipeFile& a, const RecipeFile& b) { return a.name < b.name; });
    return files;
}

std::string recipe_hash(const std::vector<RecipeFile>& recipe, const ImageVariant& variant) {
    MdCtx ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1)
        throw Error("cannot initialise sha256");
    feed(ctx.get(), fmt::format("machine-image v{}", k_image_version));
    feed(ctx.get(), fmt::format("engine={} trim={}", variant.with_engine, variant.trim));
    std::vector<const RecipeFile*> sorted;
    for (const auto& f : recipe)
        sorted.push_back(&f);
    std::sort(sorted.begin(), sorted.end(),
              [](const RecipeFile* a, const RecipeFile* b) { return a->name < b->name; });
    for (const auto* f : sorted) {
        feed(ctx.get(), f->name);
        feed(ctx.get(), f->content);
    }
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx.get(), md, &len);
    std::string hex;
    for (unsigned int i = 0; i < len; ++i)
        hex += fmt::format("{:02x}", md[i]);
    return hex;
}

std::vector<std::string> package_list(const std::string& content) {
    std::vector<std::string> out;
    std::istringstream in(content);
    std::string line;
    while (std::getline(in, line)) {
        if (auto hash = line.find('#'); hash != std::string::npos)
            line.erase(hash);
        auto b = line.find_first_not_of(" \t\r");
        if (b == std::string::npos)
            continue;
        auto e = line.find_last_not_of(" \t\r");
        out.push_back(line.substr(b, e - b + 1));
    }
    return out;
}

const RecipeFile& recipe_file(const std::vector<RecipeFile>& recipe, const std::string& name) {
    for (const auto& f : recipe)
        if (f.name == name)
            return f;
    throw NotFound(fmt::format("the image recipe has no file '{}'", name));
}

std::vector<std::string> packages_for(const std::vector<RecipeFile>& recipe,
                                      const ImageVariant& variant) {
    auto pkgs = package_list(recipe_file(recipe, "packages.txt").content);
    if (variant.with_engine)
        for (auto& p : package_list(recipe_file(recipe, "packages-engine.txt").content))
            pkgs.push_back(p);
    return pkgs;
}

} // namespace machine::engine::image
