"""3-D Conv, ConvTranspose, MaxPool, AveragePool and GlobalAveragePool (with
strides, dilations, asymmetric pads, output_padding, ceil_mode,
count_include_pad) as one ONNX model, its input, and NumPy's results.

  spatial_3d.py DIR write   # DIR/model.onnx, DIR/x.npy
  spatial_3d.py DIR check   # compares DIR/y.npz with NumPy, one line per output
"""
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper

rng = np.random.default_rng(11)
x = rng.standard_normal((1, 2, 5, 6, 7)).astype(np.float32)
conv_w = rng.standard_normal((3, 2, 2, 3, 2)).astype(np.float32)
conv_b = rng.standard_normal(3).astype(np.float32)
up_w = rng.standard_normal((2, 3, 3, 2, 2)).astype(np.float32)
up_b = rng.standard_normal(3).astype(np.float32)

CONV = dict(strides=(2, 1, 2), dilations=(1, 2, 1), pads=(1, 0, 1, 0, 1, 1))
UP = dict(strides=(2, 1, 2), dilations=(1, 2, 1), pads=(1, 0, 0, 0, 1, 1),
          output_padding=(1, 0, 0))
MAX = dict(kernel_shape=(2, 3, 2), strides=(2, 2, 1), pads=(1, 1, 0, 0, 1, 1), ceil_mode=1)
AVG_IN = dict(kernel_shape=(3, 2, 2), strides=(1, 2, 2), pads=(1, 0, 1, 1, 1, 0),
              count_include_pad=1)
AVG_EX = dict(kernel_shape=(2, 2, 3), strides=(2, 1, 2), pads=(1, 1, 1, 0, 0, 1))


def taps(k, dil):
    return [(a, b, c) for a in range(k[0]) for b in range(k[1]) for c in range(k[2])
            ], [(a * dil[0], b * dil[1], c * dil[2]) for a in range(k[0])
                for b in range(k[1]) for c in range(k[2])]


def window_slices(offset, out, s):
    return tuple(slice(offset[a], offset[a] + (out[a] - 1) * s[a] + 1, s[a]) for a in range(3))


def conv(x, w, b, strides, dilations, pads):
    xp = np.pad(x.astype(np.float64), [(0, 0), (0, 0)] + [(pads[a], pads[a + 3]) for a in range(3)])
    k = w.shape[2:]
    out = [(xp.shape[2 + a] - ((k[a] - 1) * dilations[a] + 1)) // strides[a] + 1 for a in range(3)]
    y = np.zeros((x.shape[0], w.shape[0], *out))
    for idx, off in zip(*taps(k, dilations)):
        patch = xp[(slice(None), slice(None)) + window_slices(off, out, strides)]
        y += np.einsum("ncdhw,oc->nodhw", patch, w[(slice(None), slice(None)) + idx])
    return y + b[None, :, None, None, None]


def conv_transpose(x, w, b, strides, dilations, pads, output_padding):
    k = w.shape[2:]
    ext = [(k[a] - 1) * dilations[a] + 1 for a in range(3)]
    full = [strides[a] * (x.shape[2 + a] - 1) + output_padding[a] + ext[a] for a in range(3)]
    y = np.zeros((x.shape[0], w.shape[1], *full))
    for idx, off in zip(*taps(k, dilations)):
        region = window_slices(off, x.shape[2:], strides)
        y[(slice(None), slice(None)) + region] += np.einsum(
            "ncdhw,co->nodhw", x.astype(np.float64), w[(slice(None), slice(None)) + idx])
    y = y[(slice(None), slice(None)) + tuple(slice(pads[a], full[a] - pads[a + 3])
                                               for a in range(3))]
    return y + b[None, :, None, None, None]


def pool(x, kind, kernel_shape, strides, pads, ceil_mode=0, count_include_pad=0):
    sp = x.shape[2:]
    out = []
    for a in range(3):
        span = sp[a] + pads[a] + pads[a + 3] - kernel_shape[a]
        o = (-(-span // strides[a]) if ceil_mode else span // strides[a]) + 1
        if ceil_mode and (o - 1) * strides[a] >= sp[a] + pads[a]:
            o -= 1
        out.append(o)
    # Values padded with NaN (never read by max, not counted by average);
    # with count_include_pad the declared padding is zeros that count.
    end = [max(pads[a + 3], (out[a] - 1) * strides[a] + kernel_shape[a] - sp[a] - pads[a])
           for a in range(3)]
    shape = [sp[a] + pads[a] + end[a] for a in range(3)]
    v = np.full(x.shape[:2] + tuple(shape), np.nan)
    inner = tuple(slice(pads[a], pads[a] + sp[a]) for a in range(3))
    if count_include_pad:
        v[(slice(None), slice(None)) + tuple(slice(0, pads[a] + sp[a] + pads[a + 3])
                                             for a in range(3))] = 0
    v[(slice(None), slice(None)) + inner] = x
    windows = [v[(slice(None), slice(None)) + window_slices(off, out, strides)]
               for _, off in zip(*taps(kernel_shape, (1, 1, 1)))]
    stack = np.stack(windows)
    if kind == "max":
        return np.nanmax(stack, axis=0)
    return np.nansum(stack, axis=0) / np.sum(~np.isnan(stack), axis=0)


def reference():
    return {
        "conv": conv(x, conv_w, conv_b, **CONV),
        "up": conv_transpose(x, up_w, up_b, **UP),
        "max": pool(x, "max", **MAX),
        "avg_in": pool(x, "avg", **AVG_IN),
        "avg_ex": pool(x, "avg", **AVG_EX),
        "gap": x.astype(np.float64).mean(axis=(2, 3, 4), keepdims=True),
    }


def main():
    d, mode = sys.argv[1], sys.argv[2]
    if mode == "write":
        nodes = [
            helper.make_node("Conv", ["x", "conv_w", "conv_b"], ["conv"], name="conv", **CONV),
            helper.make_node("ConvTranspose", ["x", "up_w", "up_b"], ["up"], name="up", **UP),
            helper.make_node("MaxPool", ["x"], ["max"], name="max", **MAX),
            helper.make_node("AveragePool", ["x"], ["avg_in"], name="avg_in", **AVG_IN),
            helper.make_node("AveragePool", ["x"], ["avg_ex"], name="avg_ex", **AVG_EX),
            helper.make_node("GlobalAveragePool", ["x"], ["gap"], name="gap"),
        ]
        ref = reference()
        graph = helper.make_graph(
            nodes, "spatial_3d",
            [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, x.shape)],
            [helper.make_tensor_value_info(k, onnx.TensorProto.FLOAT, v.shape)
             for k, v in ref.items()],
            [numpy_helper.from_array(conv_w, "conv_w"), numpy_helper.from_array(conv_b, "conv_b"),
             numpy_helper.from_array(up_w, "up_w"), numpy_helper.from_array(up_b, "up_b")])
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
        model.ir_version = 7
        onnx.checker.check_model(model, full_check=True)
        onnx.save(model, d + "/model.onnx")
        np.save(d + "/x.npy", x)
    else:
        y = np.load(d + "/y.npz")
        for name, ref in reference().items():
            got = y[name][0]  # qopt-run stacks its outputs per sample
            print("%s: shape %s, max abs diff %.3g" % (name, got.shape, np.abs(got - ref).max()))


main()
