// DockerContexts on real temp folders: the files docker reads, the two-record identity, and that
// a user's context of the same name is never written or removed.
#include "machine/docker_contexts.h"

#include "env/docker_context.h"
#include "machine/support/fs.h"
#include "temp_dir.h"

#include <gtest/gtest.h>

#include <sys/stat.h>

namespace machine {
namespace {

using machine::testing::TempDir;

mode_t mode_of(const fs::path& p) {
    struct stat st {};
    EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
    return st.st_mode & 07777;
}

class DockerContextsTest : public ::testing::Test {
protected:
    void SetUp() override {
        fs::create_directories(store.machine_dir("m1"));
        for (const char* f : {"ca.pem", "cert.pem", "key.pem"})
            support::atomic_write(store.machine_dir("m1") / f, std::string("PEM ") + f, 0600);
    }
    Host host(const std::string& url = "tcp://127.0.0.1:2376") const {
        Host h;
        h.name = "m1";
        h.driver_name = "none";
        h.driver = machine::drivers::decode_record({{"IPAddress", "127.0.0.1"}, {"URL", url}});
        h.options.auth.store_path = store.machine_dir("m1");
        return h;
    }
    fs::path meta(const std::string& name) const {
        return docker / "contexts" / "meta" / docker_context_id(name) / "meta.json";
    }
    fs::path tls(const std::string& name) const {
        return docker / "contexts" / "tls" / docker_context_id(name) / "docker";
    }

