// RUN: qopt %s -convert-tosa-int8-to-packed-kernels -split-input-file | FileCheck %s

// matmul (input zero point 5) + bias, rescaled per channel with DOUBLE_ROUND,
// clamped: one packed kernel with the file's multipliers and shifts; the
// compensation is bias - (128 + 5) * colsum: 7 - 133 * 3 = -392 and
// -1 - 133 * (-1) = 132.
// CHECK-LABEL: func.func @fc
// CHECK-DAG: arith.constant dense<[-392, 132]> : tensor<2xi32>
// CHECK-DAG: arith.constant dense<[1073741824, 1610612736]> : tensor<2xi32>
// CHECK-DAG: arith.constant dense<[33, 40]> : tensor<2xi8>
// CHECK: qt.x86_vpdpbusd
// DOUBLE_ROUND: the rounding constant moves by 2^30 for shifts above 31.
// CHECK: arith.cmpi sgt, %{{.*}}, %{{.*}} : vector<16xi64>
// CHECK-NOT: tosa.
// CHECK: return
func.func @fc(%x: tensor<1x2x3xi8>) -> tensor<1x2x2xi8> {
  %b = "tosa.const"() <{values = dense<[[[1, -1], [1, 0], [1, 0]]]> : tensor<1x3x2xi8>}> : () -> tensor<1x3x2xi8>
  %azp = "tosa.const"() <{values = dense<5> : tensor<1xi8>}> : () -> tensor<1xi8>
  %bzp = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %mm = tosa.matmul %x, %b, %azp, %bzp : (tensor<1x2x3xi8>, tensor<1x3x2xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x2x2xi32>
  %bias = "tosa.const"() <{values = dense<[[[7, -1]]]> : tensor<1x1x2xi32>}> : () -> tensor<1x1x2xi32>
  %acc = tosa.add %mm, %bias : (tensor<1x2x2xi32>, tensor<1x1x2xi32>) -> tensor<1x2x2xi32>
  %m = "tosa.const"() <{values = dense<[1073741824, 1610612736]> : tensor<2xi32>}> : () -> tensor<2xi32>
  %s = "tosa.const"() <{values = dense<[33, 40]> : tensor<2xi8>}> : () -> tensor<2xi8>
  %izp = "tosa.const"() <{values = dense<0> : tensor<1xi32>}> : () -> tensor<1xi32>
  %ozp = "tosa.const"() <{values = dense<-3> : tensor<1xi8>}> : () -> tensor<1xi8>
  %r = tosa.rescale %acc, %m, %s, %izp, %ozp {input_unsigned = false, output_unsigned = false, per_channel = true, rounding_mode = DOUBLE_ROUND, scale32 = true} : (tensor<1x2x2xi32>, tensor<2xi32>, tensor<2xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x2x2xi8>
  %c = tosa.clamp %r {min_val = -10 : i8, max_val = 100 : i8} : (tensor<1x2x2xi8>) -> tensor<1x2x2xi8>
  return %c : tensor<1x2x2xi8>
}

// -----

// A weight zero point other than 0 is left to upstream's TOSA lowering.
// CHECK-LABEL: func.func @weight_zero_point
// CHECK: tosa.matmul
// CHECK: tosa.rescale
func.func @weight_zero_point(%x: tensor<1x2x3xi8>) -> tensor<1x2x2xi8> {
  %b = "tosa.const"() <{values = dense<1> : tensor<1x3x2xi8>}> : () -> tensor<1x3x2xi8>
  %azp = "tosa.const"() <{values = dense<5> : tensor<1xi8>}> : () -> tensor<1xi8>
  %bzp = "tosa.const"() <{values = dense<2> : tensor<1xi8>}> : () -> tensor<1xi8>
  %mm = tosa.matmul %x, %b, %azp, %bzp : (tensor<1x2x3xi8>, tensor<1x3x2xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x2x2xi32>
  %m = "tosa.const"() <{values = dense<1073741824> : tensor<1xi32>}> : () -> tensor<1xi32>
  %s = "tosa.const"() <{values = dense<33> : tensor<1xi8>}> : () -> tensor<1xi8>
  %izp = "tosa.const"() <{values = dense<0> : tensor<1xi32>}> : () -> tensor<1xi32>
  %ozp = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %r = tosa.rescale %mm, %m, %s, %izp, %ozp {input_unsigned = false, output_unsigned = false, per_channel = false, rounding_mode = SINGLE_ROUND, scale32 = true} : (tensor<1x2x2xi32>, tensor<1xi32>, tensor<1xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x2x2xi8>
  return %r : tensor<1x2x2xi8>
}
