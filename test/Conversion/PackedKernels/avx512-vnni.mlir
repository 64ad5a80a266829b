// RUN: qopt %s -convert-qt-to-packed-kernels | FileCheck %s

// Weights [N=2, K=5] fill no whole 16-column block: they are packed at their
// real width, [K/4 = 2][2 columns x 4 K values] (K zero padded to 8), and
// read with masked loads; the compensation is bias - (128 + z_in) * colsum:
// 10 - (128 - 3) * 6 = -740 and -20 - 125 * 0 = -20, unpadded. The inner
// loop is one vpdpbusd per 4 K values.
// CHECK-LABEL: func.func @fc
// CHECK-DAG: arith.constant dense<{{\[\[\[}}1, 2, 3, -1, 4, -4, 0, 0]], {{\[\[}}1, 0, 0, 0, 0, 0, 0, 0]]]> : tensor<2x1x8xi8>
// CHECK-DAG: arith.constant dense<[-740, -20]> : tensor<2xi32>
// One row and one 16-column block: a row loop and the K loop over the one
// whole group of 4 K values; the input is read in place and flipped
// (x + 128 == x ^ 0x80 per byte) on the scalar word before the broadcast.
// CHECK: scf.for
// CHECK: scf.for
// CHECK: vector.transfer_read %{{.*}} : tensor<2x1x8xi8>, vector<64xi8>
// CHECK: vector.transfer_read %{{.*}} {in_bounds = [true]} : tensor<1x5xi8>, vector<4xi8>
// CHECK: arith.xori %{{.*}}, %c-2139062144_i32{{.*}} : i32
// CHECK: qt.x86_vpdpbusd %{{.*}}, %{{.*}}, %{{.*}} : vector<16xi32>, vector<64xi8>, vector<64xi8> -> vector<16xi32>
// The last, partial group (K = 5: one value) is read with a mask, and the
// 2 real columns are stored with a mask into the [1, 2] result.
// CHECK: vector.transfer_read %{{.*}} : tensor<2x1x8xi8>, vector<64xi8>
// CHECK: vector.transfer_read %{{.*}} : tensor<1x5xi8>, vector<4xi8>
// CHECK: qt.x86_vpdpbusd
// The multipliers (0.5 * 0.25 / 0.75 and 0.5 * 0.125 / 0.75) are below 0.5:
// shifts 33 and 34, so requantization uses the high half of acc * M0 and
// stays in 32-bit lanes (no carry from the low half for n > 32).
// CHECK: %{{.*}}, %[[HI:.*]] = arith.mulsi_extended %{{.*}}, %{{.*}} : vector<16xi32>
// CHECK-NOT: arith.select
// CHECK: arith.addi %[[HI]], %{{.*}} : vector<16xi32>
// CHECK: arith.shrsi %{{.*}}, %{{.*}} : vector<16xi32>
// CHECK-NOT: vector<16xi64>
// CHECK: vector.transfer_write %{{.*}} : vector<16xi8>, tensor<1x2xi8>
// CHECK-NOT: qt.fully_connected
func.func @fc(%x: tensor<1x5x!quant.uniform<i8:f32, 0.5:-3>>) -> tensor<1x2x!quant.uniform<i8:f32, 0.75:1>> {
  %wi = arith.constant dense<[[1, 2, 3, -1, 1], [4, -4, 0, 0, 0]]> : tensor<2x5xi8>
  %w = quant.scast %wi : tensor<2x5xi8> to tensor<2x5x!quant.uniform<i8:f32:0, {0.25, 0.125}>>
  %b = arith.constant dense<[10, -20]> : tensor<2xi32>
  %y = qt.fully_connected %x, %w, %b : tensor<1x5x!quant.uniform<i8:f32, 0.5:-3>>, tensor<2x5x!quant.uniform<i8:f32:0, {0.25, 0.125}>>, tensor<2xi32> -> tensor<1x2x!quant.uniform<i8:f32, 0.75:1>>
  return %y : tensor<1x2x!quant.uniform<i8:f32, 0.75:1>>
}

