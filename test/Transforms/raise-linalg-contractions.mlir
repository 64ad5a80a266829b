// RUN: qopt %s --qt-raise-linalg-contractions | FileCheck %s

#id2 = affine_map<(d0, d1) -> (d0, d1)>
#last2 = affine_map<(d0, d1) -> (d1)>

// A matmul with a constant weight from a zero fill, a bias along the last
// axis and a ReLU (torch-mlir's form): tosa.matmul, with the bias add and
// the clamp before the reshape back to 2-D, so that the quantizer fuses
// them. The matmul's qt.range moves to the tosa.matmul and the reshape.
// CHECK-LABEL: func.func @mlp
// CHECK: %[[X3:.*]] = tosa.reshape %arg0
// CHECK-SAME: -> tensor<1x2x4xf32>
// CHECK: %[[MM:.*]] = tosa.matmul %[[X3]], %{{.*}} {qt.range = array<f32: -2.000000e+00, 2.000000e+00>} : (tensor<1x2x4xf32>, tensor<1x4x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x3xf32>
// CHECK: %[[ADD:.*]] = tosa.add %[[MM]], %{{.*}} : (tensor<1x2x3xf32>, tensor<1x1x3xf32>) -> tensor<1x2x3xf32>
// CHECK: %[[RELU:.*]] = tosa.clamp %[[ADD]] {max_val = 3.40282347E+38 : f32, min_val = 0.000000e+00 : f32}
// CHECK: %[[Y:.*]] = tosa.reshape %[[RELU]]
// CHECK-NOT: linalg.
// CHECK: return %[[Y]] : tensor<2x3xf32>
func.func @mlp(%x: tensor<2x4xf32>) -> tensor<2x3xf32> {
  %w = arith.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0], [10.0, 11.0, 12.0]]> : tensor<4x3xf32>
  %b = arith.constant dense<[0.5, -0.5, 1.0]> : tensor<3xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x3xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<2x3xf32>) -> tensor<2x3xf32>
  %y = linalg.matmul {qt.range = array<f32: -2.0, 2.0>} ins(%x, %w : tensor<2x4xf32>, tensor<4x3xf32>) outs(%acc : tensor<2x3xf32>) -> tensor<2x3xf32>
  %yb = linalg.generic {indexing_maps = [#id2, #last2, #id2], iterator_types = ["parallel", "parallel"]} ins(%y, %b : tensor<2x3xf32>, tensor<3xf32>) outs(%e : tensor<2x3xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %s = arith.addf %c, %a : f32
    linalg.yield %s : f32
  } -> tensor<2x3xf32>
  %r = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%yb : tensor<2x3xf32>) outs(%e : tensor<2x3xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.maximumf %a, %zero : f32
    linalg.yield %s : f32
  } -> tensor<2x3xf32>
  return %r : tensor<2x3xf32>
}

// y = A x with A constant: x[1,K] times Aᵀ (here [[1, 3], [2, 4]]).
// ReLU6 written min-first (tosa-to-linalg's order) is a clamp [0, 6].
// CHECK-LABEL: func.func @matvec
// CHECK: tosa.const{{.*}}dense<{{\[\[\[}}1.000000e+00, 3.000000e+00], [2.000000e+00, 4.000000e+00]]]> : tensor<1x2x2xf32>
// CHECK: tosa.matmul {{.*}} -> tensor<1x1x2xf32>
// CHECK: tosa.clamp %{{.*}} {max_val = 6.000000e+00 : f32, min_val = 0.000000e+00 : f32} : (tensor<1x1x2xf32>)
func.func @matvec(%x: tensor<2xf32>) -> tensor<2xf32> {
  %a = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %zero = arith.constant 0.0 : f32
  %six = arith.constant 6.0 : f32
  %e = tensor.empty() : tensor<2xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<2xf32>) -> tensor<2xf32>
  %y = linalg.matvec ins(%a, %x : tensor<2x2xf32>, tensor<2xf32>) outs(%acc : tensor<2xf32>) -> tensor<2xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%y : tensor<2xf32>) outs(%e : tensor<2xf32>) {
  ^bb0(%a0: f32, %o: f32):
    %m = arith.minimumf %a0, %six : f32
    %s = arith.maximumf %m, %zero : f32
    linalg.yield %s : f32
  } -> tensor<2xf32>
  return %r : tensor<2xf32>
}

// An HWCF filter [1, 1, 2, 3] becomes OHWI [3, 1, 1, 2]; the zero pad of H
// and W before it becomes the convolution's pad [top, bottom, left, right],
// less the last padded column that no stride-2 window reaches (TOSA wants
// none unread).
// CHECK-LABEL: func.func @conv_hwcf
// CHECK-NOT: tensor.pad
// CHECK: tosa.conv2d %arg0, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 0, 0, 1>, stride = array<i64: 2, 2>} : (tensor<1x4x4x2xf32>, tensor<3x1x1x2xf32>, tensor<3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x3x3x3xf32>
func.func @conv_hwcf(%x: tensor<1x4x4x2xf32>) -> tensor<1x3x3x3xf32> {
  %f = arith.constant dense<[[[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]]]> : tensor<1x1x2x3xf32>
  %zero = arith.constant 0.0 : f32
  %p = tensor.pad %x low[0, 1, 0, 0] high[0, 0, 2, 0] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x4x4x2xf32> to tensor<1x5x6x2xf32>
  %e = tensor.empty() : tensor<1x3x3x3xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<1x3x3x3xf32>) -> tensor<1x3x3x3xf32>
  %y = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%p, %f : tensor<1x5x6x2xf32>, tensor<1x1x2x3xf32>) outs(%acc : tensor<1x3x3x3xf32>) -> tensor<1x3x3x3xf32>
  return %y : tensor<1x3x3x3xf32>
}

