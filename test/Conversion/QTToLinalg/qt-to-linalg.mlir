// RUN: qopt %s -convert-qt-to-linalg -split-input-file | FileCheck %s

// Quantize divides (never multiplies by a reciprocal), rounds half to even,
// adds the zero point, saturates and maps NaN to the zero point.
// CHECK-LABEL: func.func @quantize
// CHECK-SAME: (%{{.*}}: tensor<4xf32>) -> tensor<4xi8>
// CHECK: linalg.generic
// CHECK: %[[DIV:.*]] = arith.divf %{{.*}}, %{{.*}} : f32
// CHECK: %[[RNE:.*]] = math.roundeven %[[DIV]] : f32
// CHECK: arith.addf %[[RNE]]
// CHECK: arith.maximumf
// CHECK: arith.minimumf
// CHECK: arith.cmpf uno
// CHECK: arith.select
// CHECK: arith.fptosi
// CHECK: arith.trunci %{{.*}} : i32 to i8
func.func @quantize(%x: tensor<4xf32>) -> tensor<4x!quant.uniform<i8:f32, 0.5:3>> {
  %q = qt.quantize %x : tensor<4xf32> -> tensor<4x!quant.uniform<i8:f32, 0.5:3>>
  return %q : tensor<4x!quant.uniform<i8:f32, 0.5:3>>
}

// -----

// Per-channel dequantize reads scales and zero points by channel.
// CHECK: #[[CH:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @dequantize_per_axis
// CHECK-SAME: (%{{.*}}: tensor<2x3xi8>) -> tensor<2x3xf32>
// CHECK-DAG: arith.constant dense<[5.000000e-01, 2.500000e-01]> : tensor<2xf32>
// CHECK-DAG: arith.constant dense<[1, -2]> : tensor<2xi32>
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[CH]], #[[CH]], #{{.*}}]
// CHECK: arith.extsi
// CHECK: arith.subi
// CHECK: arith.sitofp
// CHECK: arith.mulf
func.func @dequantize_per_axis(%q: tensor<2x3x!quant.uniform<i8:f32:0, {0.5:1, 0.25:-2}>>) -> tensor<2x3xf32> {
  %x = qt.dequantize %q : tensor<2x3x!quant.uniform<i8:f32:0, {0.5:1, 0.25:-2}>> -> tensor<2x3xf32>
  return %x : tensor<2x3xf32>
}

// -----

// Fully connected: bias-initialized int32 accumulation, then one fixed-point
// requantization per output channel (M0 and shift from the reference):
// M = 0.5 * 0.25 / 0.75 = 1/6 -> M0 = 1431655765, n = 33;
// M = 0.5 * 0.125 / 0.75 = 1/12 -> n = 34. ReLU clamps at z_out = -2.
// CHECK-LABEL: func.func @fully_connected
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]{{.*}} ins(%{{.*}} : tensor<2xi32>)
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: arith.muli %{{.*}}, %{{.*}} : i32
// CHECK: arith.addi %{{.*}}, %{{.*}} : i32
// CHECK-DAG: arith.constant dense<1431655765> : tensor<2xi32>
// CHECK-DAG: arith.constant dense<[33, 34]> : tensor<2xi8>
// CHECK: linalg.generic
// CHECK: arith.shrsi
// CHECK: arith.maxsi %{{.*}}, %c-2_i64
// CHECK: arith.minsi %{{.*}}, %c127_i64
// CHECK: arith.trunci %{{.*}} : i64 to i8
func.func @fully_connected(%x: tensor<2x3x!quant.uniform<i8:f32, 0.5:3>>) -> tensor<2x2x!quant.uniform<i8:f32, 0.75:-2>> {
  %wi = arith.constant dense<[[1, -2, 3], [4, 5, -6]]> : tensor<2x3xi8>
  %w = quant.scast %wi : tensor<2x3xi8> to tensor<2x3x!quant.uniform<i8:f32:0, {0.25, 0.125}>>
  %b = arith.constant dense<[10, -20]> : tensor<2xi32>
  %y = qt.fully_connected %x, %w, %b {min = 0.0 : f32}
      : tensor<2x3x!quant.uniform<i8:f32, 0.5:3>>, tensor<2x3x!quant.uniform<i8:f32:0, {0.25, 0.125}>>, tensor<2xi32>
      -> tensor<2x2x!quant.uniform<i8:f32, 0.75:-2>>
  return %y : tensor<2x2x!quant.uniform<i8:f32, 0.75:-2>>
}

// -----

// Convolution pads with the input zero point, not with 0.
// CHECK-LABEL: func.func @conv_pads_with_zero_point
// CHECK: %[[ZP:.*]] = arith.constant -7 : i8
// CHECK: tensor.pad %{{.*}} low[0, 1, 1, 0] high[0, 1, 1, 0]
// CHECK: tensor.yield %[[ZP]] : i8
func.func @conv_pads_with_zero_point(%x: tensor<1x4x4x1x!quant.uniform<i8:f32, 0.5:-7>>) -> tensor<1x4x4x2x!quant.uniform<i8:f32, 0.5>> {
  %fi = arith.constant dense<1> : tensor<2x3x3x1xi8>
  %f = quant.scast %fi : tensor<2x3x3x1xi8> to tensor<2x3x3x1x!quant.uniform<i8:f32, 0.25>>
  %y = qt.conv2d %x, %f pad = [1, 1, 1, 1] stride = [1, 1] dilation = [1, 1]
      : tensor<1x4x4x1x!quant.uniform<i8:f32, 0.5:-7>>, tensor<2x3x3x1x!quant.uniform<i8:f32, 0.25>>
      -> tensor<1x4x4x2x!quant.uniform<i8:f32, 0.5>>
  return %y : tensor<1x4x4x2x!quant.uniform<i8:f32, 0.5>>
}

// -----

// Storage casts disappear; a calibration probe is the identity.
// CHECK-LABEL: func.func @casts
// CHECK-SAME: (%[[X:.*]]: tensor<4xi8>, %[[F:.*]]: tensor<4xf32>) -> (tensor<4xi8>, tensor<4xf32>)
// CHECK-NEXT: return %[[X]], %[[F]]
func.func @casts(%x: tensor<4xi8>, %f: tensor<4xf32>) -> (tensor<4xi8>, tensor<4xf32>) {
  %q = quant.scast %x : tensor<4xi8> to tensor<4x!quant.uniform<i8:f32, 0.5>>
  %r = quant.scast %q : tensor<4x!quant.uniform<i8:f32, 0.5>> to tensor<4xi8>
  %o = qt.observe %f {id = 0 : i64} : tensor<4xf32>
  return %r, %o : tensor<4xi8>, tensor<4xf32>
}
