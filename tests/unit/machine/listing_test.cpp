// `machine ls` building blocks: filters (docker-machine's OR-within-key, AND-across-keys rule),
// concurrent gathering under one deadline, and the aligned default table.
#include "machine/listing.h"
#include "machine/support/error.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace machine {
namespace {

using namespace std::chrono_literals;

ListRow row(const std::string& name, const std::string& driver, const std::string& state,
            std::vector<std::string> labels = {}, const std::string& swarm = "") {
    ListRow r;
    r.name = name;
    r.driver = driver;
    r.state = state;
    r.labels = std::move(labels);
    r.swarm = swarm;
    return r;
}

std::vector<std::string> matching(const ListFilter& f, const std::vector<ListRow>& rows) {
    std::vector<std::string> out;
    for (const auto& r : rows)
        if (f.matches(r))
            out.push_back(r.name);
    return out;
}

const std::vector<ListRow> k_rows = {
    row("web1", "libvirt", "Running", {"env=prod", "tier=web"}, "manager"),
    row("web2", "virtualbox", "Stopped", {"env=test"}, "worker"),
    row("db1", "libvirt", "Stopped", {"env=prod"}),
    row("ext", "none", "Running", {"gpu"}),
};

TEST(ListFilter, EmptyMatchesEverything) {
    ListFilter f;
    EXPECT_TRUE(f.empty());
    EXPECT_EQ(matching(f, k_rows).size(), k_rows.size());
}

TEST(ListFilter, SameKeyOrs) {
    ListFilter f;
    f.add("driver=libvirt");
    f.add("driver=none");
    EXPECT_EQ(matching(f, k_rows), (std::vector<std::string>{"web1", "db1", "ext"}));
}

TEST(ListFilter, DifferentKeysAnd) {
    ListFilter f;
    f.add("driver=libvirt");
    f.add("state=Stopped");
    EXPECT_EQ(matching(f, k_rows), (std::vector<std::string>{"db1"}));
}

TEST(ListFilter, OrWithinAndAcross) {
    ListFilter f;
    f.add("driver=libvirt");
    f.add("driver=virtualbox");
    f.add("state=stopped"); // case-insensitive, as docker-machine
    EXPECT_EQ(matching(f, k_rows), (std::vector<std::string>{"web2", "db1"}));
}

TEST(ListFilter, NameIsARegularExpression) {
    ListFilter f;
    f.add("name=^web[0-9]$");
    EXPECT_EQ(matching(f, k_rows), (std::vector<std::string>{"web1", "web2"}));
    ListFilter g;
    g.add("name=b1"); // a search, not a full match
    EXPECT_EQ(matching(g, k_rows), (std::vector<std::string>{"web1", "db1"}));
}

TEST(ListFilter, LabelKeyValueAndKeyAlone) {
    ListFilter kv;
    kv.add("label=env=prod");
    EXPECT_EQ(matching(kv, k_rows), (std::vector<std::string>{"web1", "db1"}));
    ListFilter key;
    key.add("label=gpu");
    EXPECT_EQ(matching(key, k_rows), (std::vector<std::string>{"ext"}));
    ListFilter key2;
    key2.add("label=env");
    EXPECT_EQ(matching(key2, k_rows), (std::vector<std::string>{"web1", "web2", "db1"}));
    ListFilter wrong_value;
    wrong_value.add("label=env=staging");
    EXPECT_TRUE(matching(wrong_value, k_rows).empty());
}

TEST(ListFilter, Swarm) {
    ListFilter f;
    f.add("swarm=manager");
    EXPECT_EQ(matching(f, k_rows), (std::vector<std::string>{"web1"}));
}

TEST(ListFilter, BadExpressionsAreUsageErrors) {
    for (const char* bad : {"colour=red", "driver", "=libvirt", "name=[unclosed", "name=a(b"}) {
        ListFilter f;
        try {
            f.add(bad);
            ADD_FAILURE() << "accepted --filter " << bad;
        } catch (const UsageError& e) {
            std::string what = e.what();
            EXPECT_NE(what.find(std::string("--filter \"") + bad + "\""), std::string::npos)
                << what;
        }
        EXPECT_TRUE(f.empty()) << bad;
    }
}

TEST(ListRowJson, HasDockerMachineTemplateFields) {
    ListRow r = row("web1", "libvirt", "Running");
    r.active = true;
    r.url = "tcp://192.0.2.10:2376";
    r.docker = "v24.0.5";
    r.response_ms = 12.4;
    auto j = to_json(r);
    EXPECT_EQ(j["Name"], "web1");
    EXPECT_EQ(j["Active"], "*");
    EXPECT_EQ(j["ActiveHost"], true);
    EXPECT_EQ(j["DriverName"], "libvirt");
    EXPECT_EQ(j["State"], "Running");
    EXPECT_EQ(j["URL"], "tcp://192.0.2.10:2376");
    EXPECT_EQ(j["DockerVersion"], "v24.0.5");
    EXPECT_EQ(j["ResponseTime"], "12ms");
    r.active = false;
    EXPECT_EQ(to_json(r)["Active"], "-");
}

TEST(GatherRows, KeepsTheOrderOfNames) {
    auto rows = gather_rows(
        {"c", "a", "b"},
        [](const std::string& name) {
            // Finish in reverse order of the names.
            std::this_thread::sleep_for(name == "c" ? 60ms : name == "a" ? 30ms : 0ms);
            return row(name, "none", "Running");
        },
        5s);
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[0].name, "c");
    EXPECT_EQ(rows[1].name, "a");
    EXPECT_EQ(rows[2].name, "b");
    for (const auto& r : rows)
        EXPECT_EQ(r.state, "Running");
    EXPECT_GE(rows[0].response_ms, 50);
}

