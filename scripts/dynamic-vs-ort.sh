#!/usr/bin/env bash
# ONNX Runtime's dynamic quantization patterns (DynamicQuantizeLinear ->
# MatMulInteger or ConvInteger -> Cast -> Mul [-> Add]; test/Import/ONNX/
# Inputs/dynamic_matmul.py and dynamic_conv.py write them) through qopt
# (imported as qt.dynamic_fully_connected, run with qopt-run) and through ONNX
# Runtime (bench/peers, with graph optimizations off and on) on 500 random
# inputs more than the tests': prints, per output, how many values differ.
#   scripts/dynamic-vs-ort.sh
# Needs a built qopt, /usr/bin/python3 with numpy and onnx, node and `npm ci`
# in bench/peers (scripts/install-deps.sh --bench).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${QOPT_BUILD_DIR:-$root/build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
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
for pattern in matmul conv; do
  d=$tmp/$pattern
  mkdir -p "$d"
  /usr/bin/python3 "$root/test/Import/ONNX/Inputs/dynamic_$pattern.py" "$d" write 500
  "$build/bin/qopt-translate" --import-onnx "$d/model.onnx" -o "$d/model.mlir"
  "$build/bin/qopt-run" "$d/model.mlir" --inputs "$d/x.npz" --outputs "$d/y.npz" > /dev/null
  /usr/bin/python3 -c "
import numpy as np, sys
np.load(sys.argv[1])['x'].astype(np.float32).tofile(sys.argv[2])" "$d/x.npz" "$d/x.bin"
  node "$tmp/ort.js" "$root/bench/peers/node_modules/onnxruntime-node" "$d/model.onnx" \
    "$d/x.bin" > "$d/ort.json"
  /usr/bin/python3 -c "
import json, numpy as np, sys
y = np.load(sys.argv[1]); ort = json.load(open(sys.argv[2]))
for level, outs in ort.items():
    for name, values in outs.items():
        a = np.array(values, np.float32).reshape(y[name].shape)
        print('%s: ONNX Runtime (optimizations %s) %s: %d of %d values differ from qopt, max abs %.3g'
              % (sys.argv[3], level, name, int((a != y[name]).sum()), a.size,
                 float(np.abs(a - y[name]).max())))
" "$d/y.npz" "$d/ort.json" "$pattern"
done
