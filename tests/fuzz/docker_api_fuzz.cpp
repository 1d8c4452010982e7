// Docker Engine API replies (status and JSON body, parsed the way DockerApi::request parses
// them) fed to every swarm operation that reads them: /info, /swarm, /nodes, init, join,
// leave, role updates. machine::Error is the expected failure (an engine that says no, or
// answers nonsense); anything else is a finding.
#include "machine/support/error.h"
#include "swarm/swarm.h"

#include <fuzzer/FuzzedDataProvider.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace {

namespace sw = machine::swarm;

// Answers each call with the next status and body the fuzzer chose; unreachable once the
// input runs out.
class FuzzEngine : public sw::EngineApi {
public:
    explicit FuzzEngine(FuzzedDataProvider& in) : m_in(in) {}
    sw::ApiResponse call(const std::string&, const std::string&, const nlohmann::json&) override {
        if (m_in.remaining_bytes() == 0) {
            throw machine::Error("engine unreachable");
        }
        static constexpr std::array<long, 9> k_status = {200, 201, 204, 304, 400,
                                                         404, 406, 500, 503};
        sw::ApiResponse r;
        r.status = k_status[m_in.ConsumeIntegralInRange<std::size_t>(0, k_status.size() - 1)];
        r.text = m_in.ConsumeRandomLengthString(2048);
        if (!r.text.empty()) {
            r.body = nlohmann::json::parse(r.text, nullptr, /*allow_exceptions=*/false);
        }
        if (r.body.is_discarded()) {
            r.body = nullptr;
        }
        return r;
    }
    std::string endpoint() const override { return "fuzz"; }

private:
    FuzzedDataProvider& m_in;
};

template <class F> void attempt(F&& f) {
    try {
        f();
    } catch (const machine::Error&) {
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    FuzzedDataProvider in(data, size);
    FuzzEngine node(in);
    FuzzEngine manager(in);
    switch (in.ConsumeIntegralInRange<int>(0, 7)) {
    case 0:
        attempt([&] { (void)sw::inspect(node); });
        break;
    case 1:
        attempt([&] { (void)sw::join_tokens(manager); });
        break;
    case 2:
        attempt([&] { (void)sw::init(node, "192.0.2.7"); });
        break;
    case 3:
        attempt([&] {
            (void)sw::join(node, manager, {"192.0.2.8", "192.0.2.7", sw::Role::Manager});
        });
        break;
    case 4:
        attempt([&] { (void)sw::leave(node, in.ConsumeBool()); });
        break;
    case 5:
        attempt([&] { (void)sw::nodes(manager); });
        break;
    case 6:
        attempt([&] { (void)sw::set_node_role(manager, "n1", sw::Role::Worker); });
        break;
    default: {
        sw::ApiResponse r = {};
        attempt([&] { r = node.call("GET", "/x", nullptr); });
        (void)sw::engine_message(r);
        (void)sw::with_swarm_port(r.text);
        (void)sw::parse_join_role(r.text);
    }
    }
    return 0;
}
