#!/usr/bin/env bash
# ThreadSanitizer run of the listing code (issue 10): ls's gathering (the joinable state pool,
# the engine batch over a fake transport) in the unit tests, and the built `machine ls` (curl
# multi transport woken from the pool's threads) against local TLS engines that answer, refuse
# and hang, plus a short stress run. Builds its own folder with clang; any report fails the run.
# Usage: bash scripts/tsan_listing.sh [build-dir]   (default build-tsan; ~20-40 min cold on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build-tsan}
cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_CXX_COMPILER_LAUNCHER=ccache \
  -DCMAKE_CXX_FLAGS="-fsanitize=thread -fno-omit-frame-pointer" \
  -DCMAKE_EXE_LINKER_FLAGS=-fsanitize=thread -DCMAKE_MODULE_LINKER_FLAGS=-fsanitize=thread \
  -DCMAKE_SHARED_LINKER_FLAGS=-fsanitize=thread >/dev/null
cmake --build "$dir" -j2 --target unit_machine integration_machine machine_stress_tests
# A report ends the process with 66: the tests see an abnormal exit or unexpected stderr.
export TSAN_OPTIONS="halt_on_error=1 exitcode=66 second_deadlock_stack=1"
"$dir/tests/unit_machine" --gtest_filter='GatherRows*:ProbePool*:ListFilter*:FormatNeeds*'
"$dir/tests/integration_machine" --gtest_filter='LsEngines*'
MACHINE_LS_STRESS_RUNS=${MACHINE_LS_STRESS_RUNS:-80} "$dir/tests/machine_stress_tests"
echo "tsan_listing: no ThreadSanitizer report"
