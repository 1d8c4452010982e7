#include "engine/dockerd_config.h"

#include "machine/support/error.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

using namespace machine::engine;
using nlohmann::json;

namespace {

TEST(DaemonJson, DefaultsServeUnixSocketAndTlsOnlyNever2375) {
    std::string text = render_daemon_json(EngineOptions{});
    auto j = json::parse(text);
    EXPECT_EQ(j["hosts"], json({"unix:///var/run/docker.sock", "tcp://0.0.0.0:2376"}));
    EXPECT_EQ(j["tls"], true);
    EXPECT_EQ(j["tlsverify"], true);
    EXPECT_EQ(j["tlscacert"], "/etc/docker/ca.pem");
    EXPECT_EQ(j["tlscert"], "/etc/docker/server.pem");
    EXPECT_EQ(j["tlskey"], "/etc/docker/server-key.pem");
    EXPECT_EQ(j.size(), 6u) << text; // nothing else unless asked for
    EXPECT_EQ(text.find("2375"), std::string::npos);
    EXPECT_EQ(text.back(), '\n');
}

TEST(DaemonJson, CarriesEveryDedicatedOptionAndCustomPaths) {
    EngineOptions o;
    o.labels = {"env=prod", "team=a b"};
    o.insecure_registry = {"registry.local:5000", "10.0.0.0/8"};
    o.registry_mirror = {"https://mirror.example.com", "http://10.1.1.1:5000/path"};
    o.storage_driver = "overlay2";
    o.tls_port = 12376;
    o.arbitrary_flags = {"log-level=debug"}; // goes to the command line, not daemon.json
    RemotePaths paths{"/srv/ca.pem", "/srv/s.pem", "/srv/s-key.pem"};
    auto j = json::parse(render_daemon_json(o, paths));
    EXPECT_EQ(j["hosts"], json({"unix:///var/run/docker.sock", "tcp://0.0.0.0:12376"}));
    EXPECT_EQ(j["labels"], json({"env=prod", "team=a b"}));
    EXPECT_EQ(j["insecure-registries"], json({"registry.local:5000", "10.0.0.0/8"}));
    EXPECT_EQ(j["registry-mirrors"],
              json({"https://mirror.example.com", "http://10.1.1.1:5000/path"}));
    EXPECT_EQ(j["storage-driver"], "overlay2");
    EXPECT_EQ(j["tlscacert"], "/srv/ca.pem");
    EXPECT_EQ(j["tlscert"], "/srv/s.pem");
    EXPECT_EQ(j["tlskey"], "/srv/s-key.pem");
    EXPECT_FALSE(j.contains("log-level"));
    EXPECT_EQ(j.size(), 10u);
}

TEST(DaemonJson, EscapesHostileLabelText) {
    EngineOptions o;
    o.labels = {R"(note=say "hi" \ bye)"};
    auto j = json::parse(render_daemon_json(o));
    EXPECT_EQ(j["labels"][0], R"(note=say "hi" \ bye)");
}

TEST(SystemdDropin, DefaultResetsExecStartWithoutHostFlags) {
    EXPECT_EQ(render_systemd_dropin(EngineOptions{}),
              "# Written by machine. Hosts and TLS settings are in /etc/docker/daemon.json; "
              "ExecStart is reset because\n"
              "# the packaged unit's -H flag would conflict with \"hosts\" there.\n"
              "[Service]\n"
              "ExecStart=\n"
              "ExecStart=dockerd --containerd=/run/containerd/containerd.sock\n");
}

TEST(SystemdDropin, FlagsAndEnvironmentAreQuotedForSystemd) {
    EngineOptions o;
    o.arbitrary_flags = {"debug", "log-level=warn", "dns=1.1.1.1", "l=info",
                         "default-ulimit=nofile=1024:2048", "data-root=/srv/my docker",
                         "exec-opt=100%$HOME\"x\\"};
    o.env = {"HTTP_PROXY=http://proxy:3128", "NOTE=a \"b\" 50% \\ $HOME"};
    std::string text = render_systemd_dropin(o);
    auto exec_line = text.substr(text.rfind("ExecStart="));
    exec_line = exec_line.substr(0, exec_line.find('\n'));
    EXPECT_EQ(exec_line,
              "ExecStart=dockerd --containerd=/run/containerd/containerd.sock --debug "
              "--log-level=warn --dns=1.1.1.1 -l=info --default-ulimit=nofile=1024:2048 "
              "\"--data-root=/srv/my docker\" \"--exec-opt=100%%$$HOME\\\"x\\\\\"");
    EXPECT_NE(text.find("\nEnvironment=\"HTTP_PROXY=http://proxy:3128\"\n"), std::string::npos);
    // In Environment= systemd expands % specifiers but not $variables.
    EXPECT_NE(text.find("\nEnvironment=\"NOTE=a \\\"b\\\" 50%% \\\\ $HOME\"\n"),
              std::string::npos)
        << text;
    EXPECT_EQ(text.find("-H"), text.find("-H flag")); // only in the comment
    EXPECT_EQ(text.find("2375"), std::string::npos);
}

struct QuoteCase {
    std::string in, out;
};

class SystemdExecWord : public ::testing::TestWithParam<QuoteCase> {};

TEST_P(SystemdExecWord, Quotes) { EXPECT_EQ(systemd_exec_word(GetParam().in), GetParam().out); }

INSTANTIATE_TEST_SUITE_P(Table, SystemdExecWord,
                         ::testing::Values(QuoteCase{"--debug", "--debug"},
                                           QuoteCase{"--a=b:c,d/e.f+g@h", "--a=b:c,d/e.f+g@h"},
                                           QuoteCase{"", "\"\""},
                                           QuoteCase{"a b", "\"a b\""},
                                           QuoteCase{"it's", "\"it's\""},
                                           QuoteCase{"a;b", "\"a;b\""},
                                           QuoteCase{"%h", "\"%%h\""},
                                           QuoteCase{"${X}", "\"$${X}\""},
                                           QuoteCase{"q\"\\", "\"q\\\"\\\\\""}));

struct BadCase {
    const char* name;
    EngineOptions options;
    std::string flag;     // the flag the message must name
    std::string fragment; // and some of the reason
};

class RejectsEngineOptions : public ::testing::TestWithParam<BadCase> {};

TEST_P(RejectsEngineOptions, WithMessageNamingTheFlag) {
    const auto& c = GetParam();
    for (auto render : {0, 1, 2}) {
        try {
            if (render == 0)
                validate(c.options);
            else if (render == 1)
                render_daemon_json(c.options);
            else
                render_systemd_dropin(c.options);
            FAIL() << c.name << ": accepted";
        } catch (const machine::UsageError& e) {
            std::string what = e.what();
            EXPECT_EQ(what.rfind(c.flag + " ", 0), 0u) << what;
            EXPECT_NE(what.find(c.fragment), std::string::npos) << what;
        }
    }
}

EngineOptions opt(std::string flag) {
    EngineOptions o;
    o.arbitrary_flags = {"debug", std::move(flag)};
    return o;
}
EngineOptions with_label(std::string v) {
    EngineOptions o;
    o.labels = {std::move(v)};
    return o;
}
EngineOptions with_env(std::string v) {
    EngineOptions o;
    o.env = {std::move(v)};
    return o;
}
EngineOptions with_mirror(std::string v) {
    EngineOptions o;
    o.registry_mirror = {std::move(v)};
    return o;
}
EngineOptions with_insecure(std::string v) {
    EngineOptions o;
    o.insecure_registry = {std::move(v)};
    return o;
}
EngineOptions with_port(int p) {
    EngineOptions o;
    o.tls_port = p;
    return o;
}
EngineOptions with_driver(std::string d) {
    EngineOptions o;
    o.storage_driver = std::move(d);
    return o;
}

INSTANTIATE_TEST_SUITE_P(
    Table, RejectsEngineOptions,
    ::testing::Values(
        BadCase{"empty", opt(""), "--engine-opt", "expected name"},
        BadCase{"equals only", opt("=x"), "--engine-opt", "expected name"},
        BadCase{"upper case", opt("Log-Level=debug"), "--engine-opt", "lower-case"},
        BadCase{"space in name", opt("log level=debug"), "--engine-opt", "expected name"},
        BadCase{"dashes", opt("--log-level=debug"), "--engine-opt", "without leading dashes"},
        BadCase{"host", opt("host=tcp://0.0.0.0:2375"), "--engine-opt", "hosts"},
        BadCase{"hosts", opt("hosts=unix:///x"), "--engine-opt", "hosts"},
        BadCase{"H", opt("H=tcp://0.0.0.0:2375"), "--engine-opt", "hosts"},
        BadCase{"tlsverify", opt("tlsverify=false"), "--engine-opt", "TLS"},
        BadCase{"tls", opt("tls"), "--engine-opt", "TLS"},
        BadCase{"tlscert", opt("tlscert=/x"), "--engine-opt", "TLS"},
        BadCase{"containerd", opt("containerd=/x"), "--engine-opt", "machine sets"},
        BadCase{"label", opt("label=a=b"), "--engine-opt", "--engine-label"},
        BadCase{"mirror", opt("registry-mirror=https://x"), "--engine-opt",
                "--engine-registry-mirror"},
        BadCase{"storage", opt("storage-driver=vfs"), "--engine-opt", "--engine-storage-driver"},
        BadCase{"help", opt("help"), "--engine-opt", "exit"},
        BadCase{"newline value", opt("log-level=debug\nExecStartPre=/bin/sh"), "--engine-opt",
                "control characters"},
        BadCase{"label no equals", with_label("justakey"), "--engine-label", "key=value"},
        BadCase{"label empty key", with_label("=v"), "--engine-label", "key=value"},
        BadCase{"label space key", with_label("a b=c"), "--engine-label", "spaces"},
        BadCase{"label newline", with_label("a=b\nc"), "--engine-label", "control"},
        BadCase{"env no equals", with_env("HTTP_PROXY"), "--engine-env", "KEY=VALUE"},
        BadCase{"env bad key", with_env("HTTP-PROXY=x"), "--engine-env", "KEY=VALUE"},
        BadCase{"env digit key", with_env("1X=x"), "--engine-env", "KEY=VALUE"},
        BadCase{"env newline", with_env("A=b\n[Service]"), "--engine-env", "control"},
        BadCase{"mirror no scheme", with_mirror("mirror.example.com"),
                "--engine-registry-mirror", "http"},
        BadCase{"mirror ftp", with_mirror("ftp://mirror.example.com"),
                "--engine-registry-mirror", "http"},
        BadCase{"mirror no host", with_mirror("https://"), "--engine-registry-mirror", "host"},
        BadCase{"mirror space", with_mirror("https://a b"), "--engine-registry-mirror",
                "spaces"},
        BadCase{"insecure scheme", with_insecure("http://reg:5000"),
                "--engine-insecure-registry", "scheme"},
        BadCase{"insecure empty", with_insecure(""), "--engine-insecure-registry", "host:port"},
        BadCase{"port 2375", with_port(2375), "--engine-port", "unencrypted"},
        BadCase{"port 0", with_port(0), "--engine-port", "1 to 65535"},
        BadCase{"port 70000", with_port(70000), "--engine-port", "1 to 65535"},
        BadCase{"port swarm", with_port(2377), "--engine-port", "swarm"},
        BadCase{"driver", with_driver("overlay2; rm"), "--engine-storage-driver",
                "driver name"}),
    [](const ::testing::TestParamInfo<BadCase>& info) {
        std::string n = info.param.name;
        for (auto& c : n)
            if (!isalnum(static_cast<unsigned char>(c)))
                c = '_';
        return n;
    });

TEST(EngineOptionsValidate, AcceptsTypicalOptions) {
    EngineOptions o;
    o.arbitrary_flags = {"debug", "log-level=debug", "dns=8.8.8.8", "max-concurrent-downloads=6",
                         "default-address-pool=base=10.10.0.0/16,size=24"};
    o.labels = {"provider=libvirt", "zone=a=b"};
    o.env = {"HTTP_PROXY=http://proxy:3128", "NO_PROXY=", "_x1=1"};
    o.registry_mirror = {"https://mirror.gcr.io", "http://[::1]:5000"};
    o.insecure_registry = {"registry.local:5000", "10.0.0.0/8", "[::1]:5000"};
    o.storage_driver = "fuse-overlayfs";
    o.tls_port = 2376;
    EXPECT_NO_THROW(validate(o));
}

} // namespace
