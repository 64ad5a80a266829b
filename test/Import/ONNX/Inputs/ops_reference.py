"""NumPy reference for Inputs/ops.textproto: writes x.npy and checks y.npz.

  ops_reference.py DIR write   -> DIR/x.npy
  ops_reference.py DIR check   -> prints the max abs difference of DIR/y.npz
"""
import sys

import numpy as np

d = sys.argv[1]
x = (np.arange(24, dtype=np.float32).reshape(2, 3, 4) - 11) / 4
if sys.argv[2] == "write":
    np.save(d + "/x.npy", x)
    sys.exit(0)
c = np.float32(0.1) * np.arange(12, dtype=np.float32)
dv = np.array([1.0, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.7, 1.8, 1.9, 2.0, 2.1], np.float32)
wm = np.array([-0.5, 0.2, -0.2, 0.5, 0.1, -0.3, 0.4, 0.0, -0.4, 0.3, -0.1, -0.5, 0.2, -0.2, 0.5, 0.1, -0.3, 0.4, 0.0, -0.4, 0.3, -0.1, -0.5, 0.2, -0.2, 0.5, 0.1, -0.3, 0.4, 0.0, -0.4, 0.3, -0.1, -0.5, 0.2, -0.2, 0.5, 0.1, -0.3, 0.4, 0.0, -0.4, 0.3, -0.1, -0.5, 0.2, -0.2, 0.5, 0.1, -0.3, 0.4, 0.0, -0.4, 0.3, -0.1, -0.5, 0.2, -0.2, 0.5, 0.1], np.float32).reshape(12, 5)
v = x.reshape(2, 12) + c
v = (v - np.float32(0.5)) * np.float32(2.0)
v = v * (np.float32(1) / dv)
v = np.clip(v, -1, 3)
v = np.tanh(1 / (1 + np.exp(-v)))
ref = v @ wm
y = np.load(d + "/y.npz")["y"].reshape(2, 5)
print("max abs diff %.3g" % float(np.abs(y - ref).max()))
