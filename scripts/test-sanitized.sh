#!/usr/bin/env bash
# Builds dbtool and its tests with clang, AddressSanitizer and UndefinedBehaviorSanitizer
# (plus libFuzzer's coverage instrumentation, so the same build holds the fuzz targets) and
# runs the whole test suite against a throwaway PostgreSQL. Any sanitizer report fails the run:
# in the test binary directly, in a spawned dbtool through its exit code and stderr.
#
#   scripts/test-sanitized.sh [ctest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
build_dir=${BUILD_DIR:-build-sanitized}
scripts/configure-sanitized.sh "$build_dir"
cmake --build "$build_dir" -j "$(nproc)"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# The kill trials look for memory errors here, not for new kill points: 3 instead of 25 keeps
# CI well under its time limit (scripts/test.sh runs all 25).
export DBTOOL_FAULT_TRIALS=${DBTOOL_FAULT_TRIALS:-3}
# Likewise the workflow checker: 60 steps per seed here, 300 in scripts/test.sh.
export DBTOOL_WORKFLOW_STEPS=${DBTOOL_WORKFLOW_STEPS:-60}
# Three at a time: the tests mostly wait on the server and on spawned processes (measured on
# 2 cores: 200 s instead of 230 s, nothing flaky).
scripts/with-postgres.sh ctest --test-dir "$build_dir" -j "${CTEST_PARALLEL:-3}" --output-on-failure "$@"
