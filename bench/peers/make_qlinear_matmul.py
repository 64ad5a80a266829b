"""Writes the ONNX models bench/gemm.py measures ONNX Runtime with:
QLinearMatMul (u8 A [M,K] with a zero point, s8 B [K,N] initializer with
per-column scales, u8 output) and a trivial model with the same input and
output (Identity plus a Slice) whose per-call overhead is subtracted.

  /usr/bin/python3 make_qlinear_matmul.py M N K matmul.onnx trivial.onnx
"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

m, n, k = map(int, sys.argv[1:4])
rng = np.random.default_rng(0)
b = rng.integers(-127, 128, size=(k, n), dtype=np.int8)
inits = [
    numpy_helper.from_array(b, "B"),
    numpy_helper.from_array(np.array(0.01, np.float32), "a_scale"),
    numpy_helper.from_array(np.array(131, np.uint8), "a_zp"),
    numpy_helper.from_array((0.0001 * (1 + np.arange(n) % 7)).astype(np.float32), "b_scale"),
    numpy_helper.from_array(np.zeros(n, np.int8), "b_zp"),
    numpy_helper.from_array(np.array(0.5, np.float32), "y_scale"),
    numpy_helper.from_array(np.array(127, np.uint8), "y_zp"),
]
node = helper.make_node("QLinearMatMul", ["A", "a_scale", "a_zp", "B", "b_scale", "b_zp",
                                          "y_scale", "y_zp"], ["Y"])
a = helper.make_tensor_value_info("A", TensorProto.UINT8, [m, k])
y = helper.make_tensor_value_info("Y", TensorProto.UINT8, [m, n])
opset = [helper.make_opsetid("", 13)]
model = helper.make_model(helper.make_graph([node], "gemm", [a], [y], inits),
                          opset_imports=opset)
onnx.checker.check_model(model)
onnx.save(model, sys.argv[4])

# Trivial: Y = first M*N values of A (the same input, an output of the same size).
flat = helper.make_node("Reshape", ["A", "flat_shape"], ["flat"])
cut = helper.make_node("Slice", ["flat", "starts", "ends"], ["cut"])
pad = helper.make_node("Pad", ["cut", "pads"], ["padded"])
out = helper.make_node("Reshape", ["padded", "y_shape"], ["Y"])
size = min(m * k, m * n)
inits = [numpy_helper.from_array(np.array([m * k], np.int64), "flat_shape"),
         numpy_helper.from_array(np.array([0], np.int64), "starts"),
         numpy_helper.from_array(np.array([size], np.int64), "ends"),
         numpy_helper.from_array(np.array([0, m * n - size], np.int64), "pads"),
         numpy_helper.from_array(np.array([m, n], np.int64), "y_shape")]
trivial = helper.make_model(helper.make_graph([flat, cut, pad, out], "trivial", [a], [y], inits),
                            opset_imports=opset)
onnx.checker.check_model(trivial)
onnx.save(trivial, sys.argv[5])
