#!/usr/bin/env bash
# ThreadSanitizer run of the listing and lab code (issue 10), cheap: only their translation units
# are built with clang -fsanitize=thread (machine/listing.cpp: the state pool and gather_rows;
# machine/engine_status.cpp: the engine batch; provision/https_curl.cpp: the curl multi transport
# woken from other threads; machine/lab.cpp: the lab's job pool; machine/lab_machines.cpp: the
# lab's parallel store reads) with their tests (fake transport; real curl against local TLS
# engines that answer, refuse, hang; fake lab machines); everything else is linked from an
# existing regular build
# (uninstrumented code is not checked, and needs no rebuild). Any report fails the run.
# Usage: bash scripts/tsan_listing.sh [build-dir]   (default build; run `cmake --build` first)
set -euo pipefail
cd "$(dirname "$0")/.."
build=$(realpath "${1:-build}")
out="$build/tsan-listing"
mkdir -p "$out"
flags=(-std=c++20 -O1 -g -fsanitize=thread -fno-omit-frame-pointer -fPIE -DGTEST_HAS_PTHREAD=1
  -I. -Itests/unit/machine -Itests/integration/machine
  "-DMACHINE_BINARY=\"$build/machine/machine\"" "-DMACHINE_SOURCE_DIR=\"$PWD\""
  "-DMACHINE_BACKENDS_MODULE=\"$build/machine/machine-backends.so\"" -DFMT_SHARED)
srcs=(machine/listing.cpp machine/engine_status.cpp provision/https_curl.cpp
  machine/lab.cpp machine/lab_machines.cpp
  tests/unit/machine/gather_rows_test.cpp tests/unit/machine/listing_test.cpp
  tests/integration/machine/https_multi_test.cpp tests/unit/machine/lab_test.cpp)
objs=()
for s in "${srcs[@]}"; do
  o="$out/$(echo "$s" | tr / _).o"
  clang++ "${flags[@]}" -c "$s" -o "$o"
  objs+=("$o")
done
L=/usr/lib/x86_64-linux-gnu
clang++ -fsanitize=thread -pie -o "$out/tsan_listing_tests" "${objs[@]}" \
  "$build/machine/libmachine_core.a" $L/libgtest_main.a $L/libgmock.a $L/libgtest.a \
  "$build/env/libmachine_env.a" "$build/swarm/libmachine_swarm.a" \
  "$build/provision/libmachine_provision.a" "$build/engine/libmachine_engine.a" \
  "$build/drivers/libmachine_libvirt.a" "$build/drivers/libmachine_drivers.a" \
  "$build/machine/support/libmachine_support.a" \
  -lre2 -lssl -lcrypto -lfmt -lboost_filesystem -lcurl -ldl -lpthread
export TSAN_OPTIONS="halt_on_error=1 exitcode=66 second_deadlock_stack=1"
"$out/tsan_listing_tests" --gtest_repeat="${TSAN_REPEAT:-3}" \
  --gtest_filter='GatherRows*:ProbePool*:ListFilter*:FormatNeeds*:HttpsMulti*:Lab*:StoreLabMachines*'
echo "tsan_listing: no ThreadSanitizer report"
