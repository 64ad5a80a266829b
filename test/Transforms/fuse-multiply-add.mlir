// RUN: qopt %s -qt-fuse-multiply-add -split-input-file | FileCheck %s

// A named float matmul is generalized; its body accumulates with one fma.
// CHECK-LABEL: func.func @matmul
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: ^bb0(%[[A:.*]]: f32, %[[B:.*]]: f32, %[[ACC:.*]]: f32):
// CHECK-NEXT: %[[R:.*]] = math.fma %[[A]], %[[B]], %[[ACC]] : f32
// CHECK-NEXT: linalg.yield %[[R]] : f32
// CHECK-NOT: linalg.matmul
func.func @matmul(%a: tensor<4x8xf32>, %b: tensor<8x3xf32>, %c: tensor<4x3xf32>) -> tensor<4x3xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<4x8xf32>, tensor<8x3xf32>) outs(%c : tensor<4x3xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// bf16 operands widened to a float32 accumulator: the widened values go
// into the fma (their product is exact in float32 either way).
// CHECK-LABEL: func.func @conv_bf16
// CHECK: arith.extf
// CHECK: arith.extf
// CHECK: math.fma
// CHECK-NOT: arith.mulf
func.func @conv_bf16(%x: tensor<1x6x6x4xbf16>, %w: tensor<2x3x3x4xbf16>, %c: tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32> {
  %0 = linalg.conv_2d_nhwc_fhwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<1x6x6x4xbf16>, tensor<2x3x3x4xbf16>) outs(%c : tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32>
  return %0 : tensor<1x4x4x2xf32>
}

// -----

// Untouched: an elementwise x * y + z (no reduction), an integer matmul, and
// a float sum without a product.
// CHECK-LABEL: func.func @untouched
// CHECK-NOT: math.fma
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: linalg.matmul
// CHECK: arith.addf
// CHECK-NOT: math.fma
#map = affine_map<(d0) -> (d0)>
#red = affine_map<(d0) -> ()>
func.func @untouched(%x: tensor<8xf32>, %y: tensor<8xf32>, %z: tensor<8xf32>,
                     %a: tensor<4x8xi32>, %b: tensor<8x3xi32>, %c: tensor<4x3xi32>,
                     %s: tensor<f32>) -> (tensor<8xf32>, tensor<4x3xi32>, tensor<f32>) {
  %0 = linalg.generic {indexing_maps = [#map, #map, #map], iterator_types = ["parallel"]}
      ins(%x, %y : tensor<8xf32>, tensor<8xf32>) outs(%z : tensor<8xf32>) {
  ^bb0(%p: f32, %q: f32, %r: f32):
    %m = arith.mulf %p, %q : f32
    %t = arith.addf %r, %m : f32
    linalg.yield %t : f32
  } -> tensor<8xf32>
  %1 = linalg.matmul ins(%a, %b : tensor<4x8xi32>, tensor<8x3xi32>) outs(%c : tensor<4x3xi32>) -> tensor<4x3xi32>
  %2 = linalg.generic {indexing_maps = [#map, #red], iterator_types = ["reduction"]}
      ins(%x : tensor<8xf32>) outs(%s : tensor<f32>) {
  ^bb0(%p: f32, %r: f32):
    %t = arith.addf %p, %r : f32
    linalg.yield %t : f32
  } -> tensor<f32>
  return %0, %1, %2 : tensor<8xf32>, tensor<4x3xi32>, tensor<f32>
}

// -----

// A bf16 accumulator is left as it is (only float32 / float64 sums fuse).
// CHECK-LABEL: func.func @bf16_accumulator
// CHECK: linalg.matmul
// CHECK-NOT: math.fma
func.func @bf16_accumulator(%a: tensor<4x8xbf16>, %b: tensor<8x3xbf16>, %c: tensor<4x3xbf16>) -> tensor<4x3xbf16> {
  %0 = linalg.matmul ins(%a, %b : tensor<4x8xbf16>, tensor<8x3xbf16>) outs(%c : tensor<4x3xbf16>) -> tensor<4x3xbf16>
  return %0 : tensor<4x3xbf16>
}
