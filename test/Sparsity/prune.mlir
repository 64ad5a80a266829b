// RUN: qopt %s --qt-prune="sparsity=0.5" -split-input-file | FileCheck %s --check-prefix=UNSTRUCTURED
// RUN: qopt %s --qt-prune="pattern=2:4" -split-input-file | FileCheck %s --check-prefix=TWOFOUR
// RUN: qopt %s --qt-prune="sparsity=0.5 pattern=block=1x4" -split-input-file | FileCheck %s --check-prefix=BLOCK
// RUN: qopt %s --qt-prune="threshold=0.3" -split-input-file | FileCheck %s --check-prefix=THRESHOLD

// A matmul's [1, K, N] weight is pruned as N output channels (columns) of K
// reduction weights: the smallest half of all weights (unstructured); in
// every run of 4 reduction weights of a column the 2 smallest (2:4); the 4
// lowest-scoring 1x4 blocks (a column's 4 consecutive rows, scored by their
// largest magnitude); everything below 0.3 (threshold).
// UNSTRUCTURED-LABEL: func.func @matmul
// UNSTRUCTURED: dense<{{\[\[\[}}0.000000e+00, -0.899999976, 0.000000e+00, 0.000000e+00], [5.000000e-01, 0.000000e+00, -0.699999988, 6.000000e-01], [0.000000e+00, 4.000000e-01, 8.000000e-01, 0.000000e+00], [0.899999976, 0.000000e+00, 0.000000e+00, 0.000000e+00], [0.000000e+00, 0.000000e+00, 0.000000e+00, 3.000000e-01], [-6.000000e-01, 0.000000e+00, 0.000000e+00, 0.699999988], [0.000000e+00, -4.500000e-01, 3.500000e-01, -5.500000e-01], [0.000000e+00, 1.000000e+00, -1.000000e+00, 5.000000e-01]]]>
// TWOFOUR-LABEL: func.func @matmul
// TWOFOUR: dense<{{\[\[\[}}0.000000e+00, -0.899999976, 0.000000e+00, 0.000000e+00], [5.000000e-01, 0.000000e+00, -0.699999988, 6.000000e-01], [0.000000e+00, 4.000000e-01, 8.000000e-01, -3.000000e-01], [0.899999976, 0.000000e+00, 0.000000e+00, 0.000000e+00], [3.000000e-01, 0.000000e+00, 0.000000e+00, 0.000000e+00], [-6.000000e-01, 0.000000e+00, 0.000000e+00, 0.699999988], [0.000000e+00, -4.500000e-01, 3.500000e-01, -5.500000e-01], [0.000000e+00, 1.000000e+00, -1.000000e+00, 0.000000e+00]]]>
// BLOCK-LABEL: func.func @matmul
// BLOCK: dense<{{\[\[\[}}1.000000e-01, -0.899999976, 0.000000e+00, 0.000000e+00], [5.000000e-01, 2.000000e-01, 0.000000e+00, 0.000000e+00], [-2.000000e-02, 4.000000e-01, 0.000000e+00, 0.000000e+00], [0.899999976, -1.000000e-01, 0.000000e+00, 0.000000e+00], [0.000000e+00, 3.000000e-01, -3.000000e-01, 0.000000e+00], [0.000000e+00, 5.000000e-02, 1.500000e-01, 0.000000e+00], [0.000000e+00, -4.500000e-01, 3.500000e-01, 0.000000e+00], [0.000000e+00, 1.000000e+00, -1.000000e+00, 0.000000e+00]]]>
// THRESHOLD-LABEL: func.func @matmul
// THRESHOLD: dense<{{\[\[\[}}0.000000e+00, -0.899999976, 3.000000e-01, 0.000000e+00], [5.000000e-01, 0.000000e+00, -0.699999988, 6.000000e-01], [0.000000e+00, 4.000000e-01, 8.000000e-01, -3.000000e-01], [0.899999976, 0.000000e+00, 0.000000e+00, 0.000000e+00], [3.000000e-01, 3.000000e-01, -3.000000e-01, 3.000000e-01], [-6.000000e-01, 0.000000e+00, 0.000000e+00, 0.699999988], [0.000000e+00, -4.500000e-01, 3.500000e-01, -5.500000e-01], [0.000000e+00, 1.000000e+00, -1.000000e+00, 5.000000e-01]]]>
func.func @matmul(%x: tensor<1x2x8xf32>) -> tensor<1x2x4xf32> {
  %w = "tosa.const"() <{values = dense<[[[0.1, -0.9, 0.3, 0.05], [0.5, 0.2, -0.7, 0.6], [-0.02, 0.4, 0.8, -0.3], [0.9, -0.1, 0.01, 0.2], [0.3, 0.3, -0.3, 0.3], [-0.6, 0.05, 0.15, 0.7], [0.25, -0.45, 0.35, -0.55], [0.0, 1.0, -1.0, 0.5]]]> : tensor<1x8x4xf32>}> : () -> tensor<1x8x4xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %m = tosa.matmul %x, %w, %zp, %zp : (tensor<1x2x8xf32>, tensor<1x8x4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x4xf32>
  return %m : tensor<1x2x4xf32>
}

// -----

// An int8 fully connected layer after --quantize-int8: magnitudes are real
// values, |q| times the channel's scale, so channel 1's 10 (scale 0.1, 1.0)
// outranks channel 0's 100 (scale 0.001, 0.1); pruned weights become the
// zero point (0). Unstructured at 50%: the 4 smallest real magnitudes.
// UNSTRUCTURED-LABEL: func.func @int8
// UNSTRUCTURED: arith.constant dense<{{\[\[}}0, 0, 0, 120], [10, 0, 20, 30]]> : tensor<2x4xi8>
// TWOFOUR-LABEL: func.func @int8
// TWOFOUR: arith.constant dense<{{\[\[}}100, 0, 0, 120], [0, 0, 20, 30]]> : tensor<2x4xi8>
func.func @int8(%x: tensor<1x4x!quant.uniform<i8:f32, 0.1>>) -> tensor<1x2x!quant.uniform<i8:f32, 0.5>> {
  %raw = arith.constant dense<[[100, -5, 50, 120], [10, 1, 20, 30]]> : tensor<2x4xi8>
  %w = quant.scast %raw : tensor<2x4xi8> to tensor<2x4x!quant.uniform<i8:f32:0, {0.001, 0.1}>>
  %y = qt.fully_connected %x, %w : tensor<1x4x!quant.uniform<i8:f32, 0.1>>, tensor<2x4x!quant.uniform<i8:f32:0, {0.001, 0.1}>> -> tensor<1x2x!quant.uniform<i8:f32, 0.5>>
  return %y : tensor<1x2x!quant.uniform<i8:f32, 0.5>>
}
