// The embedded image recipe, its cache key, and the image cache's bookkeeping (no real build).
#include "engine/image/image_cache.h"
#include "machine/support/error.h"
#include "machine/support/fs.h"
#include "tests/fakes/fake_runner.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <unistd.h>

namespace img = machine::engine::image;
namespace fs = std::filesystem;
using machine::support::ProcessResult;
using machine::support::ProcessSpec;

namespace {

// Records every command; programs named in `missing` are not "installed".
using RecordingRunner = machine::testing::FakeRunner;

struct TempStore {
    fs::path path;
    TempStore() {
        std::string t = (fs::temp_directory_path() / "image-test-XXXXXX").string();
        path = ::mkdtemp(t.data());
    }
    ~TempStore() { fs::remove_all(path); }
};

img::ImageInfo fake_image(const fs::path& root, const std::string& hash, const std::string& when) {
    img::ImageInfo info;
    info.hash = hash;
    info.version = img::k_image_version;
    info.built_at = when;
    info.kernel = "6.1.0-test-amd64";
    info.qcow2_bytes = 300u << 20;
    info.dir = root / hash;
    info.disk = info.dir / "disk.qcow2";
    machine::support::make_dirs(info.dir);
    machine::support::atomic_write(info.disk, "qcow2");
    machine::support::atomic_write(info.dir / "manifest.json", img::manifest_json(info));
    return info;
}

} // namespace

TEST(ImageRecipe, EmbedsEveryRecipeFile) {
    auto recipe = img::embedded_recipe();
    for (const char* name : {"packages.txt", "packages-engine.txt", "customize.sh", "essential.sh",
                             "machine-seed.sh", "machine-seed.service", "wired.network"}) {
        EXPECT_NO_THROW(img::recipe_file(recipe, name)) << name;
    }
    EXPECT_NE(img::recipe_file(recipe, "machine-seed.sh").content.find("cidata"),
              std::string::npos);
}

TEST(ImageRecipe, EnginePackagesOnlyInTheEngineVariant) {
    auto recipe = img::embedded_recipe();
    auto with = img::packages_for(recipe, {.with_engine = true});
    auto without = img::packages_for(recipe, {.with_engine = false});
    EXPECT_NE(std::find(with.begin(), with.end(), "docker.io"), with.end());
    EXPECT_EQ(std::find(without.begin(), without.end(), "docker.io"), without.end());
    EXPECT_NE(std::find(without.begin(), without.end(), "openssh-server"), without.end());
    EXPECT_NE(std::find(without.begin(), without.end(), "linux-image-amd64"), without.end());
}

TEST(ImageRecipe, PackageListSkipsCommentsAndBlanks) {
    EXPECT_EQ(img::package_list("# head\n\nfoo\n  bar  # why\n#x\n"),
              (std::vector<std::string>{"foo", "bar"}));
}

TEST(ImageRecipe, HashIsStableAndFollowsContentAndVariant) {
    std::vector<img::RecipeFile> r = {{"a.sh", "echo a"}, {"packages.txt", "x"}};
    auto h = img::recipe_hash(r, {});
    EXPECT_EQ(h.size(), 64u);
    EXPECT_EQ(h, img::recipe_hash({r[1], r[0]}, {})) << "order of files must not matter";
    EXPECT_NE(h, img::recipe_hash({{"a.sh", "echo b"}, r[1]}, {}));
    EXPECT_NE(h, img::recipe_hash({{"a.s", "hecho a"}, r[1]}, {}));
    EXPECT_NE(h, img::recipe_hash(r, {.with_engine = false}));
    EXPECT_NE(h, img::recipe_hash(r, {.trim = false}));
}

