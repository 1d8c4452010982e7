#include "machine/support/backends.h"

#include "machine/support/error.h"
#include "machine/support/log.h"

#include <dlfcn.h>
#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <vector>

namespace machine::support {
namespace {

namespace fs = std::filesystem;

struct Module {
    void* handle = nullptr;
    std::vector<std::string> tried; // "path: why" for each place looked in
};

std::vector<fs::path> candidates() {
    std::vector<fs::path> paths;
    if (const char* env = std::getenv("MACHINE_BACKENDS"); env && *env)
        paths.emplace_back(env);
    std::error_code ec;
    fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        paths.push_back(exe.parent_path() / k_backends_module);
        paths.push_back(exe.parent_path().parent_path() / "lib" / "machine" / k_backends_module);
    }
    return paths;
}

Module& module() {
    static Module m;
    static std::once_flag once;
    std::call_once(once, [] {
        for (const auto& path : candidates()) {
            // RTLD_LOCAL: the module's symbols stay out of the global scope; its references to
            // the binary's own functions (logging, process runner) bind to the binary's copies.
            if (void* h = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL)) {
                debug("backends: loaded {}", path.string());
                m.handle = h;
                return;
            }
            const char* why = dlerror();
            m.tried.push_back(why ? why : path.string() + ": cannot be loaded");
        }
    });
    return m;
}

} // namespace

void* backend_symbol(const char* name, const char* what) {
    // Linked in (and exported) by this binary: use it as it is.
    if (void* own = dlsym(RTLD_DEFAULT, name))
        return own;
    Module& m = module();
    if (!m.handle) {
        std::string tried;
        for (const auto& t : m.tried)
            tried += "\n  " + t;
        throw Unavailable(fmt::format(
            "{} is in {}, which cannot be loaded (install it next to the machine binary, or in "
            "../lib/machine/, or set MACHINE_BACKENDS to its path). Looked in:{}",
            what, k_backends_module, tried));
    }
    dlerror();
    void* sym = dlsym(m.handle, name);
    if (!sym)
        throw Unavailable(fmt::format("{}: the loaded {} has no {} (it is from another build of "
                                      "machine; reinstall both together)",
                                      what, k_backends_module, name));
    return sym;
}

} // namespace machine::support
