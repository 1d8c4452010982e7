#pragma once
// The parts of `machine` that need heavy shared libraries (the libvirt driver: libvirt, libxml2
// and glib; the Docker API transport: libcurl) live in one loadable module, machine-backends.so,
// opened on first use. Loading those libraries costs ~10 ms per process, which every `env`,
// `ip` or `inspect` paid before although none of them uses them.
//
// Each layer names its own entry point (an extern "C" function, "..._v1") and calls
// backend_function<F>(name). Binaries that link the backends in (the test binaries) export the
// entry points and are used as they are; the `machine` binary opens the module:
//   $MACHINE_BACKENDS when set (that file only), else the first of
//   <dir of the binary>/machine-backends.so and <dir of the binary>/../lib/machine/ that exists.
// The module must come from the same build as the binary (machine_backends_build_v1, made by
// machine/backends_build.cpp, equals the binary's MACHINE_BUILD_ID); another is refused.
#include <string>

namespace machine::support {

inline constexpr const char* k_backends_module = "machine-backends.so";

// The address of `name` in the backends. Throws Unavailable naming the places looked in when the
// module is missing or does not have `name` (a module from another build).
void* backend_symbol(const char* name, const char* what);

template <class F> F backend_function(const char* name, const char* what) {
    return reinterpret_cast<F>(backend_symbol(name, what));
}

} // namespace machine::support