TEST(GatherRows, ProbesRunConcurrently) {
    std::vector<std::string> names;
    for (int i = 0; i < 20; ++i)
        names.push_back("m" + std::to_string(i));
    auto started = std::chrono::steady_clock::now();
    auto rows = gather_rows(
        names,
        [](const std::string& name) {
            std::this_thread::sleep_for(100ms);
            return row(name, "none", "Running");
        },
        10s);
    auto took = std::chrono::steady_clock::now() - started;
    EXPECT_EQ(rows.size(), 20u);
    EXPECT_LT(took, 1s) << "20 probes of 100 ms each ran one after another";
}

TEST(GatherRows, SlowProbeTimesOutWithoutHoldingTheRest) {
    // The slow probe waits for this promise, released at the end of the test so the detached
    // thread ends before the process does.
    auto release = std::make_shared<std::promise<void>>();
    std::shared_future<void> released = release->get_future().share();
    auto started = std::chrono::steady_clock::now();
    auto rows = gather_rows(
        {"fast1", "stuck", "fast2"},
        [released](const std::string& name) {
            if (name == "stuck")
                released.wait();
            return row(name, "none", "Running");
        },
        300ms);
    auto took = std::chrono::steady_clock::now() - started;
    release->set_value();

    EXPECT_GE(took, 290ms);
    EXPECT_LT(took, 2s) << "the listing waited for the stuck probe";
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[0].name, "fast1");
    EXPECT_EQ(rows[0].state, "Running");
    EXPECT_EQ(rows[1].name, "stuck");
    EXPECT_EQ(rows[1].state, "Timeout");
    EXPECT_NE(rows[1].error.find("--timeout"), std::string::npos) << rows[1].error;
    EXPECT_EQ(rows[2].name, "fast2");
    EXPECT_EQ(rows[2].state, "Running");
}

TEST(GatherRows, ThrowingProbeBecomesAnErrorRow) {
    auto rows = gather_rows(
        {"good", "broken"},
        [](const std::string& name) -> ListRow {
            if (name == "broken")
                throw std::runtime_error("config.json: not valid JSON");
            return row(name, "none", "Running");
        },
        5s);
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].state, "Running");
    EXPECT_EQ(rows[1].name, "broken");
    EXPECT_EQ(rows[1].state, "Error");
    EXPECT_EQ(rows[1].error, "config.json: not valid JSON");
}

TEST(GatherRows, NoNamesNoRows) {
    auto rows = gather_rows(
        {}, [](const std::string& n) { return row(n, "", ""); }, 1s);
    EXPECT_TRUE(rows.empty());
}

// Column start offsets of `line`'s fields, found by runs of 2+ spaces between them.
std::vector<size_t> column_starts(const std::string& line) {
    std::vector<size_t> starts{0};
    for (size_t i = 1; i < line.size(); ++i)
        if (line[i] != ' ' && line[i - 1] == ' ' && i >= 2 && line[i - 2] == ' ')
            starts.push_back(i);
    return starts;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        out.push_back(line);
    return out;
}

TEST(DefaultTable, ColumnsAlign) {
    ListRow a = row("m1", "none", "Running");
    a.url = "tcp://127.0.0.1:2376";
    a.docker = "Unknown";
    a.error = "Unable to query docker version: refused";
    ListRow b = row("a-much-longer-name", "libvirt", "Stopped");
    b.active = true;
    b.url = "tcp://192.0.2.10:2376";
    b.swarm = "manager";
    b.docker = "v24.0.5";
    b.error = "x";
    auto lines = lines_of(render_default_table({a, b}));
    ASSERT_EQ(lines.size(), 3u);
    EXPECT_EQ(lines[0].rfind("NAME ", 0), 0u) << lines[0];
    auto header = column_starts(lines[0]);
    ASSERT_EQ(header.size(), 8u) << lines[0];
    for (const auto& name : {"ACTIVE", "DRIVER", "STATE", "URL", "SWARM", "DOCKER", "ERRORS"})
        EXPECT_NE(lines[0].find(name), std::string::npos);
    // Row b fills every column: each field starts where its header does.
    EXPECT_EQ(column_starts(lines[2]), header) << lines[0] << "\n" << lines[2];
    EXPECT_EQ(lines[2].substr(header[1], 1), "*");
    EXPECT_EQ(lines[1].substr(header[1], 1), "-");
    EXPECT_EQ(lines[1].substr(header[2], 4), "none");
    EXPECT_EQ(lines[1].substr(header[4], 20), "tcp://127.0.0.1:2376");
    // The widest name sets the width: 3 spaces after it.
    EXPECT_EQ(header[1], std::string("a-much-longer-name").size() + 3);
    for (const auto& l : lines)
        EXPECT_NE(l.back(), ' ') << "trailing spaces: \"" << l << "\"";
}

TEST(DefaultTable, HeaderOnlyWhenEmpty) {
    EXPECT_EQ(render_default_table({}),
              "NAME   ACTIVE   DRIVER   STATE   URL   SWARM   DOCKER   ERRORS\n");
}

} // namespace
} // namespace machine