// A multiplier of 0.5 * 0.5 / 0.125 = 2 (shift 29) needs the product's low
// bits: requantization in 64-bit lanes.
// CHECK-LABEL: func.func @multiplier_above_one
// CHECK-NOT: arith.mulsi_extended
// CHECK: arith.shrsi %{{.*}}, %{{.*}} : vector<16xi64>
func.func @multiplier_above_one(%x: tensor<1x4x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x2x!quant.uniform<i8:f32, 0.125>> {
  %wi = arith.constant dense<[[1, 2, 3, 4], [-1, -2, -3, -4]]> : tensor<2x4xi8>
  %w = quant.scast %wi : tensor<2x4xi8> to tensor<2x4x!quant.uniform<i8:f32, 0.5>>
  %y = qt.fully_connected %x, %w : tensor<1x4x!quant.uniform<i8:f32, 0.5>>, tensor<2x4x!quant.uniform<i8:f32, 0.5>> -> tensor<1x2x!quant.uniform<i8:f32, 0.125>>
  return %y : tensor<1x2x!quant.uniform<i8:f32, 0.125>>
}

// Weights with a non-zero zero point stay for the portable lowering.
// CHECK-LABEL: func.func @weight_zero_point
// CHECK: qt.fully_connected
func.func @weight_zero_point(%x: tensor<1x4x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x1x!quant.uniform<i8:f32, 0.5>> {
  %wi = arith.constant dense<[[1, 2, 3, 4]]> : tensor<1x4xi8>
  %w = quant.scast %wi : tensor<1x4xi8> to tensor<1x4x!quant.uniform<i8:f32, 0.25:3>>
  %y = qt.fully_connected %x, %w : tensor<1x4x!quant.uniform<i8:f32, 0.5>>, tensor<1x4x!quant.uniform<i8:f32, 0.25:3>> -> tensor<1x1x!quant.uniform<i8:f32, 0.5>>
  return %y : tensor<1x1x!quant.uniform<i8:f32, 0.5>>
}

// A convolution becomes im2col on the storage type (padded with the input
// zero point, 7; each tap's channels copied as a vector into a [16, 9]
// buffer, rows split across threads) and a fully connected layer on
// [F, KH*KW*C] weights.
// CHECK-LABEL: func.func @conv
// CHECK: %[[ZP:.*]] = arith.constant 7 : i8
// CHECK: tensor.pad %{{.*}} low[0, 1, 1, 0] high[0, 1, 1, 0]
// CHECK: tensor.yield %[[ZP]]
// CHECK: %[[IN:.*]] = bufferization.to_buffer %{{.*}} read_only : tensor<1x6x6x1xi8> to memref<1x6x6x1xi8>
// CHECK: %[[ROWS:.*]] = memref.alloc() : memref<16x9xi8>
// CHECK: scf.for
// CHECK-COUNT-9: vector.transfer_read %[[IN]]
// CHECK: } {qt.parallel}
// CHECK: bufferization.to_tensor %[[ROWS]] restrict writable : memref<16x9xi8> to tensor<16x9xi8>
// CHECK: qt.x86_vpdpbusd
// CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0, 1, 2], [3]] output_shape [1, 4, 4, 2] : tensor<16x2xi8> into tensor<1x4x4x2xi8>
// CHECK-NOT: qt.conv2d
func.func @conv(%x: tensor<1x4x4x1x!quant.uniform<i8:f32, 0.5:7>>) -> tensor<1x4x4x2x!quant.uniform<i8:f32, 0.5>> {
  %fi = arith.constant dense<1> : tensor<2x3x3x1xi8>
  %f = quant.scast %fi : tensor<2x3x3x1xi8> to tensor<2x3x3x1x!quant.uniform<i8:f32, 0.25>>
  %y = qt.conv2d %x, %f pad = [1, 1, 1, 1] stride = [1, 1] dilation = [1, 1]
      : tensor<1x4x4x1x!quant.uniform<i8:f32, 0.5:7>>, tensor<2x3x3x1x!quant.uniform<i8:f32, 0.25>>
      -> tensor<1x4x4x2x!quant.uniform<i8:f32, 0.5>>
  return %y : tensor<1x4x4x2x!quant.uniform<i8:f32, 0.5>>
}
