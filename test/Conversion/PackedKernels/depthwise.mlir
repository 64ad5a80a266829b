// RUN: qopt %s -convert-qt-to-packed-kernels | FileCheck %s
// RUN: qopt %s -convert-qt-to-packed-kernels | FileCheck %s --check-prefix=TAPS
// RUN: qopt %s -convert-qt-to-packed-kernels | FileCheck %s --check-prefix=WIDEN
// RUN: qopt %s -convert-qt-to-packed-kernels=isa=avx2 | FileCheck %s --check-prefix=AVX2

// A depthwise convolution (multiplier 1) becomes a direct kernel vectorized
// over channels: the input padded with its zero point (5), compensation
// bias - z_x * sum_taps f per channel (3 - 5 * 9 = -42 and -1 - 5 * 18 =
// -91), one multiply-add per tap on 16 int32 lanes (2 real channels:
// masked), requantized on whole registers. On AVX-512 (the default ISA,
// avx512-vnni) each tap is one vpdpwssd of the input sign-extended to int32
// and the filter [taps, channels] as int32 with only the low int16 half
// set; the 4 output pixels of a row (up to 6) are one step, each input
// vector widened once for all of them (3 rows x 6 columns = 18), two
// accumulators per pixel.
// CHECK-LABEL: func.func @dw
// CHECK-DAG: arith.constant dense<[-42, -91]> : tensor<2xi32>
// CHECK-DAG: arith.constant dense<{{.*}}> : tensor<9x2xi32>
// CHECK: tensor.pad %{{.*}} low[0, 1, 1, 0] high[0, 1, 1, 0]
// CHECK: scf.for %{{.*}} = %{{.*}} to %c4{{.*}} step %c4
// CHECK: qt.x86_vpdpwssd
// CHECK-COUNT-4: arith.addi %{{.*}}, %{{.*}} : vector<16xi32>
// TAPS-LABEL: func.func @dw
// TAPS-COUNT-36: qt.x86_vpdpwssd
// TAPS-NOT: qt.x86_vpdpwssd
// WIDEN-LABEL: func.func @dw
// WIDEN-COUNT-18: arith.extsi %{{.*}} : vector<16xi8> to vector<16xi32>
// WIDEN-NOT: arith.extsi %{{.*}} : vector<16xi8> to vector<16xi32>
// WIDEN: arith.mulsi_extended
// With avx2 the filter is widened to int32 once per channel block, one pixel per
// step, a multiply and an add per tap.
// AVX2-LABEL: func.func @dw
// AVX2: arith.constant dense<{{.*}}> : tensor<9x2xi8>
// AVX2: scf.for %{{.*}} = %{{.*}} to %c4{{.*}} step %c1
// AVX2-COUNT-9: arith.muli %{{.*}}, %{{.*}} : vector<16xi32>
// AVX2-NOT: qt.x86_vpdpwssd
// Multipliers 0.25 and 0.125: shifts 32 and 33. The 32-bit form rounds a
// shift of exactly 32 with the low half's top bit, the others with
// 2^(n - 33) added to the high half: a per-lane select.
// CHECK: %[[LO:.*]], %{{.*}} = arith.mulsi_extended %{{.*}}, %{{.*}} : vector<16xi32>
// CHECK: %[[CARRY:.*]] = arith.shrui %[[LO]], %{{.*}} : vector<16xi32>
// CHECK: arith.select %{{.*}}, %[[CARRY]], %{{.*}} : vector<16xi1>, vector<16xi32>
// CHECK: arith.shrsi %{{.*}}, %{{.*}} : vector<16xi32>
// CHECK: vector.transfer_write %{{.*}} : vector<16xi8>, tensor<1x4x4x2xi8>
// CHECK-NOT: qt.depthwise_conv2d
func.func @dw(%x: tensor<1x4x4x2x!quant.uniform<i8:f32, 0.5:5>>) -> tensor<1x4x4x2x!quant.uniform<i8:f32, 0.5>> {
  %fi = arith.constant dense<[[[1, 2], [1, 2], [1, 2]], [[1, 2], [1, 2], [1, 2]], [[1, 2], [1, 2], [1, 2]]]> : tensor<3x3x2xi8>
  %f = quant.scast %fi : tensor<3x3x2xi8> to tensor<3x3x2x!quant.uniform<i8:f32:2, {0.25, 0.125}>>
  %b = arith.constant dense<[3, -1]> : tensor<2xi32>
  %y = qt.depthwise_conv2d %x, %f, %b pad = [1, 1, 1, 1] stride = [1, 1] dilation = [1, 1]
      : tensor<1x4x4x2x!quant.uniform<i8:f32, 0.5:5>>, tensor<3x3x2x!quant.uniform<i8:f32:2, {0.25, 0.125}>>, tensor<2xi32>
      -> tensor<1x4x4x2x!quant.uniform<i8:f32, 0.5>>
  return %y : tensor<1x4x4x2x!quant.uniform<i8:f32, 0.5>>
}

// A channel multiplier of 2 stays for the portable lowering.
// CHECK-LABEL: func.func @multiplier
// CHECK: qt.depthwise_conv2d
func.func @multiplier(%x: tensor<1x4x4x1x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x4x4x2x!quant.uniform<i8:f32, 0.5>> {
  %fi = arith.constant dense<1> : tensor<1x1x2xi8>
  %f = quant.scast %fi : tensor<1x1x2xi8> to tensor<1x1x2x!quant.uniform<i8:f32, 0.25>>
  %y = qt.depthwise_conv2d %x, %f pad = [0, 0, 0, 0] stride = [1, 1] dilation = [1, 1]
      : tensor<1x4x4x1x!quant.uniform<i8:f32, 0.5>>, tensor<1x1x2x!quant.uniform<i8:f32, 0.25>>
      -> tensor<1x4x4x2x!quant.uniform<i8:f32, 0.5>>
  return %y : tensor<1x4x4x2x!quant.uniform<i8:f32, 0.5>>
}
