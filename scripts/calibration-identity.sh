#!/usr/bin/env bash
# Checks that two builds of qopt calibrate to byte-identical MLIR (the same
# ranges, so the same histograms for the histogram methods) on the bundled
# models and, if fetched (bench/calibration.sh --ppocr), PP-OCR cls:
#
#   scripts/calibration-identity.sh OLD_BUILD_DIR [NEW_BUILD_DIR]
#
# NEW_BUILD_DIR defaults to build/. Prints one line per model and method and
# exits 1 if any output differs.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
old=$1
new=${2:-$root/build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cases=(digits/cnn.mlir:digits/calib.npz digits/mlp.mlir:digits/calib.npz
       mnist/lenet.mlir:mnist/calib.npz fashion/cnn.mlir:fashion/calib.npz)
cls=$new/models/package/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx
if [ -f "$cls" ]; then
  "$new/bin/qopt-translate" --import-onnx "$cls" --input-shape=x:1x3x48x192 -o "$tmp/cls.mlir"
  /usr/bin/python3 -c "import numpy as np; np.savez('$tmp/cls.npz', x=np.random.default_rng(0).uniform(-1, 1, (16, 3, 48, 192)).astype(np.float32))"
  cases+=("$tmp/cls.mlir:$tmp/cls.npz")
fi
status=0
for c in "${cases[@]}"; do
  model=${c%%:*} data=${c#*:}
  [[ $model = /* ]] || model=$root/examples/$model
  [[ $data = /* ]] || data=$root/examples/$data
  for method in minmax percentile entropy mse; do
    for which in old new; do
      build=$old; [ $which = new ] && build=$new
      "$build/bin/qopt" --qt-calibrate="data=$data method=$method progress=false" "$model" -o "$tmp/$which.mlir"
    done
    if cmp -s "$tmp/old.mlir" "$tmp/new.mlir"; then
      echo "identical: $(basename "$model") $method ($(grep -c 'qt.range' "$tmp/new.mlir") ranges)"
    else
      echo "DIFFERENT: $(basename "$model") $method"
      status=1
    fi
  done
done
exit $status