TEST(ImageCache, EnsureReusesTheCachedImageWithoutRunningAnything) {
    TempStore store;
    RecordingRunner runner;
    img::ImageCache cache(store.path, runner);
    auto hash = cache.current_recipe_hash();
    fake_image(cache.root(), hash, "2026-01-01T00:00:00Z");
    auto info = cache.ensure([](const std::string&) { FAIL() << "no build expected"; });
    EXPECT_EQ(info.hash, hash);
    EXPECT_EQ(info.disk, cache.root() / hash / "disk.qcow2");
    EXPECT_TRUE(runner.ran.empty());
}

TEST(ImageCache, FindsByPrefixListsNewestFirstAndRemoves) {
    TempStore store;
    RecordingRunner runner;
    img::ImageCache cache(store.path, runner);
    auto a = fake_image(cache.root(), std::string(64, 'a'), "2026-01-01T00:00:00Z");
    auto b = fake_image(cache.root(), "aaaaaab" + std::string(57, 'b'), "2026-02-01T00:00:00Z");
    fs::create_directories(cache.root() / ".tmp-unfinished-1"); // a build in progress: not listed

    EXPECT_EQ(cache.find("aaaaaaa")->hash, a.hash);
    EXPECT_EQ(cache.find("aaaaaab")->hash, b.hash);
    EXPECT_THROW(cache.find("aaaaaa"), machine::UsageError) << "ambiguous prefix";
    EXPECT_FALSE(cache.find("aaaaa")) << "fewer than 6 characters match nothing";
    EXPECT_FALSE(cache.find("abcdef"));
    auto list = cache.list();
    ASSERT_EQ(list.size(), 2u);
    EXPECT_EQ(list[0].hash, b.hash);

    auto table = img::format_image_table(list, b.hash);
    EXPECT_NE(table.find(b.hash.substr(0, 12)), std::string::npos);
    EXPECT_NE(table.find("300 MiB"), std::string::npos);

    cache.remove(b.hash.substr(0, 8));
    EXPECT_FALSE(fs::exists(b.dir));
    EXPECT_EQ(cache.list().size(), 1u);
    EXPECT_THROW(cache.remove(b.hash), machine::NotFound);
}

TEST(ImageCache, MissingProgramsAreNamedWithTheirPackages) {
    TempStore store;
    RecordingRunner runner;
    runner.missing = {"extlinux", "mmdebstrap"};
    img::ImageCache cache(store.path, runner);
    try {
        cache.ensure({});
        FAIL() << "expected Unavailable";
    } catch (const machine::Unavailable& e) {
        std::string what = e.what();
        EXPECT_NE(what.find("extlinux (package extlinux)"), std::string::npos) << what;
        EXPECT_NE(what.find("mmdebstrap"), std::string::npos) << what;
    }
    EXPECT_TRUE(cache.list().empty());
    for (const auto& e : fs::directory_iterator(cache.root()))
        EXPECT_EQ(e.path().filename().string().rfind(".tmp-", 0), std::string::npos)
            << "a failed build left " << e.path();
}

TEST(ImageManifest, RoundTrips) {
    img::ImageInfo i;
    i.hash = std::string(64, 'c');
    i.version = "1";
    i.variant = {.with_engine = false, .trim = true};
    i.disk = "/x/disk.qcow2";
    i.kernel = "6.1.0-56-amd64";
    i.raw_bytes = 123;
    i.qcow2_bytes = 456;
    i.virtual_bytes = 789;
    i.build_seconds = 12.5;
    auto back = img::parse_manifest(img::manifest_json(i), "/store/h");
    EXPECT_EQ(back.hash, i.hash);
    EXPECT_FALSE(back.variant.with_engine);
    EXPECT_EQ(back.disk, fs::path("/store/h/disk.qcow2"));
    EXPECT_EQ(back.qcow2_bytes, 456u);
    EXPECT_EQ(back.kernel, i.kernel);
    EXPECT_THROW(img::parse_manifest("{", "/d"), machine::Error);
}

TEST(ImageBuilder, ShellQuoteSurvivesQuotes) {
    EXPECT_EQ(machine::support::shell_quote("/a b/it's"), "'/a b/it'\\''s'");
}
