// RUN: qopt %s --qt-quantize-dynamic | FileCheck %s

// qt-quantize-dynamic alone (--quantize-dynamic adds canonicalization):
// both fully connected layers get int8 weights per output channel and
// compute their activation scales at run time; no range is needed, and
// the ranges present are ignored. The first keeps its ReLU fused (min = 0).
// CHECK-LABEL: func.func @mlp
// CHECK: qt.dynamic_fully_connected %{{.*}}, %{{.*}}, %{{.*}} {min = 0.000000e+00 : f32} : tensor<1x4xf32>, tensor<3x4x!quant.uniform<i8:f32:0, {0.0078740157{{[0-9]*}},0.0078740157{{[0-9]*}},0.0078740157{{[0-9]*}}}>>, tensor<3xf32> -> tensor<1x3xf32>
// CHECK: qt.dynamic_fully_connected %{{.*}}, %{{.*}} : tensor<1x3xf32>, tensor<2x3x!quant.uniform<i8:f32:0, {0.0078740157{{[0-9]*}},0.015748031{{[0-9]*}}}>> -> tensor<1x2xf32>
// CHECK-NOT: tosa.matmul
// CHECK-NOT: qt.quantize
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
