#!/usr/bin/env bash
# ONNX Runtime's dynamic quantization pattern (DynamicQuantizeLinear ->
# MatMulInteger -> Cast -> Mul [-> Add]; test/Import/ONNX/Inputs/
# dynamic_matmul.py writes it) through qopt (imported as
# qt.dynamic_fully_connected, run with qopt-run) and through ONNX Runtime
# (bench/peers, with graph optimizations off and on) on 503 inputs: prints,
# per output, how many values differ.
#   scripts/dynamic-vs-ort.sh
# Needs a built qopt, /usr/bin/python3 with numpy and onnx, node and `npm ci`
# in bench/peers (scripts/install-deps.sh --bench).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${QOPT_BUILD_DIR:-$root/build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
/usr/bin/python3 "$root/test/Import/ONNX/Inputs/dynamic_matmul.py" "$tmp" write 500
"$build/bin/qopt-translate" --import-onnx "$tmp/model.onnx" -o "$tmp/model.mlir"
"$build/bin/qopt-run" "$tmp/model.mlir" --inputs "$tmp/x.npz" --outputs "$tmp/y.npz" > /dev/null
/usr/bin/python3 -c "
import numpy as np, sys
np.load(sys.argv[1])['x'].astype(np.float32).tofile(sys.argv[2])" "$tmp/x.npz" "$tmp/x.bin"
cat > "$tmp/ort.js" <<'JS'
const ort = require(process.argv[2]);
const fs = require('fs');
(async () => {
  const out = {};
  for (const level of ['disabled', 'all']) {
    const s = await ort.InferenceSession.create(process.argv[3],
        {intraOpNumThreads: 1, graphOptimizationLevel: level});
    const buf = fs.readFileSync(process.argv[4]);
    const all = new Float32Array(buf.buffer, buf.byteOffset, buf.length / 4);
    const dims = s.inputMetadata ? s.inputMetadata[0].shape : [2, 3, 16];
    const size = dims.reduce((a, b) => a * b, 1);
    out[level] = {};
    for (let off = 0; off + size <= all.length; off += size) {
      const r = await s.run({[s.inputNames[0]]: new ort.Tensor('float32', all.slice(off, off + size), dims)});
      for (const name of s.outputNames)
        (out[level][name] = out[level][name] || []).push(...Array.from(r[name].data));
    }
  }
  console.log(JSON.stringify(out));
})();
JS
node "$tmp/ort.js" "$root/bench/peers/node_modules/onnxruntime-node" "$tmp/model.onnx" \
  "$tmp/x.bin" > "$tmp/ort.json"
/usr/bin/python3 -c "
import json, numpy as np, sys
y = np.load(sys.argv[1]); ort = json.load(open(sys.argv[2]))
for level, outs in ort.items():
    for name, values in outs.items():
        a = np.array(values, np.float32).reshape(y[name].shape)
        print('ONNX Runtime (optimizations %s) %s: %d of %d values differ from qopt, max abs %.3g'
              % (level, name, int((a != y[name]).sum()), a.size, float(np.abs(a - y[name]).max())))
" "$tmp/y.npz" "$tmp/ort.json"
