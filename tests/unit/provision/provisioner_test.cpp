#include "machine/support/error.h"
#include "provision/provisioner.h"

#include <gtest/gtest.h>

#include <map>

using namespace machine::provision;
using machine::ProvisionError;
using machine::TimeoutError;
using machine::UsageError;
using machine::support::shell_quote;

namespace {

const char* k_debian12 = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\n"
                         "VERSION_ID=\"12\"\n";
const char* k_fedora = "PRETTY_NAME=\"Fedora Linux 39\"\nID=fedora\nVERSION_ID=39\n";

const char* k_server_key = "-----BEGIN PRIVATE KEY-----\nSERVERKEYMATERIAL\n"
                           "-----END PRIVATE KEY-----\n";

struct Upload {
    std::string path;
    std::string content;
    int mode;
};

// A machine as the Provisioner sees it: answers commands from a small state (OS text, whether
// dockerd is installed, what fails) and records every command and upload in order.
class FakeShell : public RemoteShell {
public:
    std::string os_release = k_debian12;
    bool has_dockerd = true;
    bool has_systemd = true;
    bool install_provides_dockerd = true;
    std::map<std::string, int> fail_prefix; // command prefix -> exit status

    std::vector<std::string> commands;
    std::vector<std::optional<std::string>> stdins;
    std::vector<Upload> uploads;

    ExecResult exec(const std::string& command, const std::optional<std::string>& stdin_data,
                    std::chrono::milliseconds) override {
        commands.push_back(command);
        stdins.push_back(stdin_data);
        for (const auto& [prefix, code] : fail_prefix)
            if (command.rfind(prefix, 0) == 0)
                return {code, "", "simulated failure of " + prefix + "\n"};
        if (command.rfind("cat /etc/os-release", 0) == 0)
            return {0, os_release, ""};
        if (command == "sudo -n sh -c 'command -v dockerd'")
            return has_dockerd ? ExecResult{0, "/usr/bin/dockerd\n", ""} : ExecResult{1, "", ""};
        if (command == "command -v systemctl")
            return has_systemd ? ExecResult{0, "/usr/bin/systemctl\n", ""} : ExecResult{1, "", ""};
        if (command.rfind("mktemp -d", 0) == 0)
            return {0, "/tmp/machine-provision.AbCd1234\n", ""};
        if (command.find(" install -y") != std::string::npos && install_provides_dockerd)
            has_dockerd = true;
        if (command.rfind("sudo -n journalctl", 0) == 0)
            return {0, "dockerd[42]: failed to load listeners: bad TLS file\n", ""};
        return {0, "", ""};
    }

    void upload(const std::string& remote_path, const std::string& content, int mode) override {
        uploads.push_back({remote_path, content, mode});
    }

