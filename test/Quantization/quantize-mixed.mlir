// RUN: qopt %s --quantize-int8="float-type=f16" | FileCheck %s

// Mixed precision: the contraction is int8, what stays float (the softmax
// tail here) computes in f16, and the signature stays float32.
// CHECK-LABEL: func.func @main
// CHECK-SAME: (%{{.*}}: tensor<1x4xf32> {{.*}}) -> tensor<1x2xf32>
// CHECK: tosa.cast %{{.*}} : (tensor<1x4xf32>) -> tensor<1x4xf16>
// CHECK: qt.quantize %{{.*}} : tensor<1x4xf16> -> tensor<1x4x!quant.uniform<i8:f32
// CHECK: qt.fully_connected
// CHECK: qt.dequantize %{{.*}} -> tensor<1x2xf16>
// CHECK: tosa.exp %{{.*}} : (tensor<1x2xf16>) -> tensor<1x2xf16>
// CHECK: tosa.cast %{{.*}} : (tensor<1x2xf16>) -> tensor<1x2xf32>
func.func @main(%x: tensor<1x4xf32> {qt.range = array<f32: -1.0, 1.0>}) -> tensor<1x2xf32> {
  %s3 = tosa.const_shape {values = dense<[1, 1, 4]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %x3 = tosa.reshape %x, %s3 {qt.range = array<f32: -1.0, 1.0>} : (tensor<1x4xf32>, !tosa.shape<3>) -> tensor<1x1x4xf32>
  %w = "tosa.const"() <{values = dense<0.5> : tensor<1x4x2xf32>}> : () -> tensor<1x4x2xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %m = tosa.matmul %x3, %w, %zp, %zp {qt.range = array<f32: -2.0, 2.0>} : (tensor<1x1x4xf32>, tensor<1x4x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  %s2 = tosa.const_shape {values = dense<[1, 2]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %y = tosa.reshape %m, %s2 {qt.range = array<f32: -2.0, 2.0>} : (tensor<1x1x2xf32>, !tosa.shape<2>) -> tensor<1x2xf32>
  %e = tosa.exp %y {qt.range = array<f32: 0.1, 7.4>} : (tensor<1x2xf32>) -> tensor<1x2xf32>
  return %e : tensor<1x2xf32>
}
