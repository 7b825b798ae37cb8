#!/usr/bin/env bash
# Configures the clang build with AddressSanitizer, UndefinedBehaviorSanitizer and libFuzzer's
# coverage instrumentation that scripts/test-sanitized.sh and scripts/fuzz.sh share (one set of
# flags, so neither run reconfigures the other's build).
#
#   scripts/configure-sanitized.sh BUILD_DIR
set -euo pipefail
cd "$(dirname "$0")/.."
# Line tables are all a sanitizer report needs for its stack traces; the front end and the
# tests (DBTOOL_FRONTEND_OPT) are not optimized at all: together about half the build time.
cmake -S . -B "$1" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -gline-tables-only" \
  -DDBTOOL_FRONTEND_OPT=-O0 -DCMAKE_CXX_COMPILER=clang++ \
  -DDBTOOL_WERROR=ON -DDBTOOL_BUILD_TESTS=ON -DDBTOOL_SANITIZE=ON -DDBTOOL_FUZZ=ON \
  -DDBTOOL_UNITY_BUILD=ON -DDBTOOL_UNITY_BATCH=3 >/dev/null
