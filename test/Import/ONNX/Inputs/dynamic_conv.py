"""ONNX Runtime's dynamic quantization of two Convs, as its quantize_dynamic
writes them: DynamicQuantizeLinear(x) feeding ConvInteger -> Cast(float) ->
Mul(Mul(x_scale, W_scale)) [-> Add(bias)]. One Conv has uint8 weights with
a zero point and per-channel scales, strides, dilations and asymmetric
padding that leave some inputs unread; the other int8 weights, one scale and
a [1, O, 1, 1] bias. Also the model's input, and NumPy's result computed as
ONNX defines these ops (float32 where ONNX computes in float32).

  dynamic_conv.py DIR write [N]  # DIR/model.onnx, DIR/x.npz (2 samples, and
                                 # N more random ones)
  dynamic_conv.py DIR check      # compares DIR/y.npz with NumPy
"""
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper

C, H, W = 3, 7, 6
rng = np.random.default_rng(4)
w1 = rng.integers(0, 256, (4, C, 3, 2)).astype(np.uint8)
z1 = np.uint8(131)  # ONNX Runtime's ConvInteger takes one weight zero point
s1 = (rng.random(4) * 0.02 + 0.001).astype(np.float32)
CONV1 = dict(strides=(2, 3), dilations=(1, 2), pads=(1, 0, 0, 1))
w2 = rng.integers(-127, 128, (5, C, 2, 2)).astype(np.int8)
s2 = np.float32(0.0173)
b2 = rng.standard_normal((1, 5, 1, 1)).astype(np.float32)
xs = rng.standard_normal((2, 2, C, H, W)).astype(np.float32)
xs[1] = np.abs(xs[1]) * 3


def dynamic_quantize(x):
    lo = np.minimum(np.float32(0), x.min())
    hi = np.maximum(np.float32(0), x.max())
    scale = np.float32((hi - lo) / np.float32(255))
    zp = np.clip(np.round(-lo / scale), 0, 255)
    q = np.clip(np.round(x / scale) + zp, 0, 255)
    return q.astype(np.int64), scale, int(zp)


def conv_integer(q, zp, w, wz, strides=(1, 1), dilations=(1, 1), pads=(0, 0, 0, 0)):
    """ONNX ConvInteger: sum (q - zp) (w - wz), padding with zp."""
    x = np.pad(q - zp, [(0, 0), (0, 0), (pads[0], pads[2]), (pads[1], pads[3])])
    o, _, kh, kw = w.shape
    oh = (x.shape[2] - (kh - 1) * dilations[0] - 1) // strides[0] + 1
    ow = (x.shape[3] - (kw - 1) * dilations[1] - 1) // strides[1] + 1
    wi = w.astype(np.int64) - np.asarray(wz, np.int64).reshape(-1, 1, 1, 1)
    y = np.zeros((x.shape[0], o, oh, ow), np.int64)
    for ky in range(kh):
        for kx in range(kw):
            patch = x[:, :, ky * dilations[0]: ky * dilations[0] + (oh - 1) * strides[0] + 1:
                      strides[0],
                      kx * dilations[1]: kx * dilations[1] + (ow - 1) * strides[1] + 1: strides[1]]
            y += np.einsum("nchw,oc->nohw", patch, wi[:, :, ky, kx])
    return y


def reference(x):
    q, scale, zp = dynamic_quantize(x)
    acc1 = conv_integer(q, zp, w1, z1, **CONV1)
    y1 = acc1.astype(np.float32) * (scale * s1).astype(np.float32).reshape(1, -1, 1, 1)
    acc2 = conv_integer(q, zp, w2, 0)
    y2 = acc2.astype(np.float32) * np.float32(scale * s2) + b2
    return y1, y2


def main():
    global xs
    d, mode = sys.argv[1], sys.argv[2]
    if len(sys.argv) > 3:
        n = int(sys.argv[3])
        extra = rng.standard_normal((n, 2, C, H, W)) * rng.random((n, 1, 1, 1, 1)) * 10
        xs = np.concatenate([xs, extra.astype(np.float32)])
    if mode == "write":
        nodes = [helper.make_node("DynamicQuantizeLinear", ["x"], ["xq", "xs", "xz"], name="dql"),
                 helper.make_node("ConvInteger", ["xq", "w1", "xz", "z1"], ["acc1"], name="conv1",
                                  **CONV1),
                 helper.make_node("Cast", ["acc1"], ["accf1"], to=onnx.TensorProto.FLOAT),
                 helper.make_node("Mul", ["xs", "s1"], ["scale1"]),
                 helper.make_node("Mul", ["accf1", "scale1"], ["y1"]),
                 helper.make_node("ConvInteger", ["xq", "w2", "xz"], ["acc2"], name="conv2"),
                 helper.make_node("Cast", ["acc2"], ["accf2"], to=onnx.TensorProto.FLOAT),
                 helper.make_node("Mul", ["xs", "s2"], ["scale2"]),
                 helper.make_node("Mul", ["accf2", "scale2"], ["m2"]),
                 helper.make_node("Add", ["m2", "b2"], ["y2"])]
        refs = reference(xs[0])
        graph = helper.make_graph(
            nodes, "dynamic_conv",
            [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, (2, C, H, W))],
            [helper.make_tensor_value_info("y%d" % (i + 1), onnx.TensorProto.FLOAT, r.shape)
             for i, r in enumerate(refs)],
            [numpy_helper.from_array(w1, "w1"), numpy_helper.from_array(np.array(z1), "z1"),
             numpy_helper.from_array(s1.reshape(1, 4, 1, 1), "s1"),
             numpy_helper.from_array(w2, "w2"), numpy_helper.from_array(np.array(s2), "s2"),
             numpy_helper.from_array(b2, "b2")])
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
