#!/usr/bin/env bash
# Installs dependencies, builds dbtool with warnings as errors, and runs the whole test suite
# against a throwaway PostgreSQL (or the server in DBTOOL_TEST_DATABASE_URL when set).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
build_dir=${BUILD_DIR:-build}
# Line tables (-g1) are enough for backtraces and build a quarter faster than full -g. The
# tests wait on the server and on spawned processes, so this build favours compile time:
# libraries at -O1 (measured on 2 cores: 103 s instead of 127 s at -O2), the CLI and the tests
# at -O0 (151 s instead of 193 s). Benchmarks use their own Release build (bench/run.sh).
cmake -S . -B "$build_dir" -DDBTOOL_WERROR=ON -DDBTOOL_BUILD_TESTS=ON \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" -DDBTOOL_FRONTEND_OPT=-O0 -DDBTOOL_UNITY_BUILD=ON >/dev/null
cmake --build "$build_dir" -j "$(nproc)"
scripts/with-postgres.sh ctest --test-dir "$build_dir" -j "${CTEST_PARALLEL:-2}" --output-on-failure "$@"
# The workflow checker's seeds (one is random), for repeating a run by hand.
grep -h "^workflow checker:" "$build_dir/Testing/Temporary/LastTest.log" 2>/dev/null || true
