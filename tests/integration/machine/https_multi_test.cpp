// The listing's engine questions over the real libcurl multi transport (machine-backends'
// make_curl_multi), woken from the state pool's threads, against local TLS engines that
// answer, refuse and hang. Also the ThreadSanitizer target of scripts/tsan_listing.sh.
#include "engine/tls.h"
#include "tests/fakes/fake_tls_engine.h"
#include "machine/listing.h"
#include "provision/https_transport.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <thread>

namespace machine::testing {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

class HttpsMulti : public ::testing::Test {
protected:
    void SetUp() override {
        std::string tmpl = (fs::temp_directory_path() / "machine-multi-XXXXXX").string();
        ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
        m_dir = tmpl;
        engine::CaFiles ca{m_dir / "ca.pem", m_dir / "ca-key.pem"};
        ASSERT_TRUE(engine::ensure_ca(ca, "test"));
        engine::issue_client_cert(ca, m_dir / "cert.pem", m_dir / "key.pem", "test");
        engine::issue_server_cert(ca, m_dir / "server.pem", m_dir / "server-key.pem", "test",
                                  {"127.0.0.1"});
        m_transport = provision::make_curl_multi();
        ASSERT_TRUE(m_transport);
    }
    void TearDown() override {
        std::error_code ec;
        fs::remove_all(m_dir, ec);
    }
    EngineTarget target(int port) const {
        return {"https://127.0.0.1:" + std::to_string(port),
                {m_dir / "ca.pem", m_dir / "cert.pem", m_dir / "key.pem"}};
    }
    std::unique_ptr<FakeTlsEngine> engine(std::string info, std::string node = "") {
        return std::make_unique<FakeTlsEngine>(m_dir / "server.pem", m_dir / "server-key.pem",
                                               m_dir / "ca.pem", std::move(info), std::move(node));
    }

    fs::path m_dir;
    std::unique_ptr<provision::HttpsMulti> m_transport;
};

TEST_F(HttpsMulti, AnswersRefusalsAndHangsUnderOneDeadline) {
    auto plain = engine(R"({"ServerVersion":"24.0.7"})");
    auto leader = engine(R"({"ServerVersion":"25.0.3","Swarm":{"LocalNodeState":"active",
                             "ControlAvailable":true,"NodeID":"n1"}})",
                         R"({"ManagerStatus":{"Leader":true}})");
    HangingListener hang;
    std::map<std::string, int> ports{{"plain", plain->port()},
                                     {"leader", leader->port()},
                                     {"hung", hang.port()},
                                     {"refused", refusing_port()}};
    std::vector<ListRow> rows;
    for (const char* n : {"plain", "leader", "hung", "refused"}) {
        ListRow r;
        r.name = n;
        r.driver = "none";
        rows.push_back(r);
    }
    EngineBatch batch(*m_transport);
    ProbePool pool(4);
    auto started = Clock::now();
    rows = gather_rows(
        rows,
        [&ports, this](const ListRow& row) {
            // States arrive at different times: each wakes the transport from its thread.
            std::this_thread::sleep_for(std::chrono::milliseconds(20 * row.name.size()));
            Probed p{row, target(ports.at(row.name))};
            p.row.state = "Running";
            return p;
        },
        pool, &batch, 1500ms);
    auto took = Clock::now() - started;
    EXPECT_TRUE(pool.finish(1s));
    EXPECT_GE(took, 1500ms);
    EXPECT_LT(took, 1500ms + 300ms);
    EXPECT_EQ(rows[0].docker, "v24.0.7");
    EXPECT_EQ(rows[0].error, "");
    EXPECT_EQ(rows[1].docker, "v25.0.3");
    EXPECT_EQ(rows[1].swarm, "leader");
    EXPECT_EQ(rows[2].state, "Timeout");
    EXPECT_EQ(rows[3].state, "Running");
    EXPECT_NE(rows[3].error.find("Unable to query docker version"), std::string::npos)
        << rows[3].error;
    EXPECT_EQ(plain->connections(), 1);
    EXPECT_EQ(plain->requests(), 1);
    EXPECT_EQ(leader->connections(), 1) << "the leader question reuses the connection";
    EXPECT_EQ(leader->requests(), 2);
    EXPECT_EQ(hang.accepted(), 1u);
}

TEST_F(HttpsMulti, ServerFromAnotherCaIsAnErrorRow) {
    engine::CaFiles other{m_dir / "other-ca.pem", m_dir / "other-ca-key.pem"};
    ASSERT_TRUE(engine::ensure_ca(other, "other"));
    engine::issue_server_cert(other, m_dir / "other.pem", m_dir / "other-key.pem", "other",
                              {"127.0.0.1"});
    FakeTlsEngine stranger(m_dir / "other.pem", m_dir / "other-key.pem", m_dir / "ca.pem");
    EngineBatch batch(*m_transport);
    batch.add(7, target(stranger.port()), Clock::now() + 5s);
    std::vector<std::pair<std::size_t, EngineStatus>> done;
    while (done.empty() && batch.pending())
        done = batch.wait(Clock::now() + 5s);
    ASSERT_EQ(done.size(), 1u);
    EXPECT_EQ(done[0].first, 7u);
    EXPECT_EQ(done[0].second.version, "");
    EXPECT_NE(done[0].second.error.find("Unable to query docker version"), std::string::npos);
    EXPECT_EQ(stranger.requests(), 0) << "nothing was sent to an unverified server";
}

} // namespace
} // namespace machine::testing
