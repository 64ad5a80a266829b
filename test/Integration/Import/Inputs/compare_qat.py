"""Compares qopt's outputs with PyTorch's quantized outputs in qat_check.npz
as the output's integers (q = y / s + z) and as argmax decisions; with
--write-npy DIR, writes x.npy and labels.npy (PyTorch's argmax) for
classify.c instead."""
import os
import sys

import numpy as np

check = np.load(sys.argv[1])
if sys.argv[2] == "--write-npy":
    np.save(os.path.join(sys.argv[3], "x.npy"), check["x"])
    np.save(os.path.join(sys.argv[3], "labels.npy"),
            check["expected"].argmax(1).astype(np.int32))
    sys.exit(0)
out = np.load(sys.argv[2])
qopt = out[list(out.keys())[0]].reshape(check["expected"].shape)
to_int = lambda y: np.rint(y / check["scale"]).astype(np.int64) + int(check["zero_point"])
diff = np.abs(to_int(qopt) - to_int(check["expected"]))
print("max integer difference: %d" % diff.max())
print("values that differ: %d of %d" % ((diff > 0).sum(), diff.size))
print("argmax agreement: %.4f" % np.mean(qopt.argmax(1) == check["expected"].argmax(1)))
