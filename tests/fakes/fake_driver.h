#pragma once
// A Driver whose VM is a few fields: create/start/stop/state/ip answer from a script (fail at a
// chosen step, come back from start with another IP) and every call is recorded, so a pipeline
// test asserts what the pipeline asked of the hypervisor and what it did with each answer.
#include "drivers/driver.h"
#include "machine/support/error.h"

#include <string>
#include <vector>

namespace machine::testing {

class FakeDriver final : public drivers::Driver {
public:
    // The step that throws DriverError: "configure", "create", "start", "stop", "kill",
    // "remove"; "" for none.
    std::string fail_at;
    bool bundled_image = false;     // uses_bundled_image()
    std::string ip_after_create = "192.168.122.10";
    std::string ip_after_start;     // "" keeps the IP
    bool ip_unknown = false;        // ip() answers "" (SSH still reaches the last address)
    std::string ssh_user = "docker";

    std::vector<std::string> calls;    // "create", "start", "ip", ...
    drivers::CreateSpec created;       // what create() was given
    bool exists = false;               // a VM was made and not removed
    drivers::State vm_state = drivers::State::None;

    std::string driver_name() const override { return "fake"; }
    bool uses_bundled_image() const override { return bundled_image; }
    void configure(const drivers::FlagValues&) override { step("configure"); }
    void create(const drivers::CreateSpec& spec) override {
        created = spec;
        exists = true; // made before it failed: remove() must still clean it
        step("create");
        m_ip = ip_after_create;
        vm_state = drivers::State::Running;
    }
    drivers::State state() override {
        calls.push_back("state");
        return vm_state;
    }
    std::string ip() override {
        calls.push_back("ip");
        return ip_unknown ? "" : m_ip;
    }
    drivers::SshEndpoint ssh_endpoint() override {
        return {m_ip, 22, ssh_user, created.ssh_key_path};
    }
    void start() override {
        step("start");
        if (!ip_after_start.empty())
            m_ip = ip_after_start;
        vm_state = drivers::State::Running;
    }
    void stop() override {
        step("stop");
        vm_state = drivers::State::Stopped;
    }
    void kill() override {
        step("kill");
        vm_state = drivers::State::Stopped;
    }
    std::vector<std::string> remove() override {
        step("remove");
        std::vector<std::string> cleaned;
        if (exists)
            cleaned.push_back("Removed the fake VM");
        exists = false;
        vm_state = drivers::State::None;
        return cleaned;
    }

    // The driver's record in config.json: the one place the fake meets it.
    drivers::DriverRecord record() const override {
        drivers::DriverRecord r;
        r.ip = m_ip;
        r.has_ssh = true;
        r.ssh_user = ssh_user;
        r.ssh_port = 22;
        r.ssh_key_path = created.ssh_key_path;
        r.own["VMExists"] = exists;
        return r;
    }
    void restore(const drivers::DriverRecord& r) override {
        m_ip = r.ip;
        if (!r.ssh_user.empty())
            ssh_user = r.ssh_user;
        created.ssh_key_path = r.ssh_key_path;
        exists = false;
        drivers::read_own(r.own, "VMExists", exists);
    }

private:
    void step(const std::string& name) {
        calls.push_back(name);
        if (fail_at == name)
            throw DriverError("fake " + name + " failed");
    }
    std::string m_ip;
};

} // namespace machine::testing
