// RUN: qopt %s --qt-quantize-int8 -split-input-file -verify-diagnostics | FileCheck %s

// qt-quantize-int8 alone (--quantize-int8 adds calibration before it and
// qt-remove-float-islands and canonicalization after): each contraction
// becomes a qt int8 op between a qt.quantize of its input and a
// qt.dequantize of its result, scales from the recorded qt.range; the
// dequantize / quantize pair between the layers is left for the
// canonicalizer to fold (test/Dialect/QT/canonicalize.mlir).
// CHECK-LABEL: func.func @mlp
// CHECK: %[[X:.*]] = qt.quantize %{{.*}} : tensor<1x4xf32> -> tensor<1x4x!quant.uniform<i8:f32, 0.0078431377{{[0-9]*}}:-1>>
// CHECK: %[[H:.*]] = qt.fully_connected %[[X]], %{{.*}}, %{{.*}} {min = 0.000000e+00 : f32}
// CHECK-SAME: -> tensor<1x3x!quant.uniform<i8:f32, 0.0078431377{{[0-9]*}}:-128>>
// CHECK: %[[D:.*]] = qt.dequantize %[[H]]
// CHECK: qt.quantize
// CHECK: %[[Y:.*]] = qt.fully_connected
// CHECK-SAME: -> tensor<1x2x!quant.uniform<i8:f32, 0.023529412{{[0-9]*}}>>
// CHECK: qt.dequantize %[[Y]]
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

// Without ranges there is nothing to choose scales from.
// expected-error @below {{the model has no calibration ranges (qt.range attributes), so int8 scales cannot be chosen}}
module {
func.func @no_ranges(%x: tensor<1x4xf32>) -> tensor<1x2xf32> {
  %s3 = tosa.const_shape {values = dense<[1, 1, 4]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %x3 = tosa.reshape %x, %s3 : (tensor<1x4xf32>, !tosa.shape<3>) -> tensor<1x1x4xf32>
  %w1 = "tosa.const"() <{values = dense<[[[0.5, -0.25, 1.0], [0.1, 0.2, -0.3], [1.0, 1.0, 1.0], [-0.5, 0.0, 0.25]]]> : tensor<1x4x3xf32>}> : () -> tensor<1x4x3xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %m1 = tosa.matmul %x3, %w1, %zp, %zp : (tensor<1x1x4xf32>, tensor<1x4x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x3xf32>
  %b1 = "tosa.const"() <{values = dense<[[[0.1, -0.1, 0.0]]]> : tensor<1x1x3xf32>}> : () -> tensor<1x1x3xf32>
  %a1 = tosa.add %m1, %b1 : (tensor<1x1x3xf32>, tensor<1x1x3xf32>) -> tensor<1x1x3xf32>
  %r1 = tosa.clamp %a1 {min_val = 0.0 : f32, max_val = 3.4e38 : f32} : (tensor<1x1x3xf32>) -> tensor<1x1x3xf32>
  %w2 = "tosa.const"() <{values = dense<[[[1.0, -1.0], [0.5, 0.5], [-0.25, 2.0]]]> : tensor<1x3x2xf32>}> : () -> tensor<1x3x2xf32>
  %m2 = tosa.matmul %r1, %w2, %zp, %zp : (tensor<1x1x3xf32>, tensor<1x3x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  %s2 = tosa.const_shape {values = dense<[1, 2]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %y = tosa.reshape %m2, %s2 : (tensor<1x1x2xf32>, !tosa.shape<2>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}
}
