// The Store on a real temp folder: round trips, relative paths on disk, a moved store, and the
// one-line errors for taken names, missing machines and half-created ones.
#include "machine/store.h"
#include "machine/support/error.h"
#include "machine/support/fs.h"
#include "temp_dir.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <sys/stat.h>
#include <thread>

namespace machine {
namespace {

using machine::testing::TempDir;

Host host_in(const Store& store, const std::string& name) {
    Host h;
    h.name = name;
    h.driver_name = "none";
    h.driver = machine::drivers::decode_record({{"IPAddress", "127.0.0.1"},
                                                {"URL", "tcp://127.0.0.1:2376"},
                                                {"MachineName", name},
                                                {"StorePath", store.root().string()}});
    h.created_at = "2024-05-01T10:00:00Z";
    auto& a = h.options.auth;
    a.cert_dir = store.certs_dir();
    a.ca_cert = store.certs_dir() / "ca.pem";
    a.ca_key = store.certs_dir() / "ca-key.pem";
    a.client_cert = store.certs_dir() / "cert.pem";
    a.client_key = store.certs_dir() / "key.pem";
    a.server_cert = store.machine_dir(name) / "server.pem";
    a.server_key = store.machine_dir(name) / "server-key.pem";
    a.store_path = store.machine_dir(name);
    return h;
}

TEST(Store, SaveLoadRoundTrip) {
    TempDir dir;
    Store store(dir.path());
    store.reserve("m1");
    Host saved = host_in(store, "m1");
    saved.options.engine.labels = {"env=test"};
    store.save(saved);

    Host loaded = store.load("m1");
    EXPECT_EQ(nlohmann::json(loaded), nlohmann::json(saved));
    EXPECT_EQ(loaded.options.auth.store_path, store.machine_dir("m1"));
    EXPECT_EQ(loaded.url(), "tcp://127.0.0.1:2376");
}

TEST(Store, ConfigOnDiskHasRelativePathsAndIsPrivate) {
    TempDir dir;
    Store store(dir.path());
    store.reserve("m1");
    store.save(host_in(store, "m1"));
    fs::path file = store.machine_dir("m1") / "config.json";
    auto j = nlohmann::json::parse(support::read_file(file));
    const auto& a = j["HostOptions"]["AuthOptions"];
    EXPECT_EQ(a["CaCertPath"], "certs/ca.pem");
    EXPECT_EQ(a["StorePath"], "machines/m1");
    EXPECT_EQ(a["CaCertRemotePath"], "/etc/docker/ca.pem");
    EXPECT_EQ(j["Driver"]["StorePath"], ".");
    EXPECT_EQ(j["ConfigVersion"], k_config_version);

    struct stat st {};
    ASSERT_EQ(::stat(file.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    for (const auto& entry : fs::directory_iterator(store.machine_dir("m1")))
        EXPECT_EQ(entry.path().filename().string().find(".tmp."), std::string::npos)
            << "left behind: " << entry.path();
}

TEST(Store, MovedStoreLoadsWithItsNewAbsolutePaths) {
    TempDir dir;
    fs::path old_root = dir.path() / "old";
    {
        Store store(old_root);
        store.reserve("m1");
        store.save(host_in(store, "m1"));
    }
    fs::path new_root = dir.path() / "moved" / "here";
    fs::create_directories(new_root.parent_path());
    fs::rename(old_root, new_root);

    Store moved(new_root);
    Host h = moved.load("m1");
    EXPECT_EQ(h.options.auth.ca_cert, new_root / "certs" / "ca.pem");
    EXPECT_EQ(h.options.auth.cert_dir, new_root / "certs");
    EXPECT_EQ(h.options.auth.store_path, new_root / "machines" / "m1");
    EXPECT_EQ(h.options.auth.server_cert, new_root / "machines" / "m1" / "server.pem");
    EXPECT_EQ(h.driver.store_path, new_root.string());
    EXPECT_EQ(h.options.auth.ca_cert_remote, "/etc/docker/ca.pem");
}

TEST(Store, TrailingSlashRootIsTheSameStore) {
    TempDir dir;
    Store a(dir.path().string() + "/");
    Store b(dir.path());
    EXPECT_EQ(a.root(), b.root());
    EXPECT_EQ(a.machine_dir("x"), dir.path() / "machines" / "x");
}

TEST(Store, ReserveTwiceIsAUsageError) {
    TempDir dir;
    Store store(dir.path());
    store.reserve("m1");
    try {
        store.reserve("m1");
        FAIL() << "second reserve succeeded";
    } catch (const UsageError& e) {
        EXPECT_STREQ(e.what(), "machine \"m1\" already exists");
        EXPECT_EQ(e.exit_code(), k_exit_usage);
    }
}

TEST(Store, LoadMissingIsNotFound) {
    TempDir dir;
    Store store(dir.path());
    try {
        store.load("ghost");
        FAIL() << "loaded a machine that does not exist";
    } catch (const NotFound& e) {
        EXPECT_STREQ(e.what(), "machine \"ghost\" does not exist");
        EXPECT_EQ(e.exit_code(), k_exit_not_found);
    }
    EXPECT_FALSE(store.exists("ghost"));
    EXPECT_TRUE(store.list().empty());
}

TEST(Store, IncompleteMachineIsAStoreErrorNamingRm) {
    TempDir dir;
    Store store(dir.path());
    store.reserve("half");
    EXPECT_TRUE(store.exists("half"));
    try {
        store.load("half");
        FAIL() << "loaded a machine without config.json";
    } catch (const NotFound&) {
        FAIL() << "a half-created machine exists; it is not NotFound";
    } catch (const StoreError& e) {
        std::string what = e.what();
        EXPECT_NE(what.find("incomplete"), std::string::npos) << what;
        EXPECT_NE(what.find("`machine rm half`"), std::string::npos) << what;
    }
}

TEST(Store, CorruptConfigIsAStoreErrorNamingTheFile) {
    TempDir dir;
    Store store(dir.path());
    store.reserve("bad");
    support::atomic_write(store.machine_dir("bad") / "config.json", "{\"Name\": \"bad\", ", 0600);
    try {
        store.load("bad");
        FAIL() << "loaded invalid JSON";
    } catch (const StoreError& e) {
        std::string what = e.what();
        EXPECT_NE(what.find("config.json"), std::string::npos) << what;
        EXPECT_NE(what.find("not valid JSON"), std::string::npos) << what;
    }
}

TEST(Store, ConfigRecordingAnotherNameIsRefused) {
    TempDir dir;
    Store store(dir.path());
    store.reserve("a");
    store.save(host_in(store, "a"));
    fs::create_directories(store.machine_dir("b"));
    fs::copy_file(store.machine_dir("a") / "config.json", store.machine_dir("b") / "config.json");
    EXPECT_THROW(store.load("b"), StoreError);
}

TEST(Store, ListIsSortedAndIncludesHalfCreatedMachines) {
    TempDir dir;
    Store store(dir.path());
    for (const char* n : {"zeta", "alpha", "mid"})
        store.reserve(n);
    store.save(host_in(store, "alpha"));
    support::atomic_write(store.machines_dir() / "stray-file", "x"); // not a machine
    EXPECT_EQ(store.list(), (std::vector<std::string>{"alpha", "mid", "zeta"}));
}

TEST(Store, RemoveDeletesTheFolder) {
    TempDir dir;
    Store store(dir.path());
    store.reserve("m1");
    store.save(host_in(store, "m1"));
    support::atomic_write(store.machine_dir("m1") / "key.pem", "secret", 0600);
    store.remove("m1");
    EXPECT_FALSE(store.exists("m1"));
    EXPECT_FALSE(fs::exists(store.machine_dir("m1")));
    EXPECT_THROW(store.load("m1"), NotFound);
    EXPECT_NO_THROW(store.remove("m1")) << "removing what is gone succeeds";
}

TEST(Store, LockSerializesHolders) {
    TempDir dir;
    Store store(dir.path());
    std::atomic<bool> second_has_it{false};
    std::thread second;
    store.reserve("m1");
    {
        auto first = store.lock("m1");
        second = std::thread([&] {
            auto lock = store.lock("m1"); // a separate open file: flock conflicts
            second_has_it = true;
        });
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        EXPECT_FALSE(second_has_it) << "the lock was taken while held";
    }
    second.join();
    EXPECT_TRUE(second_has_it);
}

TEST(Store, DefaultRootFollowsMachineStoragePath) {
    const char* old = std::getenv("MACHINE_STORAGE_PATH");
    std::string saved = old ? old : "";
    ::setenv("MACHINE_STORAGE_PATH", "/some/where", 1);
    EXPECT_EQ(default_store_root(), fs::path("/some/where"));
    ::unsetenv("MACHINE_STORAGE_PATH");
    ::setenv("HOME", std::getenv("HOME") ? std::getenv("HOME") : "/root", 1);
    EXPECT_EQ(default_store_root(), fs::path(std::getenv("HOME")) / ".machine");
    if (old)
        ::setenv("MACHINE_STORAGE_PATH", saved.c_str(), 1);
}

// Every file below `root`, with its type, size and mode: a change anywhere shows.
std::string listing(const fs::path& root) {
    std::string out;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::end(it);
         it.increment(ec)) {
        struct stat st {};
        ::lstat(it->path().c_str(), &st);
        out += fmt::format("{} {:o} {}\n", fs::relative(it->path(), root).string(), st.st_mode,
                           S_ISDIR(st.st_mode) ? 0 : st.st_size);
    }
    return out;
}

const std::vector<std::string> k_bad_names = {
    "..",      "../..",           "/abs/dir",           "a/b",  "", ".", "-x", "x-", "a..b",
    "x/../..", "name with space", std::string(64, 'a'), "a\nb", "*"};

TEST(Store, InvalidNamesNeverReachTheFileSystem) {
    TempDir dir;
    Store store(dir.path() / "store");
    store.reserve("m1");
    store.save(host_in(store, "m1"));
    fs::create_directories(dir.path() / "outside" / "x");
    std::string before = listing(dir.path());
    for (const auto& n : k_bad_names) {
        EXPECT_THROW(store.exists(n), UsageError) << n;
        EXPECT_THROW(store.load(n), UsageError) << n;
        EXPECT_THROW(store.remove(n), UsageError) << n;
        EXPECT_THROW(store.reserve(n), UsageError) << n;
        EXPECT_THROW(store.lock(n), UsageError) << n;
        EXPECT_THROW(store.machine_dir(n), UsageError) << n;
        EXPECT_THROW(store.check_ours(n), UsageError) << n;
    }
    EXPECT_EQ(listing(dir.path()), before);
}

TEST(Store, RemoveRefusesAFolderMachineDidNotMake) {
    TempDir dir;
    Store store(dir.path());
    fs::create_directories(store.machine_dir("foreign"));
    support::atomic_write(store.machine_dir("foreign") / "thesis.tex", "years of work");
    EXPECT_THROW(store.remove("foreign"), UsageError);
    EXPECT_TRUE(fs::exists(store.machine_dir("foreign") / "thesis.tex"));
    // A config.json recording another name is not this machine's record either.
    store.reserve("a");
    store.save(host_in(store, "a"));
    fs::copy_file(store.machine_dir("a") / "config.json",
                  store.machine_dir("foreign") / "config.json");
    EXPECT_THROW(store.remove("foreign"), UsageError);
    // Nor is JSON of another shape.
    support::atomic_write(store.machine_dir("foreign") / "config.json", "[1,2,3]");
    EXPECT_THROW(store.remove("foreign"), UsageError);
    EXPECT_TRUE(fs::exists(store.machine_dir("foreign") / "thesis.tex"));
}

TEST(Store, RemoveNeverFollowsALinkOutOfTheStore) {
    TempDir dir;
    Store store(dir.path() / "store");
    fs::create_directories(dir.path() / "elsewhere");
    support::atomic_write(dir.path() / "elsewhere" / "keep", "x");
    store.reserve("real");
    fs::create_directory_symlink(dir.path() / "elsewhere", store.machine_dir("link"));
    EXPECT_TRUE(store.exists("link"));
    EXPECT_THROW(store.remove("link"), UsageError);
    EXPECT_THROW(store.load("link"), StoreError);
    EXPECT_TRUE(fs::exists(dir.path() / "elsewhere" / "keep"));
    EXPECT_TRUE(fs::is_symlink(store.machine_dir("link")));
    EXPECT_EQ(store.list(), std::vector<std::string>{"real"}) << "a link is not a machine";
}

TEST(Store, RemoveTakesTheRemainsOfAnInterruptedCreate) {
    TempDir dir;
    Store store(dir.path());
    store.reserve("half"); // the marker is in it
    support::atomic_write(store.machine_dir("half") / "key.pem", "k", 0600);
    EXPECT_TRUE(fs::exists(store.machine_dir("half") / k_create_marker));
    EXPECT_NO_THROW(store.remove("half"));
    EXPECT_FALSE(fs::exists(store.machine_dir("half")));
    fs::create_directories(store.machine_dir("empty")); // killed between mkdir and the marker
    EXPECT_NO_THROW(store.remove("empty"));
    EXPECT_FALSE(fs::exists(store.machine_dir("empty")));
}

TEST(Store, ListSkipsNamesThatAreNotMachineNames) {
    TempDir dir;
    Store store(dir.path());
    store.reserve("ok");
    fs::create_directories(store.machines_dir() / "has space");
    fs::create_directories(store.machines_dir() / ".hidden");
    EXPECT_EQ(store.list(), std::vector<std::string>{"ok"});
}

TEST(Store, LockOfAMissingMachineMakesNoFile) {
    TempDir dir;
    Store store(dir.path());
    EXPECT_THROW(store.lock("ghost"), NotFound);
    EXPECT_FALSE(fs::exists(dir.path() / "locks" / "ghost.lock"));
}

TEST(Store, LockWaitEndsWithTimeoutError) {
    TempDir dir;
    Store store(dir.path(), std::chrono::milliseconds(300));
    store.reserve("m1");
    auto held = store.lock("m1");
    auto start = std::chrono::steady_clock::now();
    try {
        auto second = store.lock("m1");
        FAIL() << "the lock was taken while held";
    } catch (const TimeoutError& e) {
        EXPECT_EQ(e.exit_code(), 5);
        std::string what = e.what();
        EXPECT_NE(what.find("machine \"m1\""), std::string::npos) << what;
        EXPECT_NE(what.find(fmt::format("pid {}", ::getpid())), std::string::npos) << what;
    }
    auto waited = std::chrono::steady_clock::now() - start;
    EXPECT_GE(waited, std::chrono::milliseconds(300));
    EXPECT_LT(waited, std::chrono::seconds(3));
}

TEST(Store, LoadRefusesAHugeRecord) {
    TempDir dir;
    Store store(dir.path());
    store.reserve("big");
    support::atomic_write(store.machine_dir("big") / "config.json",
                          "{\"Name\":\"big\",\"x\":\"" + std::string(2 << 20, 'a') + "\"}");
    EXPECT_THROW(store.load("big"), StoreError);
}

TEST(Fs, MakeDirsLeavesTheModeOfAFolderItDidNotMake) {
    TempDir dir;
    fs::path shared = dir.path() / "shared";
    fs::create_directories(shared);
    ::chmod(shared.c_str(), 0755);
    support::make_dirs(shared, 0700);
    EXPECT_EQ(fs::status(shared).permissions() & fs::perms::all, fs::perms(0755));
    support::make_dirs(shared / "new", 0700);
    EXPECT_EQ(fs::status(shared / "new").permissions() & fs::perms::all, fs::perms(0700));
    support::atomic_write(dir.path() / "file", "x");
    EXPECT_THROW(support::make_dirs(dir.path() / "file" / "sub", 0700), StoreError);
}

TEST(Fs, AtomicWriteRemovesOnlyStaleTempsOfItsOwnFile) {
    TempDir dir;
    fs::path target = dir.path() / "config.json";
    auto mk = [&](const std::string& n) { support::atomic_write(dir.path() / n, "t"); };
    mk("config.json.tmp.999999999.ab12");                 // no such process
    mk(fmt::format("config.json.tmp.{}.cd", ::getpid())); // this one: alive
    mk("config.json.tmp.1.ef");                           // pid 1 is alive
    mk("other.json.tmp.999999999.ab12");                  // another file's
    mk("config.json.tmp.notapid.ab");                     // not our pattern
    support::atomic_write(target, "{}");
    EXPECT_FALSE(fs::exists(dir.path() / "config.json.tmp.999999999.ab12"));
    EXPECT_TRUE(fs::exists(dir.path() / fmt::format("config.json.tmp.{}.cd", ::getpid())));
    EXPECT_TRUE(fs::exists(dir.path() / "config.json.tmp.1.ef"));
    EXPECT_TRUE(fs::exists(dir.path() / "other.json.tmp.999999999.ab12"));
    EXPECT_TRUE(fs::exists(dir.path() / "config.json.tmp.notapid.ab"));
}

} // namespace
} // namespace machine