// tosa-to-linalg-named's form: an FHWC filter (already OHWI) and the bias
// broadcast into the accumulator, which becomes the convolution's bias.
// CHECK-LABEL: func.func @conv_fhwc_bias
// CHECK: %[[BIAS:.*]] = "tosa.const"() <{values = dense<[5.000000e-01, -1.000000e+00]> : tensor<2xf32>}>
// CHECK: tosa.conv2d %arg0, %{{.*}}, %[[BIAS]], %{{.*}}, %{{.*}} {{.*}} -> tensor<1x2x2x2xf32>
func.func @conv_fhwc_bias(%x: tensor<1x2x2x1xf32>) -> tensor<1x2x2x2xf32> {
  %f = arith.constant dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>
  %b = arith.constant dense<[0.5, -1.0]> : tensor<2xf32>
  %e = tensor.empty() : tensor<1x2x2x2xf32>
  %acc = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%b : tensor<2xf32>) outs(%e : tensor<1x2x2x2xf32>) {
  ^bb0(%in: f32, %o: f32):
    linalg.yield %in : f32
  } -> tensor<1x2x2x2xf32>
  %y = linalg.conv_2d_nhwc_fhwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %f : tensor<1x2x2x1xf32>, tensor<2x1x1x1xf32>) outs(%acc : tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  return %y : tensor<1x2x2x2xf32>
}

// Depthwise: an HWC filter gets TOSA's multiplier axis; tosa-to-linalg's
// HWCM form with the collapse of [C, M] after it is taken as one op.
// CHECK-LABEL: func.func @depthwise
// CHECK: tosa.depthwise_conv2d %arg0, %{{.*}} : (tensor<1x3x3x2xf32>, tensor<3x3x2x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x2xf32>
// CHECK: tosa.depthwise_conv2d %{{.*}} : (tensor<1x1x1x2xf32>, tensor<1x1x2x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x2xf32>
// CHECK-NOT: linalg.depthwise
// CHECK-NOT: tensor.collapse_shape
func.func @depthwise(%x: tensor<1x3x3x2xf32>) -> tensor<1x1x1x2xf32> {
  %f = arith.constant dense<1.0> : tensor<3x3x2xf32>
  %g = arith.constant dense<2.0> : tensor<1x1x2x1xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x1x1x2xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<1x1x1x2xf32>) -> tensor<1x1x1x2xf32>
  %y = linalg.depthwise_conv_2d_nhwc_hwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %f : tensor<1x3x3x2xf32>, tensor<3x3x2xf32>) outs(%acc : tensor<1x1x1x2xf32>) -> tensor<1x1x1x2xf32>
  %e5 = tensor.empty() : tensor<1x1x1x2x1xf32>
  %acc5 = linalg.fill ins(%zero : f32) outs(%e5 : tensor<1x1x1x2x1xf32>) -> tensor<1x1x1x2x1xf32>
  %z = linalg.depthwise_conv_2d_nhwc_hwcm {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%y, %g : tensor<1x1x1x2xf32>, tensor<1x1x2x1xf32>) outs(%acc5 : tensor<1x1x1x2x1xf32>) -> tensor<1x1x1x2x1xf32>
  %c = tensor.collapse_shape %z [[0], [1], [2], [3, 4]] : tensor<1x1x1x2x1xf32> into tensor<1x1x1x2xf32>
  return %c : tensor<1x1x1x2xf32>
}

// What is not taken stays: a weight that is not constant, an accumulator
// that is not zero, an NCHW convolution.
// CHECK-LABEL: func.func @stays
// CHECK: linalg.matmul
// CHECK: linalg.matmul
// CHECK: linalg.conv_2d_nchw_fchw
// CHECK-NOT: tosa.
func.func @stays(%x: tensor<2x2xf32>, %w: tensor<2x2xf32>, %i: tensor<1x1x3x3xf32>) -> (tensor<2x2xf32>, tensor<2x2xf32>, tensor<1x1x3x3xf32>) {
  %c = arith.constant dense<1.0> : tensor<2x2xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x2xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<2x2xf32>) -> tensor<2x2xf32>
  %a = linalg.matmul ins(%x, %w : tensor<2x2xf32>, tensor<2x2xf32>) outs(%acc : tensor<2x2xf32>) -> tensor<2x2xf32>
  %b = linalg.matmul ins(%x, %c : tensor<2x2xf32>, tensor<2x2xf32>) outs(%x : tensor<2x2xf32>) -> tensor<2x2xf32>
  %f = arith.constant dense<1.0> : tensor<1x1x1x1xf32>
  %e4 = tensor.empty() : tensor<1x1x3x3xf32>
  %acc4 = linalg.fill ins(%zero : f32) outs(%e4 : tensor<1x1x3x3xf32>) -> tensor<1x1x3x3xf32>
  %y = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%i, %f : tensor<1x1x3x3xf32>, tensor<1x1x1x1xf32>) outs(%acc4 : tensor<1x1x3x3xf32>) -> tensor<1x1x3x3xf32>
  return %a, %b, %y : tensor<2x2xf32>, tensor<2x2xf32>, tensor<1x1x3x3xf32>
}
