// RUN: qopt %s --quantize-int8 -split-input-file -verify-diagnostics | FileCheck %s

// 70,000 products of |w| = 127 could reach 255 * 127 * 70000 > 2^31 - 1:
// qopt proves the int32 accumulation unsafe and keeps the layer in float
// rather than let it wrap.
// CHECK-LABEL: func.func @overflow
// CHECK: tosa.matmul
// CHECK-NOT: qt.fully_connected
func.func @overflow(%x: tensor<1x1x70000xf32> {qt.range = array<f32: -1.0, 1.0>}) -> tensor<1x1x1xf32> {
  %w = "tosa.const"() <{values = dense<1.0> : tensor<1x70000x1xf32>}> : () -> tensor<1x70000x1xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  // expected-remark @+1 {{stays float: its int32 accumulation could overflow (70000 products per output)}}
  %m = tosa.matmul %x, %w, %zp, %zp {qt.range = array<f32: -5.0, 5.0>} : (tensor<1x1x70000xf32>, tensor<1x70000x1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1xf32>
  return %m : tensor<1x1x1xf32>
}

// -----

// An all-zero output (zero-width range) gets scale 1 and zero point 0, never
// a zero scale; an all-zero weight channel likewise gets scale 1.
// CHECK-LABEL: func.func @zero_range
// CHECK: qt.fully_connected {{.*}} tensor<2x2x!quant.uniform<i8:f32:0, {1.000000e+00,{{.*}}}>> -> tensor<1x2x!quant.uniform<i8:f32, 1.000000e+00>>
func.func @zero_range(%x: tensor<1x1x2xf32> {qt.range = array<f32: 0.0, 1.0>}) -> tensor<1x1x2xf32> {
  %w = "tosa.const"() <{values = dense<[[[0.0, 1.0], [0.0, -1.0]]]> : tensor<1x2x2xf32>}> : () -> tensor<1x2x2xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %m = tosa.matmul %x, %w, %zp, %zp {qt.range = array<f32: 0.0, 0.0>} : (tensor<1x1x2xf32>, tensor<1x2x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  return %m : tensor<1x1x2xf32>
}

// -----

// NaN or infinite weights stay float as they are (int8 cannot hold them;
// NaN was quantized to 0 before).
// CHECK-LABEL: func.func @nan_weight
// CHECK: tosa.matmul
// CHECK-NOT: qt.fully_connected
func.func @nan_weight(%x: tensor<1x1x2xf32> {qt.range = array<f32: 0.0, 1.0>}) -> tensor<1x1x2xf32> {
  %w = "tosa.const"() <{values = dense<[[[0x7FC00000, 1.0], [0.5, -1.0]]]> : tensor<1x2x2xf32>}> : () -> tensor<1x2x2xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  // expected-remark @+1 {{stays float: its weights or bias hold NaN or infinite values}}
  %m = tosa.matmul %x, %w, %zp, %zp {qt.range = array<f32: -1.0, 1.0>} : (tensor<1x1x2xf32>, tensor<1x2x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  return %m : tensor<1x1x2xf32>
}

// -----

// CHECK-LABEL: func.func @inf_bias
// CHECK: tosa.conv2d
// CHECK-NOT: qt.conv2d
func.func @inf_bias(%x: tensor<1x4x4x1xf32> {qt.range = array<f32: 0.0, 1.0>}) -> tensor<1x4x4x1xf32> {
  %w = "tosa.const"() <{values = dense<0.5> : tensor<1x1x1x1xf32>}> : () -> tensor<1x1x1x1xf32>
  %b = "tosa.const"() <{values = dense<0x7F800000> : tensor<1xf32>}> : () -> tensor<1xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  // expected-remark @+1 {{stays float: its weights or bias hold NaN or infinite values}}
  %y = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, qt.range = array<f32: -1.0, 1.0>} : (tensor<1x4x4x1xf32>, tensor<1x1x1x1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x1xf32>
  return %y : tensor<1x4x4x1xf32>
}

// -----

// A channel whose weights are tiny next to its bias (a dead channel, or a
// bias folded in after the weights were scaled down) would need a bias
// beyond int32 at its weights' scale: the channel gets a coarser weight
// scale instead, |b| / (s_in 2^30) (here 0.5 * 255 / 2^30), and the layer
// stays int8.
// CHECK-LABEL: func.func @dead_channel_bias
// CHECK: %[[W:.*]] = arith.constant dense<{{\[\[}}0, 0], [127, -127]]> : tensor<2x2xi8>
// CHECK: qt.fully_connected {{.*}} tensor<2x2x!quant.uniform<i8:f32:0, {1.18743621{{[0-9]*}}E-7,{{.*}}}>>
func.func @dead_channel_bias(%x: tensor<1x1x2xf32> {qt.range = array<f32: 0.0, 1.0>}) -> tensor<1x1x2xf32> {
  %w = "tosa.const"() <{values = dense<[[[1.0e-9, 1.0], [1.0e-9, -1.0]]]> : tensor<1x2x2xf32>}> : () -> tensor<1x2x2xf32>
  %b = "tosa.const"() <{values = dense<[[[0.5, 0.0]]]> : tensor<1x1x2xf32>}> : () -> tensor<1x1x2xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %m = tosa.matmul %x, %w, %zp, %zp {qt.range = array<f32: -2.0, 2.0>} : (tensor<1x1x2xf32>, tensor<1x2x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  %y = tosa.add %m, %b {qt.range = array<f32: -2.0, 2.0>} : (tensor<1x1x2xf32>, tensor<1x1x2xf32>) -> tensor<1x1x2xf32>
  return %y : tensor<1x1x2xf32>
}
