// RUN: qopt %s --qt-prepare-contractions --split-input-file | FileCheck %s

// A stride-2 transposed convolution becomes a 1x1 convolution into 2x2
// times the channels and a depth-to-space; the bias add and the
// BatchNormalization's multiply and add after it move before the
// depth-to-space and fold into the convolution's weights and bias.
// CHECK-LABEL: func.func @transpose_conv_bn
// CHECK-NOT: tosa.transpose_conv2d
// CHECK-DAG: %[[W:.*]] = "tosa.const"() <{values = dense<{{.*}}> : tensor<8x1x1x3xf32>}>
// CHECK-DAG: %[[B:.*]] = "tosa.const"() <{values = dense<[7.000000e+00, 1.000000e+01, 7.000000e+00, 1.000000e+01, 7.000000e+00, 1.000000e+01, 7.000000e+00, 1.000000e+01]> : tensor<8xf32>}>
// CHECK: %[[C:.*]] = tosa.conv2d %arg0, %[[W]], %[[B]], {{.*}} -> tensor<1x4x4x8xf32>
// CHECK: tosa.reshape %[[C]]
// CHECK: tosa.transpose
// CHECK: %[[R:.*]] = tosa.reshape
// CHECK-NOT: tosa.add
// CHECK-NOT: tosa.mul
// CHECK: return %[[R]] : tensor<1x8x8x2xf32>
func.func @transpose_conv_bn(%x: tensor<1x4x4x3xf32>) -> tensor<1x8x8x2xf32> {
  %w = "tosa.const"() <{values = dense<1.0> : tensor<2x2x2x3xf32>}> : () -> tensor<2x2x2x3xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<2xf32>}> : () -> tensor<2xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %bias = "tosa.const"() <{values = dense<[[[[1.0, 2.0]]]]> : tensor<1x1x1x2xf32>}> : () -> tensor<1x1x1x2xf32>
  %scale = "tosa.const"() <{values = dense<[[[[3.0, 4.0]]]]> : tensor<1x1x1x2xf32>}> : () -> tensor<1x1x1x2xf32>
  %shift = "tosa.const"() <{values = dense<[[[[4.0, 2.0]]]]> : tensor<1x1x1x2xf32>}> : () -> tensor<1x1x1x2xf32>
  %s = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %t = tosa.transpose_conv2d %x, %w, %b, %zp, %zp {acc_type = f32, out_pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>} : (tensor<1x4x4x3xf32>, tensor<2x2x2x3xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x8x8x2xf32>
  %a = tosa.add %t, %bias : (tensor<1x8x8x2xf32>, tensor<1x1x1x2xf32>) -> tensor<1x8x8x2xf32>
  %m = tosa.mul %a, %scale, %s : (tensor<1x8x8x2xf32>, tensor<1x1x1x2xf32>, tensor<1xi8>) -> tensor<1x8x8x2xf32>
  %y = tosa.add %m, %shift : (tensor<1x8x8x2xf32>, tensor<1x1x1x2xf32>) -> tensor<1x8x8x2xf32>
  return %y : tensor<1x8x8x2xf32>
}

// -----

