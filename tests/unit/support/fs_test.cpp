#include "machine/support/error.h"
#include "machine/support/fs.h"

#include <gtest/gtest.h>

#include <sys/stat.h>

namespace fs = std::filesystem;
using namespace machine::support;

namespace {

fs::path temp_dir() {
    auto p = fs::temp_directory_path() / ("machine-fs-test-" + std::to_string(::getpid()));
    fs::create_directories(p);
    return p;
}

mode_t mode_of(const fs::path& p) {
    struct stat st {};
    ::stat(p.c_str(), &st);
    return st.st_mode & 0777;
}

} // namespace

TEST(AtomicWrite, ReplacesContentAndLeavesNoTempFiles) {
    auto dir = temp_dir();
    auto file = dir / "config.json";
    atomic_write(file, "one");
    atomic_write(file, "two");
    EXPECT_EQ(read_file(file), "two");
    int entries = 0;
    for ([[maybe_unused]] auto& e : fs::directory_iterator(dir))
        ++entries;
    EXPECT_EQ(entries, 1);
    fs::remove_all(dir);
}

TEST(AtomicWrite, PrivateModeHoldsEvenWithPermissiveUmask) {
    auto dir = temp_dir();
    auto old = ::umask(0);
    atomic_write(dir / "key.pem", "secret", 0600);
    ::umask(old);
    EXPECT_EQ(mode_of(dir / "key.pem"), 0600u);
    fs::remove_all(dir);
}

TEST(ReadFile, MissingFileIsNotFound) {
    EXPECT_FALSE(try_read_file("/nonexistent/machine/file").has_value());
    EXPECT_THROW(read_file("/nonexistent/machine/file"), machine::NotFound);
}

TEST(ScratchDir, IsPrivateNamedByItsPrefixAndGoesWithItsContent) {
    auto parent = temp_dir() / "scratch";
    fs::create_directories(parent);
    fs::path made;
    {
        ScratchDir dir(parent, "machine-scp-");
        made = dir.path();
        EXPECT_EQ(made.parent_path(), parent);
        EXPECT_EQ(made.filename().string().rfind("machine-scp-", 0), 0u) << made;
        EXPECT_EQ(mode_of(made), 0700u);
        fs::create_directories(made / "a" / "b");
        atomic_write(made / "a" / "b" / "f", "x");
    }
    EXPECT_FALSE(fs::exists(made));
    EXPECT_TRUE(fs::is_empty(parent));
    fs::remove_all(parent);
}

TEST(ScratchDir, AMissingParentIsNamedInTheError) {
    auto parent = temp_dir() / "no-such-folder";
    try {
        ScratchDir dir(parent, ".seed-");
        FAIL() << "made " << dir.path();
    } catch (const machine::Error& e) {
        EXPECT_NE(std::string(e.what()).find("cannot make a temp folder in " + parent.string()),
                  std::string::npos)
            << e.what();
    }
}
