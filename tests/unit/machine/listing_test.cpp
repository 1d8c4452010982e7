// `machine ls` building blocks: filters (docker-machine's OR-within-key, AND-across-keys rule),
// concurrent gathering under one deadline, and the aligned default table.
#include "machine/listing.h"
#include "machine/support/error.h"

#include <gtest/gtest.h>

#include <chrono>
#include <sstream>

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

TEST(ListFilter, NameIsGoRegexpSyntax) {
    // What docker-machine users wrote: Go's regexp (RE2), not ECMAScript.
    ListFilter ci;
    ci.add("name=(?i)^WEB");
    EXPECT_EQ(matching(ci, k_rows), (std::vector<std::string>{"web1", "web2"}));
    ListFilter cls;
    cls.add("name=^[[:alpha:]]+\\d$");
    EXPECT_EQ(matching(cls, k_rows), (std::vector<std::string>{"web1", "web2", "db1"}));
    ListFilter named;
    named.add("name=^(?P<kind>db)");
    EXPECT_EQ(matching(named, k_rows), (std::vector<std::string>{"db1"}));
}

TEST(ListFilter, WhatGoRejectsIsABadExpression) {
    // Look-around and back-references are not Go syntax: refused, never run.
    for (const char* bad : {"name=web(?=1)", "name=(a)\\1", "name=a{2,1}", "name=*"}) {
        ListFilter f;
        try {
            f.add(bad);
            ADD_FAILURE() << "accepted --filter " << bad;
        } catch (const UsageError& e) {
            EXPECT_NE(std::string(e.what()).find("bad regular expression"), std::string::npos)
                << e.what();
        }
    }
}

TEST(ListFilter, CatastrophicPatternRunsInLinearTime) {
    // (a+)+$ against a long run of a's and a mismatch: exponential for a backtracking engine.
    ListFilter f;
    f.add("name=^(a+)+$");
    ListRow r = row(std::string(5000, 'a') + "!", "none", "Running");
    auto started = std::chrono::steady_clock::now();
    EXPECT_FALSE(f.matches(r));
    EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);
}

TEST(ListFilter, NeedsSaysHowFarTheListingMustGo) {
    ListFilter none;
    EXPECT_EQ(none.needs(), Needs::Store);
    ListFilter store;
    store.add("name=web");
    store.add("driver=none");
    store.add("label=env=prod");
    EXPECT_EQ(store.needs(), Needs::Store);
    ListFilter state = store;
    state.add("state=Running");
    EXPECT_EQ(state.needs(), Needs::Hypervisor);
    ListFilter swarm = state;
    swarm.add("swarm=manager");
    EXPECT_EQ(swarm.needs(), Needs::Engine);
}

TEST(ListFilter, TermsBeyondWhatIsKnownWaitForTheFullerRow) {
    ListFilter f;
    f.add("driver=libvirt");
    f.add("state=Stopped");
    ListRow web1 = k_rows[0]; // libvirt, Running
    web1.state.clear();       // not asked yet
    EXPECT_TRUE(f.matches(web1, Needs::Store)) << "state is not known yet";
    web1.state = "Running";
    EXPECT_FALSE(f.matches(web1, Needs::Hypervisor));
    ListRow ext = k_rows[3]; // none
    EXPECT_FALSE(f.matches(ext, Needs::Store)) << "the driver is known from the store";
}

TEST(FormatNeeds, FieldsFromTheStoreAskNoOne) {
    EXPECT_EQ(format_needs("{{.Name}}"), Needs::Store);
    EXPECT_EQ(format_needs("{{.Name}}: {{.URL}} {{.DriverName}} {{.Active}}"), Needs::Store);
    EXPECT_EQ(format_needs("table {{.Name}}\t{{.ActiveHost}}\t{{join .Labels \",\"}}"),
              Needs::Store);
    EXPECT_EQ(format_needs("{{if .ActiveHost}}{{.Name}}{{end}}"), Needs::Store);
    EXPECT_EQ(format_needs("{{printf \"%-10s.\" .Name}} {{/* .Swarm */}}"), Needs::Store)
        << "fields named inside strings and comments do not count";
    EXPECT_EQ(format_needs("plain text only"), Needs::Store);
    EXPECT_EQ(format_needs("{{.Name}} {{.State}}"), Needs::Hypervisor);
    EXPECT_EQ(format_needs("{{if gt 1.5 0.5}}{{.State}}{{end}}"), Needs::Hypervisor);
}

TEST(FormatNeeds, EngineFieldsAndTheWholeRowAskTheEngines) {
    for (const char* f : {"{{.DockerVersion}}", "{{.Name}} {{.Swarm}}", "{{.Error}}",
                          "{{.ResponseTime}}", "{{json .}}", "{{.}}", "{{$.Name}}",
                          "{{range .Labels}}{{.}}{{end}}", "{{.Name}} {{.Unknown}}", "{{.Name"})
        EXPECT_EQ(format_needs(f), Needs::Engine) << f;
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
