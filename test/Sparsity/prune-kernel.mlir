// RUN: qopt %s --qt-prune="sparsity=0.5 pattern=kernel isa=neon-dotprod" | FileCheck %s

// pattern=kernel prunes the blocks the int8 kernels skip, 4 output channels
// x 4 reduction weights for NEON, clipped at the edges of this 6 x 6 view:
// blocks (outputs 0-3 | 4-5) x (K 0-3 | 4-5) score 0.1, 1.0, 0.2, 1.0, so
// the two blocks over K 0-3 go, partial one included.
// CHECK-LABEL: func.func @matmul
// CHECK: dense<{{\[\[\[}}0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00], [0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00], [0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00], [0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00], [1.000000e+00, 1.000000e+00, 1.000000e+00, 1.000000e+00, 1.000000e+00, 1.000000e+00], [1.000000e+00, 1.000000e+00, 1.000000e+00, 1.000000e+00, 1.000000e+00, 1.000000e+00]]]>
func.func @matmul(%x: tensor<1x2x6xf32>) -> tensor<1x2x6xf32> {
  %w = "tosa.const"() <{values = dense<[[[0.1, 0.1, 0.1, 0.1, 0.2, 0.2], [0.1, 0.1, 0.1, 0.1, 0.2, 0.2], [0.1, 0.1, 0.1, 0.1, 0.2, 0.2], [0.1, 0.1, 0.1, 0.1, 0.2, 0.2], [1.0, 1.0, 1.0, 1.0, 1.0, 1.0], [1.0, 1.0, 1.0, 1.0, 1.0, 1.0]]]> : tensor<1x6x6xf32>}> : () -> tensor<1x6x6xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %m = tosa.matmul %x, %w, %zp, %zp : (tensor<1x2x6xf32>, tensor<1x6x6xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x6xf32>
  return %m : tensor<1x2x6xf32>
}
