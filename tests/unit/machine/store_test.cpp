// The Store on a real temp folder: round trips, relative paths on disk, a moved store, and the
// one-line errors for taken names, missing machines and half-created ones.
#include "machine/store.h"
#include "machine/support/error.h"
#include "machine/support/fs.h"
#include "temp_dir.h"

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
    h.driver = {{"IPAddress", "127.0.0.1"},
                {"URL", "tcp://127.0.0.1:2376"},
                {"MachineName", name},
                {"StorePath", store.root().string()}};
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
    EXPECT_EQ(h.driver["StorePath"], new_root.string());
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

} // namespace
} // namespace machine
