// Times ONNX Runtime (onnxruntime-node, one intra-op thread unless
// ORT_THREADS=<n> says otherwise, all graph optimizations) on a model with
// one uint8 or float32 input: prints seconds per call, best of 3 runs of at
// least 0.2 s. An input shape given as JSON replaces the model's (needed
// where it has dynamic dimensions).
//
//   node ort_run.js model.onnx ['[1,3,48,192]']  ->  "<seconds per call>"
const ort = require('onnxruntime-node');

async function main() {
  const session = await ort.InferenceSession.create(process.argv[2], {
    intraOpNumThreads: Number(process.env.ORT_THREADS || 1), interOpNumThreads: 1,
    graphOptimizationLevel: 'all', executionMode: 'sequential',
  });
  const meta = session.inputMetadata ? session.inputMetadata[0] : null;
  const name = session.inputNames[0];
  const dims = process.argv[3] ? JSON.parse(process.argv[3]) : meta.shape;
  const type = (meta && meta.type) ? meta.type : 'float32';
  const size = dims.reduce((a, b) => a * b, 1);
  const data = type === 'uint8' ? new Uint8Array(size) : new Float32Array(size);
  for (let i = 0; i < size; ++i) data[i] = type === 'uint8' ? (i * 7) & 255 : (i % 17) * 0.05;
  const feeds = {[name]: new ort.Tensor(type, data, dims)};
  await session.run(feeds);
  let best = Infinity;
  for (let rep = 0; rep < 3; ++rep) {
    let iters = 1;
    for (;;) {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < iters; ++i) await session.run(feeds);
      const t = Number(process.hrtime.bigint() - t0) / 1e9;
      if (t > 0.2) { best = Math.min(best, t / iters); break; }
      iters *= 2;
    }
  }
  console.log(best.toExponential(6));
}
main().catch((e) => { console.error(e.message); process.exit(1); });
