#include "machine/support/backends.h"

#include "machine/support/error.h"
#include "machine/support/log.h"

#include <dlfcn.h>
#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <vector>

#ifndef MACHINE_BUILD_ID
#error "MACHINE_BUILD_ID must be defined (machine/support/CMakeLists.txt)"
#endif

namespace machine::support {
namespace {

namespace fs = std::filesystem;

struct Module {
    const Backends* table = nullptr;
    std::string problem; // why there is no table, for the error message
};

// Opens `path` and checks it was built with this binary: the module's code calls this binary's
// functions and shares its types, so a module from another build is refused, not used.
Module open_module(const fs::path& path) {
    Module m;
    void* h = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char* why = dlerror();
        m.problem = fmt::format("found {} but cannot load it: {}", path.string(),
                                why ? why : "unknown error");
        return m;
    }
    using Entry = const Backends* (*)();
    auto entry = reinterpret_cast<Entry>(dlsym(h, "machine_backends_v1"));
    const Backends* table = entry ? entry() : nullptr;
    const std::string theirs = table && table->build_id ? table->build_id : "none";
    if (theirs != MACHINE_BUILD_ID) {
        m.problem = fmt::format("{} is from another build of machine (build {}, this binary is "
                                "build {}); install the binary and the module together",
                                path.string(), theirs, MACHINE_BUILD_ID);
        return m; // left loaded: unloading code that may have registered anything is worse
    }
    debug("backends: loaded {}", path.string());
    m.table = table;
    return m;
}

Module load() {
    // An explicit choice is used alone: a bad one is an error, never silently replaced.
    if (const char* env = std::getenv("MACHINE_BACKENDS"); env && *env) {
        Module m = open_module(env);
        if (!m.table)
            m.problem = "MACHINE_BACKENDS: " + m.problem;
        return m;
    }
    std::error_code ec;
    fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (ec)
        return {nullptr, "cannot find this binary's folder (/proc/self/exe): " + ec.message()};
    const std::vector<fs::path> places = {
        exe.parent_path() / k_backends_module,
        exe.parent_path().parent_path() / "lib" / "machine" / k_backends_module,
    };
    for (const auto& path : places)
        if (fs::exists(path, ec))
            return open_module(path); // the first one there is the one, working or not
    std::string looked;
    for (const auto& path : places)
        looked += (looked.empty() ? "" : ", ") + path.string();
    return {nullptr, fmt::format("it is in neither {} (install it next to the binary or in "
                                 "../lib/machine/, or set MACHINE_BACKENDS to its path)",
                                 looked)};
}

} // namespace

const Backends& BackendsModule::get(const char* what) {
    std::call_once(m_once, [this] {
        Module m = load();
        m_table = m.table;
        m_problem = std::move(m.problem);
    });
    if (!m_table)
        throw Unavailable(fmt::format("{} is in {}, which cannot be used: {}", what,
                                      k_backends_module, m_problem));
    return *m_table;
}

} // namespace machine::support
