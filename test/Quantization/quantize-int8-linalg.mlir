// RUN: qopt %s --qt-quantize-int8 --qt-prune="sparsity=0.5" -verify-diagnostics -o /dev/null

// A linalg model (as torch-mlir emits) is not quantized or pruned yet: each
// contraction says so rather than nothing changing silently.
func.func @linalg_mlp(%x: tensor<1x4xf32> {qt.range = array<f32: -1.0, 1.0>}) -> tensor<1x3xf32> {
  %w = arith.constant dense<0.5> : tensor<4x3xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x3xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<1x3xf32>) -> tensor<1x3xf32>
  // expected-warning @below {{stays float: --quantize-int8 quantizes TOSA matmuls and convolutions; linalg contractions are not quantized yet}}
  // expected-warning @below {{stays dense: --qt-prune prunes the weights of TOSA and qt matmuls and convolutions; linalg contractions are not pruned yet}}
  %y = linalg.matmul {qt.range = array<f32: -2.0, 2.0>} ins(%x, %w : tensor<1x4xf32>, tensor<4x3xf32>) outs(%acc : tensor<1x3xf32>) -> tensor<1x3xf32>
  return %y : tensor<1x3xf32>
}
