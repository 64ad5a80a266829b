"""A grouped ConvTranspose (3 groups, strides, dilations, pads,
output_padding, bias) as an ONNX model, its input, and NumPy's result.

  convtranspose_group.py DIR write   # DIR/model.onnx, DIR/x.npy
  convtranspose_group.py DIR check   # compares DIR/y.npz with NumPy
"""
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper

C, OG, G, K = 6, 2, 3, (3, 2)
STRIDE, DIL, PADS, OUT_PAD = (2, 1), (1, 2), (1, 0, 0, 1), (1, 0)
rng = np.random.default_rng(5)
w = rng.standard_normal((C, OG, *K)).astype(np.float32)
bias = rng.standard_normal(OG * G).astype(np.float32)
x = rng.standard_normal((1, C, 4, 5)).astype(np.float32)


def reference():
    n, c, h, wd = x.shape
    kh, kw = (K[0] - 1) * DIL[0] + 1, (K[1] - 1) * DIL[1] + 1
    full = (STRIDE[0] * (h - 1) + OUT_PAD[0] + kh, STRIDE[1] * (wd - 1) + OUT_PAD[1] + kw)
    y = np.zeros((n, OG * G, full[0], full[1]))
    cg = C // G
    for g in range(G):
        for i in range(cg):
            for a in range(OG):
                for ky in range(K[0]):
                    for kx in range(K[1]):
                        y[:, g * OG + a, ky * DIL[0]: ky * DIL[0] + STRIDE[0] * (h - 1) + 1: STRIDE[0],
                          kx * DIL[1]: kx * DIL[1] + STRIDE[1] * (wd - 1) + 1: STRIDE[1]] += \
                            x[:, g * cg + i].astype(np.float64) * w[g * cg + i, a, ky, kx]
    y = y[:, :, PADS[0]: full[0] - PADS[2], PADS[1]: full[1] - PADS[3]]
    return y + bias[None, :, None, None]


def main():
    d, mode = sys.argv[1], sys.argv[2]
    if mode == "write":
        node = helper.make_node("ConvTranspose", ["x", "w", "b"], ["y"], group=G,
                                strides=STRIDE, dilations=DIL, pads=PADS,
                                output_padding=OUT_PAD, name="up")
        graph = helper.make_graph(
            [node], "convtranspose_group",
            [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, x.shape)],
            [helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, (1, OG * G, 9, 6))],
            [numpy_helper.from_array(w, "w"), numpy_helper.from_array(bias, "b")])
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
        model.ir_version = 7
        onnx.save(model, d + "/model.onnx")
        np.save(d + "/x.npy", x)
    else:
        y = np.load(d + "/y.npz")
        y = y[list(y.keys())[0]][0]  # qopt-run stacks its outputs per sample
        ref = reference()
        print("shape %s, max abs diff %.3g" % (y.shape, np.abs(y - ref).max()))


main()
