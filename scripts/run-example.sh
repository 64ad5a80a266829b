#!/usr/bin/env bash
# The main job on the bundled example: compile the digits MLP and CNN to
# native objects with qopt, link each into examples/digits/classify.c through
# its generated header, run it over the test set and print what it computed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${QOPT_BUILD_DIR:-$root/build}
out=$build/examples/digits
data=$root/examples/digits
mkdir -p "$out"

for model in mlp cnn; do
  upper=$(echo "$model" | tr a-z A-Z)
  echo "== $model: qopt --lower-to-llvm examples/digits/$model.mlir -o $out/$model.o"
  "$build/bin/qopt" --lower-to-llvm "$data/$model.mlir" -o "$out/$model.o"
  cc -O2 -I"$out" -DMODEL=$model -DMODEL_UPPER=$upper "$data/classify.c" \
    "$out/$model.o" -lm -o "$out/$model"
  "$out/$model" "$data/test_inputs.npy" "$data/test_labels.npy" \
    "$data/expected_$model.npy"
  echo "object size: $(stat -c %s "$out/$model.o") bytes"
  echo "float32 accuracy measured by the training script: $(
    grep -A1 "\"$model\"" "$data/accuracy.json" | grep -o '[0-9]\.[0-9]*')"
done
