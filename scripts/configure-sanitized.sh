#!/usr/bin/env bash
# Configures the clang build with AddressSanitizer, UndefinedBehaviorSanitizer and libFuzzer's
# coverage instrumentation that scripts/test-sanitized.sh and scripts/fuzz.sh share (one set of
# flags, so neither run reconfigures the other's build).
#
#   scripts/configure-sanitized.sh BUILD_DIR
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B "$1" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g" -DCMAKE_CXX_COMPILER=clang++ \
  -DDBTOOL_WERROR=ON -DDBTOOL_BUILD_TESTS=ON -DDBTOOL_SANITIZE=ON -DDBTOOL_FUZZ=ON >/dev/null
