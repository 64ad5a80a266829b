// RUN: qopt %s --quantize-int8 -split-input-file -verify-diagnostics | FileCheck %s

// Two fully connected layers (matmul + bias + ReLU, then matmul): int8
// weights per output channel, int32 bias, ReLU fused into the first
// requantization, and the int8 result feeding the second layer directly
// (the dequantize/quantize pair between them folds away).
// Weights: column n of W1 scaled by max|W1[:, n]| / 127 and rounded half to
// even (0.5 * 127 = 63.5 -> 64); bias 0.1 / (s_in * s_w) = 1619.2 -> 1619.
// CHECK-LABEL: func.func @mlp
// CHECK-DAG: %[[B1:.*]] = arith.constant dense<[1619, -1619, 0]> : tensor<3xi32>
// CHECK-DAG: %[[W1I:.*]] = arith.constant dense<{{\[\[}}64, 13, 127, -64], [-32, 25, 127, 0], [127, -38, 127, 32]]> : tensor<3x4xi8>
// CHECK: %[[X:.*]] = qt.quantize %{{.*}} : tensor<1x4xf32> -> tensor<1x4x!quant.uniform<i8:f32, 0.0078431377{{[0-9]*}}:-1>>
// CHECK: %[[W1:.*]] = quant.scast %[[W1I]] : tensor<3x4xi8> to tensor<3x4x!quant.uniform<i8:f32:0, {0.0078740157{{[0-9]*}},0.0078740157{{[0-9]*}},0.0078740157{{[0-9]*}}}>>
// CHECK: %[[H:.*]] = qt.fully_connected %[[X]], %[[W1]], %[[B1]] {min = 0.000000e+00 : f32}
// CHECK-SAME: -> tensor<1x3x!quant.uniform<i8:f32, 0.0078431377{{[0-9]*}}:-128>>
// CHECK-NOT: qt.quantize
// CHECK-NOT: qt.dequantize
// CHECK: %[[Y:.*]] = qt.fully_connected %[[H]], %{{.*}} : tensor<1x3x!quant.uniform<i8:f32, 0.0078431377{{[0-9]*}}:-128>>, tensor<2x3x!quant.uniform<i8:f32:0
// The output reshape runs on the int8 storage; the logits are dequantized once.
// CHECK: quant.scast %[[Y]]
// CHECK: tosa.reshape %{{.*}} : (tensor<1x1x2xi8>, !tosa.shape<2>) -> tensor<1x2xi8>
// CHECK: qt.dequantize
// CHECK-NOT: tosa.matmul
func.func @mlp(%x: tensor<1x4xf32> {qt.range = array<f32: -1.0, 1.0>}) -> tensor<1x2xf32> {
  %s3 = tosa.const_shape {values = dense<[1, 1, 4]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %x3 = tosa.reshape %x, %s3 {qt.range = array<f32: -1.0, 1.0>} : (tensor<1x4xf32>, !tosa.shape<3>) -> tensor<1x1x4xf32>
  %w1 = "tosa.const"() <{values = dense<[[[0.5, -0.25, 1.0], [0.1, 0.2, -0.3], [1.0, 1.0, 1.0], [-0.5, 0.0, 0.25]]]> : tensor<1x4x3xf32>}> : () -> tensor<1x4x3xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %m1 = tosa.matmul %x3, %w1, %zp, %zp {qt.range = array<f32: -2.0, 2.0>} : (tensor<1x1x4xf32>, tensor<1x4x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x3xf32>
  %b1 = "tosa.const"() <{values = dense<[[[0.1, -0.1, 0.0]]]> : tensor<1x1x3xf32>}> : () -> tensor<1x1x3xf32>
  %a1 = tosa.add %m1, %b1 {qt.range = array<f32: -2.0, 2.0>} : (tensor<1x1x3xf32>, tensor<1x1x3xf32>) -> tensor<1x1x3xf32>
  %r1 = tosa.clamp %a1 {min_val = 0.0 : f32, max_val = 3.4e38 : f32, qt.range = array<f32: 0.0, 2.0>} : (tensor<1x1x3xf32>) -> tensor<1x1x3xf32>
  %w2 = "tosa.const"() <{values = dense<[[[1.0, -1.0], [0.5, 0.5], [-0.25, 2.0]]]> : tensor<1x3x2xf32>}> : () -> tensor<1x3x2xf32>
  %m2 = tosa.matmul %r1, %w2, %zp, %zp {qt.range = array<f32: -3.0, 3.0>} : (tensor<1x1x3xf32>, tensor<1x3x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  %s2 = tosa.const_shape {values = dense<[1, 2]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %y = tosa.reshape %m2, %s2 {qt.range = array<f32: -3.0, 3.0>} : (tensor<1x1x2xf32>, !tosa.shape<2>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// A convolution with its bias operand and a fused ReLU6, then a depthwise
// convolution whose [KH, KW, C, M] filter becomes [KH, KW, C * M]; the
// average pool computes the model's output from int8 values, so it stays
// float (exact; qt-remove-float-islands leaves outputs alone).
// CHECK-LABEL: func.func @cnn
// CHECK: qt.conv2d %{{.*}}, %{{.*}}, %{{.*}} pad = [1, 1, 1, 1] stride = [1, 1] dilation = [1, 1] {max = 6.000000e+00 : f32, min = 0.000000e+00 : f32}
// CHECK-SAME: tensor<2x3x3x1x!quant.uniform<i8:f32:0, {
// CHECK: qt.depthwise_conv2d %{{.*}}, %{{.*}}, %{{.*}} pad = [0, 0, 0, 0] stride = [1, 1] dilation = [1, 1]
// CHECK-SAME: tensor<2x2x4x!quant.uniform<i8:f32:2, {
// CHECK: qt.dequantize
// CHECK: tosa.avg_pool2d
func.func @cnn(%x: tensor<1x4x4x1xf32> {qt.range = array<f32: 0.0, 1.0>}) -> tensor<1x1x1x4xf32> {
  %w = "tosa.const"() <{values = dense<0.5> : tensor<2x3x3x1xf32>}> : () -> tensor<2x3x3x1xf32>
  %b = "tosa.const"() <{values = dense<[0.1, -0.2]> : tensor<2xf32>}> : () -> tensor<2xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %c = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>, qt.range = array<f32: -0.5, 4.5>}
      : (tensor<1x4x4x1xf32>, tensor<2x3x3x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32>
  %r = tosa.clamp %c {min_val = 0.0 : f32, max_val = 6.0 : f32, qt.range = array<f32: 0.0, 4.5>} : (tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32>
  %dw = "tosa.const"() <{values = dense<[[[[1.0, -1.0], [0.5, 0.25]], [[0.1, 0.2], [0.3, 0.4]]], [[[1.0, 1.0], [1.0, 1.0]], [[-1.0, -1.0], [0.5, 0.5]]]]> : tensor<2x2x2x2xf32>}> : () -> tensor<2x2x2x2xf32>
  %db = "tosa.const"() <{values = dense<0.0> : tensor<4xf32>}> : () -> tensor<4xf32>
  %d = tosa.depthwise_conv2d %r, %dw, %db, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, qt.range = array<f32: -5.0, 9.0>}
      : (tensor<1x4x4x2xf32>, tensor<2x2x2x2xf32>, tensor<4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x3x3x4xf32>
  %p = tosa.avg_pool2d %d, %zp, %zp {acc_type = f32, kernel = array<i64: 3, 3>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, qt.range = array<f32: -1.0, 3.0>}
      : (tensor<1x3x3x4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x4xf32>
  return %p : tensor<1x1x1x4xf32>
}

// -----

// A matmul of two activations has no constant weights: it stays float.
func.func @activations(%a: tensor<1x2x3xf32> {qt.range = array<f32: -1.0, 1.0>}, %b: tensor<1x3x2xf32> {qt.range = array<f32: -1.0, 1.0>}) -> tensor<1x2x2xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  // expected-remark @+1 {{stays float: its right operand is not a constant weight}}
  %m = tosa.matmul %a, %b, %zp, %zp {qt.range = array<f32: -3.0, 3.0>} : (tensor<1x2x3xf32>, tensor<1x3x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2xf32>
  return %m : tensor<1x2x2xf32>
}
