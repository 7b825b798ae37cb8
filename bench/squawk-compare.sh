#!/usr/bin/env bash
# Compares `dbtool migrate lint` with squawk-cli 2.66 (installed here from npm, never needed
# to build or test dbtool) on the corpus of realistic migrations in tests/lint/corpus, and
# writes bench/SQUAWK.md: counts per shared rule and every disagreement. README "How migrate
# lint compares with squawk" says which tool is right for each kind of disagreement.
#
#   bench/squawk-compare.sh [BUILD_DIR]     (default build/)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
if ! command -v npm >/dev/null || ! command -v node >/dev/null; then
  echo "squawk-compare: npm and node are needed to install squawk-cli; skipped" >&2
  exit 0
fi
if [[ ! -x $build/dbtool ]]; then
  cmake -S . -B "$build" >/dev/null
  cmake --build "$build" -j "$(nproc)" --target dbtool >/dev/null
fi
work=bench/work/squawk
mkdir -p "$work"
if [[ ! -x $work/node_modules/.bin/squawk ]]; then
  npm install --prefix "$work" --no-audit --no-fund --silent squawk-cli@2.66.0 >&2
fi
# Both tools with every rule on: dbtool's style rules are off unless configured.
cat >"$work/dbtool.yaml" <<'YAML'
development: {}
lint:
  rules:
    prefer-text-field: warning
    prefer-bigint-over-int: warning
    prefer-bigint-over-smallint: warning
    prefer-identity: warning
    prefer-timestamptz: warning
    ban-char-field: warning
YAML
node bench/squawk-compare.mjs "$PWD/$build/dbtool" "$PWD/$work/node_modules/.bin/squawk" \
  tests/lint/corpus "$work/dbtool.yaml" bench/SQUAWK.md
