// RUN: qopt %s --quantize-int8 | FileCheck %s

// A max pool and a reshape between two int8 convolutions run on int8 with
// their input's scale and zero point (as TFLite): the second convolution
// quantizes with the same parameters, so the quantize/dequantize pairs fold
// away and the int8 values flow from one convolution to the next.
// CHECK-LABEL: func.func @main
// CHECK: %[[C1:.*]] = qt.conv2d
// CHECK-NEXT: %[[S:.*]] = quant.scast %[[C1]] : tensor<1x4x4x2x!quant.uniform<i8:f32, [[P:.*]]>> to tensor<1x4x4x2xi8>
// CHECK-NEXT: %[[P1:.*]] = tosa.max_pool2d %[[S]] {{.*}} : (tensor<1x4x4x2xi8>) -> tensor<1x2x2x2xi8>
// CHECK-NEXT: %[[R:.*]] = tosa.reshape %[[P1]], %{{.*}} : (tensor<1x2x2x2xi8>, !tosa.shape<4>) -> tensor<1x1x1x8xi8>
// CHECK-NEXT: %[[Q:.*]] = quant.scast %[[R]] : tensor<1x1x1x8xi8> to tensor<1x1x1x8x!quant.uniform<i8:f32, [[P]]>>
// CHECK-NOT: qt.dequantize
// CHECK-NOT: qt.quantize
// CHECK: qt.conv2d %[[Q]]
func.func @main(%x: tensor<1x4x4x1xf32> {qt.range = array<f32: 0.0, 1.0>}) -> tensor<1x1x1x3xf32> {
  %w = "tosa.const"() <{values = dense<0.5> : tensor<2x1x1x1xf32>}> : () -> tensor<2x1x1x1xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<2xf32>}> : () -> tensor<2xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %c = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, qt.range = array<f32: 0.0, 0.5>}
      : (tensor<1x4x4x1xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32>
  %p = tosa.max_pool2d %c {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, qt.range = array<f32: 0.0, 0.4>} : (tensor<1x4x4x2xf32>) -> tensor<1x2x2x2xf32>
  %s = tosa.const_shape {values = dense<[1, 1, 1, 8]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %r = tosa.reshape %p, %s {qt.range = array<f32: 0.0, 0.4>} : (tensor<1x2x2x2xf32>, !tosa.shape<4>) -> tensor<1x1x1x8xf32>
  %w2 = "tosa.const"() <{values = dense<0.25> : tensor<3x1x1x8xf32>}> : () -> tensor<3x1x1x8xf32>
  %b2 = "tosa.const"() <{values = dense<0.0> : tensor<3xf32>}> : () -> tensor<3xf32>
  %c2 = tosa.conv2d %r, %w2, %b2, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, qt.range = array<f32: 0.0, 2.0>}
      : (tensor<1x1x1x8xf32>, tensor<3x1x1x8xf32>, tensor<3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x3xf32>
  return %c2 : tensor<1x1x1x3xf32>
}
