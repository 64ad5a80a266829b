"""NumPy reference for Inputs/cnn.textproto (weights read from that file).

  cnn_reference.py DIR write   -> DIR/x.npy
  cnn_reference.py DIR check   -> prints the max abs difference of DIR/y.npz
"""
import os
import re
import sys

import numpy as np

d = sys.argv[1]
x = (np.arange(72, dtype=np.float32).reshape(1, 2, 6, 6) % 7 - 3) / 3
if sys.argv[2] == "write":
    np.save(d + "/x.npy", x)
    sys.exit(0)
text = open(os.path.join(os.path.dirname(__file__), "cnn.textproto")).read()
p = {}
for name, dims, data in re.findall(
        r'initializer \{ name: "(\w+)" ((?:dims: \d+ )*)data_type: 1 float_data: \[([^\]]*)\]', text):
    shape = [int(v) for v in re.findall(r"\d+", dims)]
    p[name] = np.array([float(v) for v in data.split(",")], np.float64).reshape(shape)


def conv(x, w, b, pad, stride, groups):
    x = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    o, cg, kh, kw = w.shape
    oh = (x.shape[2] - kh) // stride + 1
    ow = (x.shape[3] - kw) // stride + 1
    y = np.zeros((x.shape[0], o, oh, ow))
    for f in range(o):
        g = f // (o // groups)
        for i in range(oh):
            for j in range(ow):
                patch = x[:, g * cg:(g + 1) * cg, i * stride:i * stride + kh, j * stride:j * stride + kw]
                y[:, f, i, j] = (patch * w[f]).sum(axis=(1, 2, 3)) + b[f]
    return y


def pool(x, k, stride, pads, op):  # pads: top, left, bottom, right
    n, c, h, w = x.shape
    oh = (h + pads[0] + pads[2] - k) // stride + 1
    ow = (w + pads[1] + pads[3] - k) // stride + 1
    y = np.zeros((n, c, oh, ow))
    for i in range(oh):
        for j in range(ow):
            r0, c0 = i * stride - pads[0], j * stride - pads[1]
            win = x[:, :, max(r0, 0):r0 + k, max(c0, 0):c0 + k]
            y[:, :, i, j] = win.max(axis=(2, 3)) if op == "max" else win.mean(axis=(2, 3))
    return y


v = conv(x.astype(np.float64), p["w1"], p["b1"], 1, 1, 1)
s = (p["sc"] / np.sqrt(p["va"] + 1e-5)).reshape(1, 4, 1, 1)
v = (v - p["mu"].reshape(1, 4, 1, 1)) * s + p["bi"].reshape(1, 4, 1, 1)
v = np.maximum(v, 0)
v = conv(v, p["w2"], p["b2"], 1, 2, 4)
v = pool(v, 2, 1, (0, 0, 0, 0), "max")
v = pool(v, 2, 1, (0, 0, 1, 1), "avg")
ref = v.mean(axis=(2, 3)).reshape(1, 4)
y = np.load(d + "/y.npz")["y"].reshape(1, 4)
print("max abs diff %.3g" % float(np.abs(y - ref).max()))
