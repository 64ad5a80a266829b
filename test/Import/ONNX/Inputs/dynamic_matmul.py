"""ONNX Runtime's dynamic quantization of two MatMuls, written as its
quantize_dynamic writes them: DynamicQuantizeLinear(x) feeding
MatMulInteger -> Cast(float) -> Mul(Mul(x_scale, W_scale)) [-> Add(bias)].
One MatMul has int8 weights with a per-tensor scale and a bias, the other
uint8 weights with per-column scales and zero points; both read the same
DynamicQuantizeLinear. Also the model's input, and NumPy's result computed
as ONNX defines these ops (float32 where ONNX computes in float32).

  dynamic_matmul.py DIR write [N]  # DIR/model.onnx, DIR/x.npz (3 samples,
                                   # and N more random ones)
  dynamic_matmul.py DIR check   # compares DIR/y.npz with NumPy
"""
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper

K, N1, N2 = 16, 6, 5
rng = np.random.default_rng(3)
w1 = rng.integers(-127, 128, (K, N1)).astype(np.int8)
s1 = np.float32(0.0123)
b1 = rng.standard_normal(N1).astype(np.float32)
w2 = rng.integers(0, 256, (K, N2)).astype(np.uint8)
z2 = rng.integers(100, 156, N2).astype(np.uint8)
s2 = (rng.random(N2) * 0.02 + 0.001).astype(np.float32)
# Samples: random; a range of exactly [-64, 63.5] (scale 0.5) with values
# on quarters, so that x / scale has .5 ties (rounded to even); all
# positive (zero point 0).
xs = rng.standard_normal((3, 2, 3, K)).astype(np.float32)
xs[1] = rng.integers(-256, 255, (2, 3, K)) / 4
xs[1, 0, 0, 0], xs[1, 0, 0, 1] = -64, 63.5
xs[2] = np.abs(xs[2])


def dynamic_quantize(x):
    lo = np.minimum(np.float32(0), x.min())
    hi = np.maximum(np.float32(0), x.max())
    scale = np.float32((hi - lo) / np.float32(255))
    zp = np.clip(np.round(-lo / scale), 0, 255)
    q = np.clip(np.round(x / scale) + zp, 0, 255)
    return q.astype(np.int64), scale, int(zp)


def reference(x):
    q, scale, zp = dynamic_quantize(x)
    acc1 = np.matmul(q - zp, w1.astype(np.int64))
    y1 = acc1.astype(np.float32) * np.float32(scale * s1) + b1
    acc2 = np.matmul(q - zp, w2.astype(np.int64) - z2.astype(np.int64))
    y2 = acc2.astype(np.float32) * (scale * s2).astype(np.float32)
    return y1, y2


def main():
    d, mode = sys.argv[1], sys.argv[2]
    global xs
    if len(sys.argv) > 3:
        extra = rng.standard_normal((int(sys.argv[3]), 2, 3, K)) * rng.random((int(sys.argv[3]), 1, 1, 1)) * 10
        xs = np.concatenate([xs, extra.astype(np.float32)])
    if mode == "write":
        nodes = [helper.make_node("DynamicQuantizeLinear", ["x"], ["xq", "xs", "xz"], name="dql")]
        for i, bias in ((1, True), (2, False)):
            nodes += [
                helper.make_node("MatMulInteger", ["xq", "w%d" % i, "xz"] +
                                 (["z%d" % i] if i == 2 else []), ["acc%d" % i], name="mm%d" % i),
                helper.make_node("Cast", ["acc%d" % i], ["accf%d" % i], to=onnx.TensorProto.FLOAT,
                                 name="cast%d" % i),
                helper.make_node("Mul", ["xs", "s%d" % i], ["scale%d" % i], name="scales%d" % i),
                helper.make_node("Mul", ["accf%d" % i, "scale%d" % i],
                                 ["m%d" % i if bias else "y%d" % i], name="out%d" % i),
            ]
            if bias:
                nodes.append(helper.make_node("Add", ["m%d" % i, "b%d" % i], ["y%d" % i],
                                              name="bias%d" % i))
        graph = helper.make_graph(
            nodes, "dynamic_matmul",
            [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, (2, 3, K))],
            [helper.make_tensor_value_info("y1", onnx.TensorProto.FLOAT, (2, 3, N1)),
             helper.make_tensor_value_info("y2", onnx.TensorProto.FLOAT, (2, 3, N2))],
            [numpy_helper.from_array(w1, "w1"), numpy_helper.from_array(np.array(s1), "s1"),
             numpy_helper.from_array(b1, "b1"), numpy_helper.from_array(w2, "w2"),
             numpy_helper.from_array(z2, "z2"), numpy_helper.from_array(s2, "s2")])
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
        model.ir_version = 7
        onnx.checker.check_model(model, full_check=True)
        onnx.save(model, d + "/model.onnx")
        np.savez(d + "/x.npz", x=xs)
    else:
        y = np.load(d + "/y.npz")
        refs = [reference(x) for x in xs]
        for i, name in enumerate(("y1", "y2")):
            ref = np.stack([r[i] for r in refs])
            print("%s: shape %s, max abs diff %.3g, bit-identical %s"
                  % (name, y[name].shape, np.abs(y[name] - ref).max(),
                     np.array_equal(y[name], ref)))


main()
