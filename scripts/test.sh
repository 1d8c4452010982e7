#!/usr/bin/env bash
# Runs every test tier: unit, integration, the Debian package on a clean root, (when asked) the
# unit and integration tiers again under ASan+UBSan with the fuzz targets (a second build folder,
# clang), then end-to-end VM tests inside the lab namespace, then the benchmarks.
# Usage: bash scripts/test.sh [build-dir]
# Tiers alone: ctest --test-dir build -L unit | -L integration | -L package | -L e2e | -L bench
# The sanitizer tiers run with MACHINE_SANITIZE_TIERS=1 (their folder is $MACHINE_ASAN_BUILD,
# default build-asan). They are not on by default yet: they have not had a clean run (issue 10).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${1:-build}
ctest --test-dir "$build_dir" --output-on-failure -L 'unit|integration' -j2
ctest --test-dir "$build_dir" --output-on-failure -L '^package$'

if [ "${MACHINE_SANITIZE_TIERS:-0}" != 0 ]; then
  asan_dir=${MACHINE_ASAN_BUILD:-build-asan}
  export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$(cd .. && pwd)} CCACHE_NOHASHDIR=1
  cmake -S . -B "$asan_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_CXX_COMPILER_LAUNCHER=ccache \
    -DMACHINE_SANITIZE=ON -DMACHINE_FUZZ=ON >/dev/null
  # Only what the two tiers and the fuzz label run (not e2e tools or benchmarks).
  cmake --build "$asan_dir" -j2 --target machine_unit_tests machine_integration_tests \
    machine_fuzzers
  ctest --test-dir "$asan_dir" --output-on-failure -L 'unit|integration' -j2
  ctest --test-dir "$asan_dir" --output-on-failure -L fuzz -j2
fi

ctest --test-dir "$build_dir" --output-on-failure -L e2e
ctest --test-dir "$build_dir" --output-on-failure -L '^bench$'
