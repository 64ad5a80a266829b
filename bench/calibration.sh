#!/usr/bin/env bash
# Calibration cost, as ratios measured in one run (absolute times drift on
# shared machines):
#  - time to calibrate over N samples / time for qopt-run to run the float
#    model over the same N samples (both whole processes, JIT included);
#  - peak memory of calibration with 10,000 samples / with 100 samples.
# Uses the bundled digits CNN; samples are the test inputs repeated.
# Needs a built qopt and /usr/bin/python3 with numpy. Prints a Markdown table.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${QOPT_BUILD_DIR:-$root/build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
model=$root/examples/digits/cnn.mlir

/usr/bin/python3 - "$root/examples/digits/test_inputs.npy" "$tmp" <<'PY'
import sys, numpy as np
x = np.load(sys.argv[1])
for n in (100, 10000):
    reps = -(-n // len(x))
    np.savez(f"{sys.argv[2]}/samples{n}.npz", arg0=np.tile(x, (reps, 1))[:n])
PY

measure() { # label command... -> "seconds maxrss_kb"
  /usr/bin/time -f "%e %M" -o "$tmp/time" "$@" > /dev/null 2>&1
  cat "$tmp/time"
}

echo "| method | N | calibrate (s) | qopt-run float (s) | ratio | peak RSS (MB) |"
echo "|---|---|---|---|---|---|"
declare -A rss
for method in minmax entropy; do
  for n in 100 10000; do
    read -r tc mc < <(measure "$build/bin/qopt" --qt-calibrate="data=$tmp/samples$n.npz method=$method progress=false" "$model" -o "$tmp/out.mlir")
    read -r tr _ < <(measure "$build/bin/qopt-run" "$model" --inputs "$tmp/samples$n.npz")
    rss[$method$n]=$mc
    printf '| %s | %d | %.2f | %.2f | %.2f | %.1f |\n' "$method" "$n" "$tc" "$tr" \
      "$(awk "BEGIN{print $tc / $tr}")" "$(awk "BEGIN{print $mc / 1024}")"
  done
done
echo
for method in minmax entropy; do
  printf 'peak memory, %s: 10,000 samples / 100 samples = %.3f\n' "$method" \
    "$(awk "BEGIN{print ${rss[${method}10000]} / ${rss[${method}100]}}")"
done
