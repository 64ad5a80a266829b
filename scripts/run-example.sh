#!/usr/bin/env bash
# The main job on the bundled example: compile the digits MLP and CNN to
# native objects with qopt, in float32 and quantized to int8 (calibrated on
# examples/digits/calib.npz), link each into examples/digits/classify.c
# through its generated header, run them over the 360 test samples and
# print accuracy, object size and time per sample side by side.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${QOPT_BUILD_DIR:-$root/build}
qopt=$build/bin/qopt
out=$build/examples/digits
data=$root/examples/digits
mkdir -p "$out"

run() { # model variant qopt-args...
  local model=$1 variant=$2 upper
  shift 2
  upper=$(echo "${model}_$variant" | tr a-z A-Z)
  # Remarks (which ops stay float and why) go to a log beside the object.
  "$qopt" "$@" --lower-to-llvm --mlir-print-op-on-diagnostic=false \
    "$data/$model.mlir" -o "$out/${model}_$variant.o" 2> "$out/${model}_$variant.log"
  cc -O2 -I"$out" -DMODEL="${model}_$variant" -DMODEL_UPPER="$upper" \
    "$data/classify.c" "$out/${model}_$variant.o" -lm -o "$out/${model}_$variant"
  local report
  report=$("$out/${model}_$variant" "$data/test_inputs.npy" "$data/test_labels.npy")
  printf '%-5s %-8s %-24s %8s bytes  %s\n' "$model" "$variant" \
    "$(echo "$report" | sed -n 's/^accuracy: //p')" \
    "$(stat -c %s "$out/${model}_$variant.o")" \
    "$(echo "$report" | sed -n 's/^time per sample: //p')"
}

echo "qopt on the bundled digits models (360 test samples; see docs/example-models.md)"
printf '%-5s %-8s %-24s %14s  %s\n' model variant "top-1 accuracy" "object size" "time per sample"
for model in mlp cnn; do
  run "$model" float32
  run "$model" int8 --quantize-int8="data=$data/calib.npz"
  echo "      (float32 accuracy measured by the training script: $(
    grep -A1 "\"$model\"" "$data/accuracy.json" | grep -o '[0-9]\.[0-9]*'))"
done
echo "qopt's remarks (ops kept in float and why): $out/*.log"
