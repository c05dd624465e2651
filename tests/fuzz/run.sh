#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/fuzz_*.cpp) with clang in a
# separate build tree and runs each for SECONDS (default 20), seeded with
# files the fixture writers make. A crash, sanitizer report, timeout or OOM
# fails the script and leaves the input in $BUILD/fuzz-artifacts/<target>/.
#
#   tests/fuzz/run.sh [SECONDS]          # KINSPECT_FUZZ_BUILD_DIR=build-fuzz
#   build-fuzz/tests/fuzz_kdump build-fuzz/fuzz-artifacts/fuzz_kdump/crash-*   # replay
set -euo pipefail
secs=${1:-20}
cd "$(dirname "$0")/../.."
build=${KINSPECT_FUZZ_BUILD_DIR:-build-fuzz}

if ! command -v clang++ >/dev/null 2>&1; then
  echo "fuzz: clang++ not found; skipping the fuzzers" >&2
  exit 0
fi

mkdir -p "$build"
CC=clang CXX=clang++ cmake -B "$build" -G Ninja -DKINSPECT_FUZZ=ON >"$build/fuzz-cmake.log" 2>&1 ||
  { cat "$build/fuzz-cmake.log" >&2; exit 1; }
targets=()
for src in tests/fuzz/fuzz_*.cpp; do
  targets+=("$(basename "$src" .cpp)")
done
ninja -C "$build" -j2 "${targets[@]}" >&2

failed=0
for t in "${targets[@]}"; do
  bin="$build/tests/$t"
  seeds="$build/fuzz-seeds/$t"
  corpus="$build/fuzz-corpus/$t"
  artifacts="$build/fuzz-artifacts/$t"
  log="$build/fuzz-logs/$t.log"
  mkdir -p "$seeds" "$corpus" "$artifacts" "$(dirname "$log")"
  KINSPECT_FUZZ_WRITE_SEEDS="$seeds" "$bin"
  if "$bin" -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="$artifacts/" "$corpus" "$seeds" >"$log" 2>&1; then
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
    echo "fuzz $t: ${secs}s, $runs inputs, no failure"
  else
    echo "fuzz $t: FAILED, see $log and $artifacts/" >&2
    grep -E 'ERROR|SUMMARY|runtime error|Test unit written' "$log" | head -20 >&2 || true
    failed=1
  fi
done
exit $failed
