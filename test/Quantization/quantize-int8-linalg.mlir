// RUN: qopt %s --quantize-int8 --qt-prune="sparsity=0.5" -verify-diagnostics | FileCheck %s

// A linalg model (as torch-mlir emits): its matmul with a constant weight is
// raised to TOSA (qt-raise-linalg-contractions), quantized — the range the
// linalg op carried goes with it — and pruned.
// CHECK-LABEL: func.func @linalg_mlp
// CHECK: qt.fully_connected
// CHECK-NOT: linalg.matmul
func.func @linalg_mlp(%x: tensor<1x4xf32> {qt.range = array<f32: -1.0, 1.0>}) -> tensor<1x3xf32> {
  %w = arith.constant dense<[[0.5, -0.25, 1.0], [0.125, 0.75, -1.0], [1.0, 0.5, 0.25], [-0.5, 0.25, 0.5]]> : tensor<4x3xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x3xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<1x3xf32>) -> tensor<1x3xf32>
  %y = linalg.matmul {qt.range = array<f32: -2.0, 2.0>} ins(%x, %w : tensor<1x4xf32>, tensor<4x3xf32>) outs(%acc : tensor<1x3xf32>) -> tensor<1x3xf32>
  return %y : tensor<1x3xf32>
}

// An NCHW convolution is not one of the raised forms: each pass says so
// rather than nothing changing silently.
// CHECK-LABEL: func.func @nchw
// CHECK: linalg.conv_2d_nchw_fchw
func.func @nchw(%i: tensor<1x1x3x3xf32> {qt.range = array<f32: -1.0, 1.0>}) -> tensor<1x1x3x3xf32> {
  %f = arith.constant dense<1.0> : tensor<1x1x1x1xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x1x3x3xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<1x1x3x3xf32>) -> tensor<1x1x3x3xf32>
  // expected-warning @below {{stays float: --quantize-int8 quantizes TOSA matmuls and convolutions, and linalg ones in the forms qt-raise-linalg-contractions raises (constant float32 weights, NHWC, a zero accumulator); this one is not}}
  // expected-warning @below {{stays dense: --qt-prune prunes TOSA and qt matmuls and convolutions, and linalg ones in the forms qt-raise-linalg-contractions raises (constant float32 weights, NHWC, a zero accumulator); this one is not}}
  %y = linalg.conv_2d_nchw_fchw {qt.range = array<f32: -2.0, 2.0>, dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%i, %f : tensor<1x1x3x3xf32>, tensor<1x1x1x1xf32>) outs(%acc : tensor<1x1x3x3xf32>) -> tensor<1x1x3x3xf32>
  return %y : tensor<1x1x3x3xf32>
}

// Pooling has the convolution interface but no weights: no warning.
// CHECK-LABEL: func.func @pool
// CHECK: linalg.pooling_nhwc_max
func.func @pool(%i: tensor<1x4x4x1xf32> {qt.range = array<f32: -1.0, 1.0>}) -> tensor<1x2x2x1xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x2x2x1xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<1x2x2x1xf32>) -> tensor<1x2x2x1xf32>
  %w = tensor.empty() : tensor<2x2xf32>
  %y = linalg.pooling_nhwc_max {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>} ins(%i, %w : tensor<1x4x4x1xf32>, tensor<2x2xf32>) outs(%acc : tensor<1x2x2x1xf32>) -> tensor<1x2x2x1xf32>
  return %y : tensor<1x2x2x1xf32>
}
