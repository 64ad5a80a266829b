"""A Split of a Conv's output along its channels (the importer keeps the
Conv's result in NHWC and splits it there, axis 1 -> 3) and along its rows,
with NumPy's result.

  split_nhwc.py DIR write   # DIR/model.onnx, DIR/x.npy
  split_nhwc.py DIR check   # max abs difference of DIR/y.npz's outputs
"""
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper

d = sys.argv[1]
rng = np.random.default_rng(3)
x = rng.standard_normal((1, 3, 4, 5)).astype(np.float32)
w = rng.standard_normal((6, 3, 1, 1)).astype(np.float32)


def reference():
    y = np.einsum("nchw,oc->nohw", x.astype(np.float64), w[:, :, 0, 0].astype(np.float64))
    return dict(a=y[:, :1], b=y[:, 1:4], c=y[:, 4:], r0=y[:, :, :3], r1=y[:, :, 3:])


ref = reference()
if sys.argv[2] == "write":
    n = helper.make_node
    nodes = [n("Conv", ["x", "w"], ["y"]),
             n("Split", ["y", "s"], ["a", "b", "c"], axis=1),
             n("Split", ["y", "s2"], ["r0", "r1"], axis=2)]
    outs = [helper.make_tensor_value_info(o, onnx.TensorProto.FLOAT, ref[o].shape)
            for o in ("a", "b", "c", "r0", "r1")]
    graph = helper.make_graph(
        nodes, "g", [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, x.shape)], outs,
        [numpy_helper.from_array(w, "w"), numpy_helper.from_array(np.array([1, 3, 2], np.int64), "s"),
         numpy_helper.from_array(np.array([3, 1], np.int64), "s2")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 7
    onnx.checker.check_model(model)
    onnx.save(model, d + "/model.onnx")
    np.save(d + "/x.npy", x)
    sys.exit(0)
y = np.load(d + "/y.npz")
print("max abs diff %.3g" % max(float(np.abs(y[o].reshape(ref[o].shape) - ref[o]).max())
                                 for o in ref))
