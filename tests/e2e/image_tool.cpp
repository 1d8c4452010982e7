// machine_image_tool: drives engine/image and provision/seed for the e2e tests and benchmarks,
// independent of the CLI.
//   machine_image_tool build --store DIR [--no-engine] [--untrimmed] [--rebuild]
//        builds (or reuses) the image; prints the qcow2 path on stdout, progress on stderr
//   machine_image_tool info --store DIR [--no-engine] [--untrimmed]    manifest of the current image
//   machine_image_tool ls --store DIR
//   machine_image_tool seed --out ISO --hostname NAME --key PUBKEY_FILE [--instance ID] [--user U]
//        [--network-config FILE]
#include "engine/image/image_cache.h"
#include "machine/support/error.h"
#include "machine/support/fs.h"
#include "provision/seed.h"

#include <fmt/format.h>

#include <iostream>
#include <map>

using namespace machine;
namespace img = machine::engine::image;

namespace {

struct Args {
    std::string command;
    std::map<std::string, std::string> values;
    bool has(const std::string& k) const { return values.count(k) > 0; }
    std::string get(const std::string& k) const {
        auto it = values.find(k);
        if (it == values.end())
            throw UsageError("missing --" + k);
        return it->second;
    }
};

Args parse(int argc, char** argv) {
    if (argc < 2)
        throw UsageError("usage: machine_image_tool build|info|ls|seed [options]");
    Args a{argv[1], {}};
    for (int i = 2; i < argc; ++i) {
        std::string s = argv[i];
        if (s.rfind("--", 0) != 0)
            throw UsageError("unexpected argument " + s);
        s = s.substr(2);
        if (s == "no-engine" || s == "untrimmed" || s == "rebuild")
            a.values[s] = "1";
        else if (i + 1 < argc)
            a.values[s] = argv[++i];
        else
            throw UsageError("--" + s + " needs a value");
    }
    return a;
}

img::ImageCache cache_for(const Args& a, support::ProcessRunner& runner) {
    img::BuildOptions o;
    o.variant.with_engine = !a.has("no-engine");
    o.variant.trim = !a.has("untrimmed");
    return img::ImageCache(a.get("store"), runner, o);
}

int run(const Args& a) {
    support::SystemProcessRunner runner;
    auto progress = [](const std::string& line) { std::cerr << line << std::endl; };
    if (a.command == "build") {
        auto cache = cache_for(a, runner);
        auto info = a.has("rebuild") ? cache.rebuild(progress) : cache.ensure(progress);
        std::cout << info.disk.string() << "\n";
    } else if (a.command == "info") {
        auto cache = cache_for(a, runner);
        auto info = cache.find(cache.current_recipe_hash());
        if (!info)
            throw NotFound("image " + cache.current_recipe_hash() + " is not built");
        std::cout << img::manifest_json(*info);
    } else if (a.command == "ls") {
        auto cache = cache_for(a, runner);
        std::cout << img::format_image_table(cache.list(), cache.current_recipe_hash());
    } else if (a.command == "seed") {
        provision::SeedConfig c;
        c.hostname = a.get("hostname");
        c.instance_id = a.has("instance") ? a.get("instance") : "iid-" + c.hostname;
        if (a.has("user"))
            c.user = a.get("user");
        auto key = support::read_file(a.get("key"));
        c.ssh_public_key = key.substr(0, key.find('\n'));
        if (a.has("network-config"))
            c.network_config = support::read_file(a.get("network-config"));
        provision::write_seed_iso(c, a.get("out"), runner);
    } else {
        throw UsageError("unknown command " + a.command);
    }
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    try {
        return run(parse(argc, argv));
    } catch (const Error& e) {
        std::cerr << "machine_image_tool: error: " << e.what() << "\n";
        return e.exit_code();
    } catch (const std::exception& e) {
        std::cerr << "machine_image_tool: error: " << e.what() << "\n";
        return 1;
    }
}
