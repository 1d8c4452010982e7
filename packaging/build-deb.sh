#!/usr/bin/env bash
# Builds machine's Debian package, machine_VERSION-REVISION_ARCH.deb, and prints its path.
#   bash packaging/build-deb.sh [BUILD_DIR [REVISION]]        (defaults: build-deb, 1)
# BUILD_DIR is a build of the program only (no tests) configured with the Debian revision, so
# `machine version` names the package's version; CPack's DEB generator then packs what
# `cmake --install` puts (cmake/Packaging.cmake). With ccache (scripts/setup.sh sets it up),
# nearly every object is a cache hit of an earlier build: only the version's two files differ.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${1:-$src/build-deb}
revision=${2:-1}

launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$(dirname "$src")} CCACHE_NOHASHDIR=1
fi
# Configured once per revision: each configure draws a new build identity (CMakeLists.txt), which
# rebuilds the binary and the module; ninja reconfigures by itself when a CMakeLists.txt changes.
if ! grep -qx "MACHINE_DEB_REVISION:STRING=$revision" "$build_dir/CMakeCache.txt" 2>/dev/null; then
  cmake -S "$src" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}" \
    -DMACHINE_TESTS=OFF -DMACHINE_DEB_REVISION="$revision" >/dev/null
fi
cmake --build "$build_dir" -j"$(nproc)" >&2
rm -f "$build_dir"/machine_*.deb
(cd "$build_dir" && cpack -G DEB >&2)
ls "$build_dir"/machine_*.deb
