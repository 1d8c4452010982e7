#pragma once
// A fake SSH backend and the guest behind it, for unit tests of what goes over SSH (waiting for
// a booting machine, provisioning, swarm commands, the registry). The guest is a map of files
// and a list of scripted answers; every command and upload is recorded, so a test asserts what
// reached the machine, not how the code got there.
#include "provision/ssh_client.h"

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace machine::testing {

namespace fs = std::filesystem;

// What a fake machine answers and what it was asked.
struct FakeGuest {
    // Commands run, in order (each exec's command line).
    std::vector<std::string> commands;
    // Files on the guest: uploads land here; download() reads here.
    std::map<std::string, std::string> files;
    std::map<std::string, int> modes;
    // Answers: the first rule whose `prefix` starts the command answers it (once, when `times`
    // runs out the rule is dropped; 0: always). Unmatched commands answer exit 0, no output.
    struct Rule {
        std::string prefix;
        provision::ExecResult result;
        int times = 0;
    };
    std::vector<Rule> rules;

    void on(std::string prefix, provision::ExecResult result, int times = 0) {
        rules.push_back({std::move(prefix), std::move(result), times});
    }
    provision::ExecResult answer(const std::string& command) {
        commands.push_back(command);
        for (auto it = rules.begin(); it != rules.end(); ++it) {
            if (command.rfind(it->prefix, 0) != 0)
                continue;
            auto result = it->result;
            if (it->times > 0 && --it->times == 0)
                rules.erase(it);
            return result;
        }
        return {0, "", ""};
    }
    // How many commands started with `prefix`.
    int count(const std::string& prefix) const {
        int n = 0;
        for (const auto& c : commands)
            n += c.rfind(prefix, 0) == 0;
        return n;
    }
};

class FakeSshSession final : public provision::SshSession {
public:
    explicit FakeSshSession(FakeGuest& guest) : m_guest(guest) {}
    provision::ExecResult exec(const std::string& command,
                               const std::optional<std::string>& = std::nullopt,
                               std::chrono::milliseconds = provision::k_default_exec_timeout) override {
        return m_guest.answer(command);
    }
    void upload(const std::string& remote_path, const std::string& content, int mode) override {
        m_guest.files[remote_path] = content;
        m_guest.modes[remote_path] = mode;
    }
    std::string download(const std::string& remote_path) override {
        auto it = m_guest.files.find(remote_path);
        if (it == m_guest.files.end())
            throw NotFound("no such file on the fake guest: " + remote_path);
        return it->second;
    }
    void upload_file(const fs::path&, const std::string&) override { unsupported("upload_file"); }
    void download_file(const std::string&, const fs::path&) override { unsupported("download_file"); }
    void upload_tree(const fs::path&, const std::string&) override { unsupported("upload_tree"); }
    void download_tree(const std::string&, const fs::path&) override { unsupported("download_tree"); }
    bool remote_is_dir(const std::string&) override { return false; }
    int run_interactive(const std::optional<std::string>&, provision::LocalTerminal) override {
        unsupported("run_interactive");
        return -1;
    }

private:
    [[noreturn]] static void unsupported(const char* what) {
        throw std::logic_error(std::string("FakeSshSession::") + what + " is not faked");
    }
    FakeGuest& m_guest;
};

// Connections to fake guests, by host. `refusals[host]` connection attempts fail first (a
// machine still booting), each with `refusal`; a host with no guest is unreachable.
class FakeSshBackend final : public provision::SshBackend {
public:
    std::map<std::string, FakeGuest> guests;
    std::map<std::string, int> refusals;
    std::string refusal = "connection refused";
    std::map<std::string, bool> host_key_changed; // throws HostKeyMismatch
    std::vector<std::pair<std::string, std::chrono::milliseconds>> connects; // host, timeout
    std::function<void(std::chrono::milliseconds)> on_connect; // e.g. move a fake clock

    std::unique_ptr<provision::SshSession> connect(const provision::SshTarget& target,
                                                   std::chrono::milliseconds timeout) override {
        connects.emplace_back(target.host, timeout);
        if (on_connect)
            on_connect(timeout);
        if (host_key_changed[target.host])
            throw provision::HostKeyMismatch("the host key of " + target.host + " changed");
        if (refusals[target.host] > 0) {
            --refusals[target.host];
            throw SshError(target.host + ": " + refusal);
        }
        auto it = guests.find(target.host);
        if (it == guests.end())
            throw SshError(target.host + ": no route to host");
        return std::make_unique<FakeSshSession>(it->second);
    }
    void check_private_key(const fs::path& key) override {
        if (key.empty())
            throw NotFound("no private key given");
    }
    std::string generate_ed25519_key(const fs::path& path, const std::string& comment) override {
        keys.push_back(path);
        return "ssh-ed25519 AAAAfake " + comment;
    }
    std::vector<fs::path> keys;
};

} // namespace machine::testing
