#!/usr/bin/env bash
# Builds the libFuzzer targets (tools/fuzzers; everything under ASan + UBSan,
# in build-fuzz/) and runs each for a time on a corpus seeded from the tests.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]     TARGET: npz onnx mlir qt (default: all)
#
# With QOPT_FUZZ_RUNS=N each target runs N inputs from seed 1 instead (what
# scripts/test.sh does: the same inputs on every run, so CI is repeatable).
#
# A target fails on a crash, a sanitizer report, an input slower than 10 s or
# an allocation beyond 2 GB; the input is saved as build-fuzz/crash-*. The
# corpora grow in build-fuzz/corpus/<target> across runs. QOPT_FUZZ_BUILD_DIR
# and QOPT_JOBS override the defaults (scripts/build-fuzz.sh). docs/robustness.md has the results.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${QOPT_FUZZ_BUILD_DIR:-$root/build-fuzz}
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(npz onnx mlir qt)

"$root/scripts/build-fuzz.sh" "${targets[@]/#/qopt-fuzz-}"

# Seeds: what the tests feed the tools.
seed() {
  local target=$1 corpus=$2
  case $target in
    npz) find "$root/test" "$root/unittests" "$root/examples" -name '*.np[yz]' -size -200k ;;
    onnx) find "$root/test" "$root/examples" -name '*.onnx' -size -200k
          # The importer tests' models (text protos) and ONNX's own node tests.
          for f in "$root"/test/Import/ONNX/Inputs/*.textproto; do
            protoc --encode=onnx.ModelProto -I/usr/include onnx/onnx.proto < "$f" \
              > "$corpus/seed-$(basename "$f" .textproto).onnx"
          done
          find /usr/share/libonnx-testdata/data/node -name model.onnx -size -20k 2> /dev/null |
            sort | awk 'NR % 8 == 1' ;;
    mlir) find "$root/test" -name '*.mlir' -size -4k ;;
    # The qt target builds its input from the bytes: any bytes are a seed.
    qt) find "$root/test/Dialect/QT" -name '*.mlir' ;;
  esac | while read -r f; do cp "$f" "$corpus/seed-$(sha1sum < "$f" | cut -c1-16)"; done
}

if [ -n "${QOPT_FUZZ_RUNS:-}" ]; then
  budget=(-runs="$QOPT_FUZZ_RUNS" -seed=1)
else
  budget=(-max_total_time="$seconds")
fi
status=0
for t in "${targets[@]}"; do
  corpus=$build/corpus/$t
  mkdir -p "$corpus"
  seed "$t" "$corpus"
  echo "== qopt-fuzz-$t: ${budget[*]}, corpus $(ls "$corpus" | wc -l) files"
  (cd "$build" && ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1 \
    "$build/bin/qopt-fuzz-$t" "$corpus" "${budget[@]}" -timeout=10 \
    -rss_limit_mb=2048 -malloc_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
    2>&1 | grep -E '^(#[0-9]+[[:space:]]+DONE|stat::number_of_executed_units|stat::peak_rss_mb|==[0-9]+==ERROR|SUMMARY|.*Test unit written)' ) ||
    status=1
  [ -z "$(ls "$build"/crash-* "$build"/timeout-* "$build"/oom-* 2> /dev/null)" ] || status=1
done
exit $status
