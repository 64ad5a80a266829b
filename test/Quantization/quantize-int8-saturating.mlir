// RUN: qopt %s --quantize-int8 -split-input-file | FileCheck %s

// A matmul whose only reader is a HardSigmoid (x / 6 + 0.5 clamped to
// [0, 1]) needs no values outside [-3, 3]: its calibrated range [-10, 10]
// is clipped there exactly, so the output scale is 6 / 255 instead of
// 20 / 255.
// CHECK-LABEL: func.func @hardsigmoid
// CHECK: qt.fully_connected {{.*}} -> tensor<1x2x!quant.uniform<i8:f32, 0.023529{{[0-9]*}}>>
func.func @hardsigmoid(%x: tensor<1x1x2xf32> {qt.range = array<f32: -1.0, 1.0>}) -> tensor<1x1x2xf32> {
  %w = "tosa.const"() <{values = dense<[[[4.0, -2.0], [3.0, 5.0]]]> : tensor<1x2x2xf32>}> : () -> tensor<1x2x2xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %m = tosa.matmul %x, %w, %zp, %zp {qt.range = array<f32: -10.0, 10.0>} : (tensor<1x1x2xf32>, tensor<1x2x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  %k = "tosa.const"() <{values = dense<0.166666672> : tensor<1x1x1xf32>}> : () -> tensor<1x1x1xf32>
  %half = "tosa.const"() <{values = dense<0.5> : tensor<1x1x1xf32>}> : () -> tensor<1x1x1xf32>
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %s = tosa.mul %m, %k, %shift : (tensor<1x1x2xf32>, tensor<1x1x1xf32>, tensor<1xi8>) -> tensor<1x1x2xf32>
  %a = tosa.add %s, %half : (tensor<1x1x2xf32>, tensor<1x1x1xf32>) -> tensor<1x1x2xf32>
  %y = tosa.clamp %a {min_val = 0.0 : f32, max_val = 1.0 : f32} : (tensor<1x1x2xf32>) -> tensor<1x1x2xf32>
  return %y : tensor<1x1x2xf32>
}

// -----

// HardSwish as exporters write it, x * relu6(x + 3) / 6: below -3 the
// product is 0, above it x passes, so only the low end is clipped:
// [-3, 10] -> scale 13 / 255.
// CHECK-LABEL: func.func @hardswish
// CHECK: qt.fully_connected {{.*}} -> tensor<1x2x!quant.uniform<i8:f32, 0.050980{{[0-9]*}}:-69>>
func.func @hardswish(%x: tensor<1x1x2xf32> {qt.range = array<f32: -1.0, 1.0>}) -> tensor<1x1x2xf32> {
  %w = "tosa.const"() <{values = dense<[[[4.0, -2.0], [3.0, 5.0]]]> : tensor<1x2x2xf32>}> : () -> tensor<1x2x2xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %m = tosa.matmul %x, %w, %zp, %zp {qt.range = array<f32: -10.0, 10.0>} : (tensor<1x1x2xf32>, tensor<1x2x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  %three = "tosa.const"() <{values = dense<3.0> : tensor<1x1x1xf32>}> : () -> tensor<1x1x1xf32>
  %sixth = "tosa.const"() <{values = dense<0.166666672> : tensor<1x1x1xf32>}> : () -> tensor<1x1x1xf32>
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %a = tosa.add %m, %three : (tensor<1x1x2xf32>, tensor<1x1x1xf32>) -> tensor<1x1x2xf32>
  %r = tosa.clamp %a {min_val = 0.0 : f32, max_val = 6.0 : f32} : (tensor<1x1x2xf32>) -> tensor<1x1x2xf32>
  %p = tosa.mul %m, %r, %shift : (tensor<1x1x2xf32>, tensor<1x1x2xf32>, tensor<1xi8>) -> tensor<1x1x2xf32>
  %y = tosa.mul %p, %sixth, %shift : (tensor<1x1x2xf32>, tensor<1x1x1xf32>, tensor<1xi8>) -> tensor<1x1x2xf32>
  return %y : tensor<1x1x2xf32>
}

// -----

// A reader that does not saturate (here a second output) keeps the range.
// CHECK-LABEL: func.func @unsaturated
// CHECK: qt.fully_connected {{.*}} -> tensor<1x2x!quant.uniform<i8:f32, 0.078431{{[0-9]*}}:-1>>
func.func @unsaturated(%x: tensor<1x1x2xf32> {qt.range = array<f32: -1.0, 1.0>}) -> (tensor<1x1x2xf32>, tensor<1x1x2xf32>) {
  %w = "tosa.const"() <{values = dense<[[[4.0, -2.0], [3.0, 5.0]]]> : tensor<1x2x2xf32>}> : () -> tensor<1x2x2xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %m = tosa.matmul %x, %w, %zp, %zp {qt.range = array<f32: -10.0, 10.0>} : (tensor<1x1x2xf32>, tensor<1x2x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  %y = tosa.clamp %m {min_val = -1.0 : f32, max_val = 1.0 : f32} : (tensor<1x1x2xf32>) -> tensor<1x1x2xf32>
  return %y, %m : tensor<1x1x2xf32>, tensor<1x1x2xf32>
}