    TempDir tmp;
    Store store{tmp.path() / "store"};
    fs::path docker = tmp.path() / "docker";
};

TEST(DockerContextId, IsSha256OfTheName) {
    // `echo -n foo | sha256sum`, the folder `docker context create foo` makes.
    EXPECT_EQ(docker_context_id("foo"),
              "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae");
}

TEST_F(DockerContextsTest, WritesDockersFilesAndRecordsThem) {
    DockerContexts c(store, docker);
    ASSERT_EQ(c.write("m1", host()), ContextWrite::Written);
    auto m = env::parse_context_meta(support::read_file(meta("m1")));
    ASSERT_TRUE(m);
    EXPECT_EQ(m->name, "m1");
    EXPECT_EQ(m->host, "tcp://127.0.0.1:2376");
    EXPECT_EQ(m->marker.size(), 32u);
    for (const char* f : {"ca.pem", "cert.pem", "key.pem"}) {
        EXPECT_EQ(support::read_file(tls("m1") / f), std::string("PEM ") + f);
        EXPECT_EQ(mode_of(tls("m1") / f), 0600u) << f;
    }
    EXPECT_EQ(mode_of(tls("m1")), 0700u);
    auto rec = c.ours("m1");
    ASSERT_TRUE(rec);
    EXPECT_EQ(rec->id, m->marker);
    EXPECT_EQ(rec->config_dir, docker);
    EXPECT_EQ(rec->machine, "m1");
    // Rewriting keeps the id.
    ASSERT_EQ(c.write("m1", host()), ContextWrite::Written);
    EXPECT_EQ(env::parse_context_meta(support::read_file(meta("m1")))->marker, m->marker);
}

TEST_F(DockerContextsTest, UsersContextOfTheSameNameIsNeverTouched) {
    const std::string users = R"({"Name":"m1","Metadata":{"Description":"mine"},)"
                              R"("Endpoints":{"docker":{"Host":"tcp://10.9.9.9:2376"}}})";
    fs::create_directories(meta("m1").parent_path());
    support::atomic_write(meta("m1"), users);
    DockerContexts c(store, docker);
    EXPECT_EQ(c.write("m1", host()), ContextWrite::NotOurs);
    EXPECT_EQ(support::read_file(meta("m1")), users);
    EXPECT_FALSE(fs::exists(tls("m1")));
    EXPECT_FALSE(c.ours("m1"));
    EXPECT_EQ(c.remove("m1"), "") << "no record: nothing to say, nothing done";
    EXPECT_EQ(c.remove_for_machine("m1").size(), 0u);
    EXPECT_EQ(support::read_file(meta("m1")), users);
}

TEST_F(DockerContextsTest, AContextTheUserReplacedIsNoLongerOurs) {
    DockerContexts c(store, docker);
    ASSERT_EQ(c.write("m1", host()), ContextWrite::Written);
    // docker context rm m1 && docker context create m1 ...: same name, no marker.
    const std::string users = R"({"Name":"m1","Metadata":{},"Endpoints":{}})";
    support::atomic_write(meta("m1"), users);
    EXPECT_FALSE(c.ours("m1"));
    EXPECT_EQ(c.write("m1", host()), ContextWrite::NotOurs);
    EXPECT_TRUE(c.refresh(host("tcp://127.0.0.1:9999")).empty());
    EXPECT_EQ(support::read_file(meta("m1")), users);
    EXPECT_TRUE(c.records().empty()) << "refresh drops a record whose context is gone";
    EXPECT_EQ(support::read_file(meta("m1")), users);
}

TEST_F(DockerContextsTest, RefreshFollowsTheUrlAndCertificates) {
    DockerContexts c(store, docker);
    ASSERT_EQ(c.write("m1", host()), ContextWrite::Written);
    EXPECT_TRUE(c.refresh(host()).empty()) << "nothing changed, nothing rewritten";
    EXPECT_EQ(c.refresh(host("tcp://127.0.0.2:2376")), std::vector<std::string>{"m1"});
    EXPECT_EQ(env::parse_context_meta(support::read_file(meta("m1")))->host,
              "tcp://127.0.0.2:2376");
    support::atomic_write(store.machine_dir("m1") / "cert.pem", "NEW CERT", 0644);
    EXPECT_EQ(c.refresh(host("tcp://127.0.0.2:2376")), std::vector<std::string>{"m1"});
    EXPECT_EQ(support::read_file(tls("m1") / "cert.pem"), "NEW CERT");
}

TEST_F(DockerContextsTest, RemoveTakesOursAndResetsTheCurrentContext) {
    DockerContexts c(store, docker);
    ASSERT_EQ(c.write("m1", host()), ContextWrite::Written);
    ASSERT_EQ(c.write("lab1", host(), "lab1"), ContextWrite::Written);
    support::atomic_write(docker / "config.json",
                          "{\n\t\"auths\": {},\n\t\"currentContext\": "
                          "\"m1\"\n}",
                          0640);
    auto lines = c.remove_for_machine("m1");
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_NE(lines[1].find("\"default\""), std::string::npos) << lines[1];
    EXPECT_FALSE(fs::exists(meta("m1").parent_path()));
    EXPECT_FALSE(fs::exists(tls("m1").parent_path()));
    EXPECT_FALSE(fs::exists(meta("lab1")));
    EXPECT_TRUE(c.records().empty());
    EXPECT_EQ(support::read_file(docker / "config.json"), "{\n\t\"auths\": {}\n}");
    EXPECT_EQ(mode_of(docker / "config.json"), 0640u) << "the file's mode is kept";
}

TEST_F(DockerContextsTest, BadNamesAreNotWritten) {
    DockerContexts c(store, docker);
    EXPECT_EQ(c.write("a", host()), ContextWrite::BadName);
    EXPECT_EQ(c.write("default", host()), ContextWrite::BadName);
    EXPECT_FALSE(fs::exists(docker));
}

TEST_F(DockerContextsTest, SetCurrentEditsTheLinkTargetAndCreatesAMissingFile) {
    DockerContexts c(store, docker);
    c.set_current(std::nullopt);
    EXPECT_FALSE(fs::exists(docker / "config.json")) << "resetting nothing writes nothing";
    c.set_current("m1");
    EXPECT_EQ(c.current(), "m1");
    EXPECT_EQ(mode_of(docker / "config.json"), 0600u);
    // A dotfiles symlink stays a symlink.
    fs::path real = tmp.path() / "dotfiles-config.json";
    fs::rename(docker / "config.json", real);
    fs::create_symlink(real, docker / "config.json");
    c.set_current("m2");
    EXPECT_TRUE(fs::is_symlink(docker / "config.json"));
    EXPECT_EQ(c.current(), "m2");
    EXPECT_NE(support::read_file(real).find("\"m2\""), std::string::npos);
}

} // namespace
} // namespace machine
