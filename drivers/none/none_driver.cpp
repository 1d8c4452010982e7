#include "drivers/none/none_driver.h"

#include "machine/support/error.h"

#include <fmt/format.h>

#include <charconv>

namespace machine::drivers::none {

ParsedUrl parse_tcp_url(const std::string& url) {
    const std::string scheme = "tcp://";
    if (url.rfind(scheme, 0) != 0)
        return {};
    std::string rest = url.substr(scheme.size());
    if (!rest.empty() && rest.back() == '/')
        rest.pop_back();
    std::string host, port;
    if (!rest.empty() && rest.front() == '[') {
        auto close = rest.find(']');
        if (close == std::string::npos || close + 1 >= rest.size() || rest[close + 1] != ':')
            return {};
        host = rest.substr(1, close - 1);
        port = rest.substr(close + 2);
    } else {
        auto colon = rest.rfind(':');
        if (colon == std::string::npos)
            return {};
        host = rest.substr(0, colon);
        port = rest.substr(colon + 1);
    }
    int p = 0;
    auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
    if (host.empty() || host.find('/') != std::string::npos || ec != std::errc{} ||
        ptr != port.data() + port.size() || p < 1 || p > 65535)
        return {};
    return {host, p};
}

NoneDriver::NoneDriver(const DriverContext& ctx) : m_ctx(ctx) {}

std::vector<FlagSpec> NoneDriver::create_flags() {
    return {{"url", "URL of the existing engine, tcp://HOST:2376 (driver none)", "", "NONE_URL"}};
}

void NoneDriver::configure(const FlagValues& flags) {
    m_url = flags.get("url");
    if (m_url.empty())
        throw UsageError("the none driver needs --url tcp://HOST:PORT of an existing engine");
    auto parsed = parse_tcp_url(m_url);
    if (parsed.host.empty())
        throw UsageError(fmt::format("--url \"{}\": expected tcp://HOST:PORT", m_url));
    m_ip = parsed.host;
}

void NoneDriver::create(const CreateSpec&) {}

SshEndpoint NoneDriver::ssh_endpoint() { unsupported("SSH"); }
void NoneDriver::start() { unsupported("start"); }
void NoneDriver::stop() { unsupported("stop"); }
void NoneDriver::restart() { unsupported("restart"); }
void NoneDriver::kill() { unsupported("kill"); }

void NoneDriver::unsupported(const char* what) const {
    throw UsageError(fmt::format(
        "machine \"{}\" uses the none driver (an engine machine does not manage): {} is not "
        "available for it",
        m_ctx.machine_name, what));
}

DriverRecord NoneDriver::record() const {
    DriverRecord r;
    r.ip = m_ip;
    r.machine_name = m_ctx.machine_name;
    r.store_path = m_ctx.store_dir;
    r.url = m_url;
    return r;
}

void NoneDriver::restore(const DriverRecord& r) {
    m_url = r.url;
    m_ip = r.ip;
}

} // namespace machine::drivers::none
