// machine image build | ls | rm: the bundled engine image, built locally from Debian packages
// and cached under <store>/cache/images/<recipe hash>/.
#include "machine/cli/context.h"

#include "engine/image/image_cache.h"
#include "machine/support/log.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <iostream>

namespace machine::cli {

namespace {

engine::image::BuildOptions build_options(bool without_engine, bool untrimmed) {
    engine::image::BuildOptions o;
    o.variant.with_engine = !without_engine;
    o.variant.trim = !untrimmed;
    return o;
}

} // namespace

void add_image_commands(CLI::App& app, Context& ctx) {
    auto* image = app.add_subcommand("image", "Build, list and remove the bundled engine image");
    image->require_subcommand(1);
    image->footer(R"X(The bundled image is Debian 12 with systemd, openssh-server and docker.io, built
locally with mmdebstrap from Debian packages (needs root and a Debian mirror). It is built on
the first `create` that needs it and cached by the hash of its recipe: later creates reuse it,
and a new recipe (a new machine version) builds a new one.)X");

    struct BuildArgs {
        bool force = false;
        bool without_engine = false;
        bool untrimmed = false;
    };
    auto b = std::make_shared<BuildArgs>();
    auto* build = image->add_subcommand("build", "Build the image now (reuses the cache)");
    build->add_flag("-f,--force", b->force, "Build again even if the cache has it");
    build->add_flag("--without-engine", b->without_engine,
                    "The variant without docker.io (provisioning installs the engine)");
    build->add_flag("--untrimmed", b->untrimmed,
                    "Keep docs, locales and timers (the baseline for boot benchmarks)");
    build->callback([&ctx, b] {
        Store store = ctx.store();
        engine::image::ImageCache cache(store.root(), ctx.runner(),
                                        build_options(b->without_engine, b->untrimmed));
        auto progress = [](const std::string& step) { std::cout << step << "\n" << std::flush; };
        auto info = b->force ? cache.rebuild(progress) : cache.ensure(progress);
        std::cout << fmt::format("Image {} ready: {}\n", info.hash.substr(0, 12),
                                 info.disk.string());
    });

    auto* ls = image->add_subcommand("ls", "List cached images");
    ls->callback([&ctx] {
        Store store = ctx.store();
        engine::image::ImageCache cache(store.root(), ctx.runner());
        std::cout << engine::image::format_image_table(cache.list(), cache.current_recipe_hash());
    });

    auto hash = std::make_shared<std::string>();
    auto* rm = image->add_subcommand("rm", "Remove a cached image");
    rm->add_option("hash", *hash, "Image hash or a unique prefix (6+ characters)")->required();
    rm->callback([&ctx, hash] {
        Store store = ctx.store();
        engine::image::ImageCache cache(store.root(), ctx.runner());
        cache.remove(*hash);
        std::cout << "Removed image " << *hash << "\n";
    });
}

} // namespace machine::cli
