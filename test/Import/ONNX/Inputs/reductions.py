"""Reduce* ops and the unary elementwise ops of the op registry in one graph,
with NumPy's result computed in float64. ReduceLogSumExp gets values up to
120, where exp() alone overflows float32: the importer shifts by the maximum.

  reductions.py DIR write   # DIR/model.onnx, DIR/x.npy
  reductions.py DIR check   # max relative difference of DIR/y.npz's outputs
"""
import sys

import numpy as np
import onnx
from onnx import helper

d = sys.argv[1]
x = (np.random.default_rng(7).standard_normal((2, 3, 5)) * 40).astype(np.float32)
x[0, 1, 2] = 120.0
OUT = ["lse", "l1", "l2", "ssq", "mx", "mn", "sm", "lg", "un"]


def reference(x):
    x = x.astype(np.float64)
    m = x.max(axis=1)
    lse = np.log(np.exp(x - m[:, None, :]).sum(axis=1)) + m
    t = np.abs(x) / 40
    un = -np.floor(np.exp(-t) * 3) + np.ceil(np.log(np.log1p(np.exp(t)))) + np.vectorize(__import__("math").erf)(t) + 1 / (t + 1)
    return dict(lse=lse, l1=np.abs(x).sum(axis=(0, 2), keepdims=True),
                l2=np.sqrt((x * x).sum(axis=-1)), ssq=(x * x).sum(axis=2, keepdims=True),
                mx=x.max(axis=(1, 2)), mn=x.min(axis=0, keepdims=True),
                sm=x.sum(axis=1, keepdims=True), lg=np.log(np.abs(x).sum(axis=2) + 1), un=un)


if sys.argv[2] == "write":
    one = helper.make_tensor("one", onnx.TensorProto.FLOAT, [1], [1.0])
    k = helper.make_tensor("k", onnx.TensorProto.FLOAT, [1], [1 / 40])
    three = helper.make_tensor("three", onnx.TensorProto.FLOAT, [1], [3.0])
    axes1 = helper.make_tensor("axes1", onnx.TensorProto.INT64, [1], [1])
    n = helper.make_node
    nodes = [
        n("ReduceLogSumExp", ["x"], ["lse"], axes=[1], keepdims=0),
        n("ReduceL1", ["x"], ["l1"], axes=[0, 2]),
        n("ReduceL2", ["x"], ["l2"], axes=[-1], keepdims=0),
        n("ReduceSumSquare", ["x"], ["ssq"], axes=[2]),
        n("ReduceMax", ["x"], ["mx"], axes=[1, 2], keepdims=0),
        n("ReduceMin", ["x"], ["mn"], axes=[0]),
        n("ReduceSum", ["x", "axes1"], ["sm"]),
        n("Abs", ["x"], ["ax"]),
        n("ReduceSum", ["ax", "axes2"], ["s2"], keepdims=0),
        n("Add", ["s2", "one"], ["s2p"]),
        n("Unsqueeze", ["s2p", "axes2"], ["s2p_u"]),
        n("ReduceLogSum", ["s2p_u"], ["lg"], axes=[2], keepdims=0),
        # un = -floor(exp(-t) * 3) + ceil(log(softplus(t))) + erf(t) + 1 / (t + 1), t = |x| / 40
        n("Mul", ["ax", "k"], ["t"]),
        n("Neg", ["t"], ["nt"]), n("Exp", ["nt"], ["e"]), n("Mul", ["e", "three"], ["e3"]),
        n("Floor", ["e3"], ["f"]), n("Neg", ["f"], ["nf"]),
        n("Softplus", ["t"], ["sp"]), n("Log", ["sp"], ["lsp"]), n("Ceil", ["lsp"], ["c"]),
        n("Erf", ["t"], ["er"]), n("Add", ["t", "one"], ["t1"]), n("Reciprocal", ["t1"], ["r"]),
        n("Add", ["nf", "c"], ["u1"]), n("Add", ["u1", "er"], ["u2"]), n("Add", ["u2", "r"], ["un"]),
    ]
    axes2 = helper.make_tensor("axes2", onnx.TensorProto.INT64, [1], [2])
    ref = reference(x)
    outs = [helper.make_tensor_value_info(o, onnx.TensorProto.FLOAT, ref[o].shape) for o in OUT]
    graph = helper.make_graph(nodes, "g",
                              [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, x.shape)],
                              outs, [one, k, three, axes1, axes2])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 7
    onnx.checker.check_model(model)
    onnx.save(model, d + "/model.onnx")
    np.save(d + "/x.npy", x)
    sys.exit(0)
ref = reference(x)
y = np.load(d + "/y.npz")
worst = max(float(np.max(np.abs(y[o].reshape(ref[o].shape) - ref[o]) / (np.abs(ref[o]) + 1)))
            for o in OUT)
print("max relative difference %.3g" % worst)
