// RUN: qopt %s --quantize-dynamic -verify-diagnostics | FileCheck %s

// A fully connected layer with bias and ReLU becomes one
// qt.dynamic_fully_connected on int8 weights with the float bias and the
// clamp fused; no calibration ranges are needed. Convolutions stay float.
// CHECK-LABEL: func.func @main
// CHECK-DAG: %[[B:.*]] = arith.constant dense<[1.000000e-01, -1.000000e-01]> : tensor<2xf32>
// CHECK-DAG: %[[WI:.*]] = arith.constant dense<{{\[\[}}127, 42, -127], [-42, 127, 0]]> : tensor<2x3xi8>
// CHECK: %[[X:.*]] = tensor.collapse_shape
// CHECK: %[[W:.*]] = quant.scast %[[WI]] : tensor<2x3xi8> to tensor<2x3x!quant.uniform<i8:f32:0, {
// CHECK: %[[Y:.*]] = qt.dynamic_fully_connected %[[X]], %[[W]], %[[B]] {min = 0.000000e+00 : f32} : tensor<1x3xf32>
// CHECK: tensor.expand_shape %[[Y]]
// CHECK-NOT: tosa.matmul
func.func @main(%x: tensor<1x1x3xf32>, %img: tensor<1x2x2x1xf32>) -> (tensor<1x1x2xf32>, tensor<1x2x2x1xf32>) {
  %w = "tosa.const"() <{values = dense<[[[3.0, -1.0], [1.0, 3.0], [-3.0, 0.0]]]> : tensor<1x3x2xf32>}> : () -> tensor<1x3x2xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %m = tosa.matmul %x, %w, %zp, %zp : (tensor<1x1x3xf32>, tensor<1x3x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  %b = "tosa.const"() <{values = dense<[[[0.1, -0.1]]]> : tensor<1x1x2xf32>}> : () -> tensor<1x1x2xf32>
  %a = tosa.add %m, %b : (tensor<1x1x2xf32>, tensor<1x1x2xf32>) -> tensor<1x1x2xf32>
  %r = tosa.clamp %a {min_val = 0.0 : f32, max_val = 3.4e38 : f32} : (tensor<1x1x2xf32>) -> tensor<1x1x2xf32>
  %cw = "tosa.const"() <{values = dense<0.5> : tensor<1x1x1x1xf32>}> : () -> tensor<1x1x1x1xf32>
  %cb = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  // expected-remark @+1 {{stays float: dynamic quantization covers fully connected layers only}}
  %c = tosa.conv2d %img, %cw, %cb, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>}
      : (tensor<1x2x2x1xf32>, tensor<1x1x1x1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x1xf32>
  return %r, %c : tensor<1x1x2xf32>, tensor<1x2x2x1xf32>
}
