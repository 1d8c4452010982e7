#!/usr/bin/env bash
# Runs every test tier: unit, integration, the Debian package on a clean root, then end-to-end VM
# tests inside the lab namespace, then the benchmarks. Usage: bash scripts/test.sh [build-dir]
# Tiers alone: ctest --test-dir build -L unit | -L integration | -L package | -L e2e | -L bench
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${1:-build}
ctest --test-dir "$build_dir" --output-on-failure -L 'unit|integration' -j2
ctest --test-dir "$build_dir" --output-on-failure -L '^package$'
ctest --test-dir "$build_dir" --output-on-failure -L e2e
ctest --test-dir "$build_dir" --output-on-failure -L '^bench$'