// A multiply folds into a depthwise convolution's [KH, KW, C, M] weights by
// output channel c * M + m; the folded convolution takes the mul's range.
// CHECK-LABEL: func.func @depthwise_mul
// CHECK-DAG: %[[W:.*]] = "tosa.const"() <{values = dense<{{\[\[\[\[}}2.000000e+00, 3.000000e+00], [2.000000e+00, 3.000000e+00]]]]> : tensor<1x1x2x2xf32>}>
// CHECK-DAG: %[[B:.*]] = "tosa.const"() <{values = dense<[2.000000e+00, 3.000000e+00, 2.000000e+00, 3.000000e+00]> : tensor<4xf32>}>
// CHECK: %[[D:.*]] = tosa.depthwise_conv2d %arg0, %[[W]], %[[B]], {{.*}} {{{.*}}qt.range = array<f32: -1.000000e+00, 1.000000e+00>
// CHECK: return %[[D]]
func.func @depthwise_mul(%x: tensor<1x4x4x2xf32>) -> tensor<1x4x4x4xf32> {
  %w = "tosa.const"() <{values = dense<1.0> : tensor<1x1x2x2xf32>}> : () -> tensor<1x1x2x2xf32>
  %b = "tosa.const"() <{values = dense<1.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %c = "tosa.const"() <{values = dense<[[[[2.0, 3.0, 2.0, 3.0]]]]> : tensor<1x1x1x4xf32>}> : () -> tensor<1x1x1x4xf32>
  %s = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %d = tosa.depthwise_conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xf32>, tensor<1x1x2x2xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x4xf32>
  %y = tosa.mul %c, %d, %s {qt.range = array<f32: -1.0, 1.0>} : (tensor<1x1x1x4xf32>, tensor<1x4x4x4xf32>, tensor<1xi8>) -> tensor<1x4x4x4xf32>
  return %y : tensor<1x4x4x4xf32>
}

// -----

// Left alone: a convolution with a second user, a constant that varies
// along another axis, and pre-quantized weights under a multiply.
// CHECK-LABEL: func.func @not_folded
// CHECK: %[[C:.*]] = tosa.conv2d
// CHECK: tosa.add %[[C]]
// CHECK: tosa.add %[[C]]
// CHECK: %[[Q:.*]] = tosa.conv2d {{.*}}qt.weight_scales
// CHECK: tosa.mul %[[Q]]
// CHECK: %[[R:.*]] = tosa.conv2d
// CHECK: tosa.add %[[R]]
func.func @not_folded(%x: tensor<1x2x2x1xf32>) -> (tensor<1x2x2x1xf32>, tensor<1x2x2x1xf32>, tensor<1x2x2x1xf32>, tensor<1x2x2x1xf32>) {
  %w = "tosa.const"() <{values = dense<1.0> : tensor<1x1x1x1xf32>}> : () -> tensor<1x1x1x1xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %one = "tosa.const"() <{values = dense<1.0> : tensor<1x1x1x1xf32>}> : () -> tensor<1x1x1x1xf32>
  %two = "tosa.const"() <{values = dense<2.0> : tensor<1x1x1x1xf32>}> : () -> tensor<1x1x1x1xf32>
  %rows = "tosa.const"() <{values = dense<[[[[1.0]], [[2.0]]]]> : tensor<1x2x1x1xf32>}> : () -> tensor<1x2x1x1xf32>
  %s = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %c = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x2x2x1xf32>, tensor<1x1x1x1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x1xf32>
  %a1 = tosa.add %c, %one : (tensor<1x2x2x1xf32>, tensor<1x1x1x1xf32>) -> tensor<1x2x2x1xf32>
  %a2 = tosa.add %c, %one : (tensor<1x2x2x1xf32>, tensor<1x1x1x1xf32>) -> tensor<1x2x2x1xf32>
  %q = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, qt.weight_scales = array<f32: 0.01>, stride = array<i64: 1, 1>} : (tensor<1x2x2x1xf32>, tensor<1x1x1x1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x1xf32>
  %m = tosa.mul %q, %two, %s : (tensor<1x2x2x1xf32>, tensor<1x1x1x1xf32>, tensor<1xi8>) -> tensor<1x2x2x1xf32>
  %r = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x2x2x1xf32>, tensor<1x1x1x1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x1xf32>
  %a3 = tosa.add %r, %rows : (tensor<1x2x2x1xf32>, tensor<1x2x1x1xf32>) -> tensor<1x2x2x1xf32>
  return %a1, %a2, %m, %a3 : tensor<1x2x2x1xf32>, tensor<1x2x2x1xf32>, tensor<1x2x2x1xf32>, tensor<1x2x2x1xf32>
}
