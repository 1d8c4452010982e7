#pragma once
// The `none` driver records an engine that already exists (docker-machine's "none"):
// `machine create --driver none --url tcp://HOST:2376 NAME`. It has no VM, so lifecycle
// commands are refused with a clear message, and removal forgets the record only.
#include "drivers/driver.h"

namespace machine::drivers::none {

class NoneDriver : public Driver {
public:
    explicit NoneDriver(const DriverContext& ctx);
    static std::vector<FlagSpec> create_flags();

    std::string driver_name() const override { return "none"; }
    bool has_vm() const override { return false; }
    void configure(const FlagValues& flags) override;
    void create(const CreateSpec& spec) override;
    State state() override { return State::Running; }
    std::string ip() override { return m_ip; }
    SshEndpoint ssh_endpoint() override;
    void start() override;
    void stop() override;
    void restart() override;
    void kill() override;
    std::vector<std::string> remove() override { return {}; }
    DriverRecord record() const override;
    void restore(const DriverRecord& r) override;

    const std::string& url() const { return m_url; }

private:
    [[noreturn]] void unsupported(const char* what) const;
    DriverContext m_ctx;
    std::string m_url;
    std::string m_ip;
};

// Splits tcp://HOST:PORT (HOST may be [v6]); nullopt-like empty host on a bad URL.
struct ParsedUrl {
    std::string host;
    int port = 0;
};
ParsedUrl parse_tcp_url(const std::string& url);

} // namespace machine::drivers::none