    const Upload* upload_to(const std::string& path) const {
        for (const auto& u : uploads)
            if (u.path == path)
                return &u;
        return nullptr;
    }
};

class FakeEngine : public EngineProbe {
public:
    bool up = true;
    int waits = 0;
    void wait_for_ping(std::chrono::steady_clock::time_point) override {
        ++waits;
        if (!up)
            throw TimeoutError("the Docker engine at https://x:2376 did not answer within 1 s");
    }
};

ServerCerts certs() {
    return {"-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n",
            "-----BEGIN CERTIFICATE-----\nSERVER\n-----END CERTIFICATE-----\n", k_server_key};
}

const std::string k_stage = "/tmp/machine-provision.AbCd1234";

std::vector<std::string> cert_and_config_commands() {
    return {
        "mktemp -d /tmp/machine-provision.XXXXXXXX",
        "sudo -n install -d -m 0755 -o root -g root /etc/docker",
        "sudo -n install -m 0644 -o root -g root " + k_stage + "/ca.pem /etc/docker/ca.pem",
        "sudo -n install -m 0644 -o root -g root " + k_stage + "/server.pem /etc/docker/server.pem",
        "sudo -n install -m 0600 -o root -g root " + k_stage +
            "/server-key.pem /etc/docker/server-key.pem",
        "rm -rf " + k_stage,
        "mktemp -d /tmp/machine-provision.XXXXXXXX",
        "sudo -n install -d -m 0755 -o root -g root /etc/docker "
        "/etc/systemd/system/docker.service.d",
        "sudo -n install -m 0644 -o root -g root " + k_stage +
            "/daemon.json /etc/docker/daemon.json",
        "sudo -n install -m 0644 -o root -g root " + k_stage +
            "/10-machine.conf /etc/systemd/system/docker.service.d/10-machine.conf",
        "rm -rf " + k_stage,
        "sudo -n systemctl daemon-reload",
        "sudo -n systemctl enable docker.service",
        "sudo -n systemctl restart docker.service",
    };
}

std::vector<std::string> concat(std::vector<std::string> a, const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

} // namespace

TEST(Provisioner, EngineAlreadyPresentRunsExactlyTheseCommands) {
    FakeShell shell;
    FakeEngine engine;
    std::vector<std::string> steps;
    Provisioner p(shell, engine, [&](const std::string& s) { steps.push_back(s); });

    auto os = p.provision(certs(), ProvisionOptions{});

    EXPECT_EQ(os.id, "debian");
    auto expected = concat({"cat /etc/os-release 2>/dev/null || cat /usr/lib/os-release",
                            "command -v systemctl", "sudo -n sh -c 'command -v dockerd'"},
                           cert_and_config_commands());
    EXPECT_EQ(shell.commands, expected);
    EXPECT_EQ(engine.waits, 1);
    EXPECT_EQ(steps, (std::vector<std::string>{"detect OS", "check for the engine",
                                               "upload certificates", "configure engine",
                                               "restart engine", "wait for the engine's TLS API"}));
}

TEST(Provisioner, KeysAreUploadedPrivateAndNeverInACommand) {
    FakeShell shell;
    FakeEngine engine;
    Provisioner p(shell, engine);
    p.provision(certs(), ProvisionOptions{});

    const Upload* key = shell.upload_to(k_stage + "/server-key.pem");
    ASSERT_NE(key, nullptr);
    EXPECT_EQ(key->mode, 0600);
    EXPECT_EQ(key->content, k_server_key);
    ASSERT_NE(shell.upload_to(k_stage + "/ca.pem"), nullptr);
    EXPECT_EQ(shell.upload_to(k_stage + "/ca.pem")->mode, 0644);
    EXPECT_EQ(shell.upload_to(k_stage + "/server.pem")->mode, 0644);
    // Every staged file lives in the private mktemp folder, nowhere else.
    for (const auto& u : shell.uploads)
        EXPECT_EQ(u.path.rfind(k_stage + "/", 0), 0u) << u.path;
    for (size_t i = 0; i < shell.commands.size(); ++i) {
        EXPECT_EQ(shell.commands[i].find("SERVERKEYMATERIAL"), std::string::npos)
            << shell.commands[i];
        EXPECT_EQ(shell.commands[i].find("PRIVATE KEY"), std::string::npos) << shell.commands[i];
        EXPECT_FALSE(shell.stdins[i].has_value()) << shell.commands[i];
    }
}

TEST(Provisioner, EngineConfigComesFromTheEngineRenderer) {
    FakeShell shell;
    FakeEngine engine;
    Provisioner p(shell, engine);
    ProvisionOptions options;
    options.engine.labels = {"env=lab"};
    p.provision(certs(), options);

    const Upload* daemon = shell.upload_to(k_stage + "/daemon.json");
    ASSERT_NE(daemon, nullptr);
    EXPECT_NE(daemon->content.find("env=lab"), std::string::npos) << daemon->content;
    EXPECT_NE(daemon->content.find("tcp://0.0.0.0:2376"), std::string::npos) << daemon->content;
    EXPECT_EQ(daemon->content.find(":2375"), std::string::npos) << daemon->content;
    ASSERT_NE(shell.upload_to(k_stage + "/10-machine.conf"), nullptr);
}

TEST(Provisioner, InstallsWithAptOnlyWhenDockerdIsMissing) {
    FakeShell shell;
    shell.has_dockerd = false;
    FakeEngine engine;
    std::vector<std::string> steps;
    Provisioner p(shell, engine, [&](const std::string& s) { steps.push_back(s); });
    p.provision(certs(), ProvisionOptions{});

    std::string apt = "sudo -n env DEBIAN_FRONTEND=noninteractive apt-get";
    auto expected = concat({"cat /etc/os-release 2>/dev/null || cat /usr/lib/os-release",
                            "command -v systemctl", "sudo -n sh -c 'command -v dockerd'", apt + " update -q",
                            apt + " install -y -q --no-install-recommends docker.io",
                            "if grep -qsx Y /sys/module/apparmor/parameters/enabled; then " + apt +
                                " install -y -q --no-install-recommends apparmor; fi",
                            "sudo -n sh -c 'command -v dockerd'"},
                           cert_and_config_commands());
    EXPECT_EQ(shell.commands, expected);
    EXPECT_NE(std::find(steps.begin(), steps.end(), "install engine (apt)"), steps.end());
}

TEST(Provisioner, AptSourceOverrideIsWrittenAndIsTheOnlySource) {
    FakeShell shell;
    shell.has_dockerd = false;
    FakeEngine engine;
    Provisioner p(shell, engine);
    ProvisionOptions options;
    options.apt_source_line = "deb [trusted=yes] http://10.99.0.1:8080/ ./";
    p.provision(certs(), options);

    const Upload* list = shell.upload_to(k_stage + "/machine.list");
    ASSERT_NE(list, nullptr);
    EXPECT_EQ(list->content, "deb [trusted=yes] http://10.99.0.1:8080/ ./\n");
    EXPECT_EQ(list->mode, 0644);

    std::string apt = "sudo -n env DEBIAN_FRONTEND=noninteractive apt-get -o "
                      "Dir::Etc::SourceList=/etc/apt/sources.list.d/machine.list -o "
                      "Dir::Etc::SourceParts=- -o APT::Get::List-Cleanup=0";
    auto expected = std::vector<std::string>{
        "cat /etc/os-release 2>/dev/null || cat /usr/lib/os-release",
        "command -v systemctl",
        "sudo -n sh -c 'command -v dockerd'",
        "mktemp -d /tmp/machine-provision.XXXXXXXX",
        "sudo -n install -d -m 0755 -o root -g root /etc/apt/sources.list.d",
        "sudo -n install -m 0644 -o root -g root " + k_stage +
            "/machine.list /etc/apt/sources.list.d/machine.list",
        "rm -rf " + k_stage,
        apt + " update -q",
        apt + " install -y -q --no-install-recommends docker.io",
                            "if grep -qsx Y /sys/module/apparmor/parameters/enabled; then " + apt +
                                " install -y -q --no-install-recommends apparmor; fi",
        "sudo -n sh -c 'command -v dockerd'"};
    ASSERT_GE(shell.commands.size(), expected.size());
    EXPECT_EQ(
        std::vector<std::string>(shell.commands.begin(), shell.commands.begin() + expected.size()),
        expected);
}

TEST(Provisioner, FedoraInstallsMobyEngineWithDnf) {
    FakeShell shell;
    shell.os_release = k_fedora;
    shell.has_dockerd = false;
    FakeEngine engine;
    Provisioner p(shell, engine);
    p.provision(certs(), ProvisionOptions{});
    EXPECT_EQ(shell.commands.at(3), "sudo -n dnf install -y moby-engine");
}

TEST(Provisioner, AptSourceOnNonAptDistributionIsRefusedBeforeInstalling) {
    FakeShell shell;
    shell.os_release = k_fedora;
    shell.has_dockerd = false;
    FakeEngine engine;
    Provisioner p(shell, engine);
    ProvisionOptions options;
    options.apt_source_line = "deb http://x/ ./";
    EXPECT_THROW(p.provision(certs(), options), UsageError);
    for (const auto& c : shell.commands)
        EXPECT_EQ(c.find("install"), std::string::npos) << c;
}

TEST(Provisioner, UnknownDistributionWithoutEngineFailsBeforeChangingAnything) {
    FakeShell shell;
    shell.os_release = "ID=plan9\nPRETTY_NAME=\"Plan 9\"\n";
    shell.has_dockerd = false;
    FakeEngine engine;
    Provisioner p(shell, engine);
    EXPECT_THROW(p.provision(certs(), ProvisionOptions{}), ProvisionError);
    EXPECT_EQ(shell.commands.size(), 3u);
    EXPECT_TRUE(shell.uploads.empty());
}

TEST(Provisioner, InstallThatProducesNoDockerdIsAnError) {
    FakeShell shell;
    shell.has_dockerd = false;
    shell.install_provides_dockerd = false;
    FakeEngine engine;
    Provisioner p(shell, engine);
    try {
        p.provision(certs(), ProvisionOptions{});
        FAIL() << "expected ProvisionError";
    } catch (const ProvisionError& e) {
        EXPECT_NE(std::string(e.what()).find("dockerd is not on PATH"), std::string::npos);
    }
    EXPECT_TRUE(shell.uploads.empty());
}

TEST(Provisioner, InvalidEngineOptionChangesNothing) {
    FakeShell shell;
    FakeEngine engine;
    Provisioner p(shell, engine);
    ProvisionOptions options;
    options.engine.arbitrary_flags = {"tlsverify=false"};
    EXPECT_THROW(p.provision(certs(), options), UsageError);
    EXPECT_TRUE(shell.commands.empty());
}

TEST(Provisioner, NoSystemdIsAClearError) {
    FakeShell shell;
    shell.os_release = "ID=alpine\nPRETTY_NAME=\"Alpine Linux v3.19\"\n";
    shell.has_systemd = false;
    FakeEngine engine;
    Provisioner p(shell, engine);
    try {
        p.provision(certs(), ProvisionOptions{});
        FAIL() << "expected ProvisionError";
    } catch (const ProvisionError& e) {
        EXPECT_NE(std::string(e.what()).find("Alpine Linux v3.19 does not use systemd"),
                  std::string::npos)
            << e.what();
    }
}

TEST(Provisioner, FailedInstallCommandNamesTheCommandAndItsError) {
    FakeShell shell;
    shell.has_dockerd = false;
    shell.fail_prefix["sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install"] = 100;
    FakeEngine engine;
    Provisioner p(shell, engine);
    try {
        p.provision(certs(), ProvisionOptions{});
        FAIL() << "expected ProvisionError";
    } catch (const ProvisionError& e) {
        std::string what = e.what();
        EXPECT_NE(what.find("install engine:"), std::string::npos) << what;
        EXPECT_NE(what.find("exited with status 100"), std::string::npos) << what;
        EXPECT_NE(what.find("simulated failure"), std::string::npos) << what;
    }
}

TEST(Provisioner, FailedCertInstallStillRemovesTheStagingFolder) {
    FakeShell shell;
    shell.fail_prefix["sudo -n install -m 0600"] = 1;
    FakeEngine engine;
    Provisioner p(shell, engine);
    EXPECT_THROW(p.provision(certs(), ProvisionOptions{}), ProvisionError);
    ASSERT_FALSE(shell.commands.empty());
    EXPECT_EQ(shell.commands.back(), "rm -rf " + k_stage);
}

TEST(Provisioner, RestartFailureShowsTheEngineLog) {
    FakeShell shell;
    shell.fail_prefix["sudo -n systemctl restart"] = 1;
    FakeEngine engine;
    Provisioner p(shell, engine);
    try {
        p.provision(certs(), ProvisionOptions{});
        FAIL() << "expected ProvisionError";
    } catch (const ProvisionError& e) {
        EXPECT_NE(std::string(e.what()).find("failed to load listeners"), std::string::npos)
            << e.what();
    }
    EXPECT_EQ(engine.waits, 0);
}

TEST(Provisioner, EngineThatNeverAnswersTimesOutWithItsLog) {
    FakeShell shell;
    FakeEngine engine;
    engine.up = false;
    Provisioner p(shell, engine);
    try {
        p.provision(certs(), ProvisionOptions{});
        FAIL() << "expected TimeoutError";
    } catch (const TimeoutError& e) {
        std::string what = e.what();
        EXPECT_NE(what.find("did not answer"), std::string::npos) << what;
        EXPECT_NE(what.find("failed to load listeners"), std::string::npos) << what;
    }
}

TEST(Provisioner, PushCertsAndRestartSkipsDetectionAndConfig) {
    FakeShell shell;
    FakeEngine engine;
    Provisioner p(shell, engine);
    p.push_certs_and_restart(certs(), ProvisionOptions{});
    auto all = cert_and_config_commands();
    std::vector<std::string> expected(all.begin(), all.begin() + 6);
    expected.insert(expected.end(), all.end() - 3, all.end());
    EXPECT_EQ(shell.commands, expected);
    EXPECT_EQ(shell.uploads.size(), 3u);
    EXPECT_EQ(engine.waits, 1);
}

TEST(ShellQuote, QuotesOnlyWhenNeeded) {
    EXPECT_EQ(shell_quote("/etc/docker/ca.pem"), "/etc/docker/ca.pem");
    EXPECT_EQ(shell_quote("a b"), "'a b'");
    EXPECT_EQ(shell_quote("it's"), "'it'\\''s'");
    EXPECT_EQ(shell_quote(""), "''");
    EXPECT_EQ(shell_quote("$(rm -rf /)"), "'$(rm -rf /)'");
}
