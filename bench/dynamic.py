#!/usr/bin/env python3
"""ONNX Runtime's dynamic quantization of a MatMul (DynamicQuantizeLinear ->
MatMulInteger -> Cast -> Mul -> Add bias, as its quantize_dynamic writes it,
int8 weights with a per-tensor scale), one thread: qopt against ONNX Runtime
on the same file, and both against their float32 MatMul + Add, measured in
one run.

  /usr/bin/python3 bench/dynamic.py [--docs docs/performance.md]

qopt imports the pattern as qt.dynamic_fully_connected (docs/onnx-import.md)
and `qopt --lower-to-llvm` compiles it for the host (the dot kernel with a
float epilogue); timed through its C header (best of 3 runs of >= 0.2 s).
ONNX Runtime 1.30 (npm onnxruntime-node, bench/peers/ort_run.js, all graph
optimizations, one intra-op thread) is timed per call, minus the per-call
overhead of a trivial model (Identity) with the same input and output
shape, measured in the same run. Prints a Markdown table; with --docs
replaces the one between `<!-- dynamic:begin -->` / `<!-- dynamic:end -->`.
Needs a built qopt, python3-onnx, node and `npm ci` in bench/peers
(scripts/install-deps.sh --bench).
"""
import argparse
import datetime
import os
import sys
import tempfile

import numpy as np
import onnx
from onnx import helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import BUILD, MODEL_TIMER_C, PEERS, run, replace_marked  # noqa: E402

# (M, K, N): a BERT-base projection at 1, 16 and 128 tokens, its 4x MLP.
SHAPES = [(1, 768, 768), (16, 768, 768), (128, 768, 768), (128, 768, 3072)]


def models(m, k, n, d):
    rng = np.random.default_rng(0)
    w = rng.integers(-127, 128, (k, n)).astype(np.int8)
    s = np.float32(0.01)
    b = rng.standard_normal(n).astype(np.float32)
    x = helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, (m, k))
    y = helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, (m, n))
    graphs = {
        "dynamic": helper.make_graph(
            [helper.make_node("DynamicQuantizeLinear", ["x"], ["xq", "xs", "xz"]),
             helper.make_node("MatMulInteger", ["xq", "w", "xz"], ["acc"]),
             helper.make_node("Cast", ["acc"], ["accf"], to=onnx.TensorProto.FLOAT),
             helper.make_node("Mul", ["xs", "s"], ["scale"]),
             helper.make_node("Mul", ["accf", "scale"], ["mm"]),
             helper.make_node("Add", ["mm", "b"], ["y"])],
            "dynamic", [x], [y],
            [numpy_helper.from_array(w, "w"), numpy_helper.from_array(np.array(s), "s"),
             numpy_helper.from_array(b, "b")]),
        "float": helper.make_graph(
            [helper.make_node("MatMul", ["x", "wf"], ["mm"]),
             helper.make_node("Add", ["mm", "b"], ["y"])],
            "float", [x], [y],
            [numpy_helper.from_array(w.astype(np.float32) * s, "wf"),
             numpy_helper.from_array(b, "b")]),
    }
    paths = {}
    for name, graph in graphs.items():
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
        model.ir_version = 7
        paths[name] = os.path.join(d, "%s.onnx" % name)
        onnx.save(model, paths[name])
    # ONNX Runtime's per-call overhead: a trivial model of the same shapes.
    ident = helper.make_graph([helper.make_node("Identity", ["x"], ["y"])], "identity",
                              [x], [helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT,
                                                                  (m, k))])
    model = helper.make_model(ident, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 7
    paths["identity"] = os.path.join(d, "identity.onnx")
    onnx.save(model, paths["identity"])
    return paths


def qopt_time(onnx_path, d):
    bin_dir = os.path.join(BUILD, "bin")
    run([os.path.join(bin_dir, "qopt-translate"), "--import-onnx", onnx_path, "-o",
         os.path.join(d, "model.mlir")])
    run([os.path.join(bin_dir, "qopt"), "--lower-to-llvm", os.path.join(d, "model.mlir"), "-o",
         os.path.join(d, "model.o")])
    open(os.path.join(d, "timer.c"), "w").write(MODEL_TIMER_C)
    run(["cc", "-O2", "-I" + d, os.path.join(d, "timer.c"), os.path.join(d, "model.o"), "-lm",
         "-o", os.path.join(d, "timer")])
    return float(run([os.path.join(d, "timer")]))


def ort_time(onnx_path):
    return float(run(["node", os.path.join(PEERS, "ort_run.js"), onnx_path]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", help="replace the <!-- dynamic --> table in this file")
    args = parser.parse_args()
    rows = []
    for m, k, n in SHAPES:
        with tempfile.TemporaryDirectory() as d:
            paths = models(m, k, n, d)
            t = {}
            for name in ("dynamic", "float"):
                sub = os.path.join(d, name)
                os.makedirs(sub)
                t["qopt " + name] = qopt_time(paths[name], sub)
            overhead = ort_time(paths["identity"])
            for name in ("dynamic", "float"):
                t["ort " + name] = ort_time(paths[name]) - overhead
            rows.append((m, k, n, t, overhead))
            print(m, k, n, t, overhead, flush=True)
    lines = [
        "Measured %s by `/usr/bin/python3 bench/dynamic.py --docs docs/performance.md` "
        "(one thread; ONNX Runtime minus its per-call overhead on a trivial model of the same "
        "shapes, given):" % datetime.date.today().isoformat(),
        "",
        "| M × K → N | qopt dynamic int8 | ONNX Runtime dynamic int8 | qopt vs ONNX Runtime "
        "| qopt float32 | ONNX Runtime float32 | ONNX Runtime overhead |",
        "|---|---|---|---|---|---|---|",
    ]
    for m, k, n, t, overhead in rows:
        lines.append("| %d × %d → %d | %.1f µs | %.1f µs | %.2f× | %.1f µs | %.1f µs | %.1f µs |" % (
            m, k, n, 1e6 * t["qopt dynamic"], 1e6 * t["ort dynamic"],
            t["ort dynamic"] / t["qopt dynamic"], 1e6 * t["qopt float"], 1e6 * t["ort float"],
            1e6 * overhead))
    print("\n".join(lines))
    if args.docs:
        replace_marked(args.docs, "dynamic", lines)


if __name__ == "__main__":
    main()
