#!/usr/bin/env bash
# Runs each libFuzzer target for SECONDS (default 60) from the seed corpus (tests/fuzz/corpus
# plus the examples), in the sanitized clang build of scripts/test-sanitized.sh.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]      e.g. scripts/fuzz.sh 3600 fuzz_seed
#
# A crash, hang (10 s per input), leak or over-2-GiB input stops the run with a non-zero exit;
# the input is left in build-sanitized/fuzz/findings/TARGET/. To keep it as a regression test,
# copy it to tests/fuzz/regressions/TARGET/ (tests/fuzz/fuzz_corpus_test.cpp replays that folder).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
shift || true
targets=("$@")
((${#targets[@]})) || targets=(fuzz_migration fuzz_seed fuzz_dotenv fuzz_config)

scripts/install-deps.sh
build_dir=${BUILD_DIR:-build-sanitized}
scripts/configure-sanitized.sh "$build_dir"
cmake --build "$build_dir" -j "$(nproc)" --target "${targets[@]}"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
for target in "${targets[@]}"; do
  work=$build_dir/fuzz/corpus/$target
  findings=$build_dir/fuzz/findings/$target
  mkdir -p "$work" "$findings"
  seeds=(tests/fuzz/corpus/"$target")
  [[ -d tests/fuzz/regressions/$target ]] && seeds+=(tests/fuzz/regressions/"$target")
  case $target in
    fuzz_migration) seeds+=(migrations-example) ;;
    fuzz_seed) seeds+=(seeds-example) ;;
  esac
  echo "fuzz: $target for ${seconds}s" >&2
  "$build_dir/tests/fuzz/$target" "$work" "${seeds[@]}" -max_total_time="$seconds" \
    -timeout=10 -rss_limit_mb=2048 -max_len=65536 -artifact_prefix="$findings/" \
    -print_final_stats=1 2>"$build_dir/fuzz/$target.log" ||
    { tail -60 "$build_dir/fuzz/$target.log" >&2; echo "fuzz: $target found a problem" >&2; exit 1; }
  grep -E '^stat::(number_of_executed_units|peak_rss_mb)|^#[0-9]+.*DONE' "$build_dir/fuzz/$target.log" >&2 || true
done
