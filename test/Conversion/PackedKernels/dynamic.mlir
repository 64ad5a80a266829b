// RUN: qopt %s -split-input-file -convert-qt-to-packed-kernels=isa=avx512-vnni | FileCheck %s
// RUN: qopt %s -split-input-file -convert-qt-to-packed-kernels=isa=neon-i8mm | FileCheck %s --check-prefix=I8MM

// qt.dynamic_fully_connected with symmetric weights: the input's range,
// scale and zero point at run time (the portable lowering's builder), the
// column sums (3 and -3) times -(128 + z) as the accumulator start, the dot
// kernel, and float(acc) * (s * s_w) + bias, clamped at 0.
// CHECK-LABEL: func.func @dynamic
// CHECK-NOT: qt.dynamic_fully_connected
// CHECK: linalg.generic
// CHECK: arith.minnumf
// CHECK: arith.maxnumf
// CHECK: arith.divf
// CHECK: math.roundeven
// CHECK-DAG: arith.constant dense<[3, -3]> : tensor<2xi32>
// CHECK-DAG: arith.constant dense<[5.000000e-01, 2.500000e-01]> : tensor<2xf32>
// CHECK: arith.constant 128 : i32
// CHECK: qt.x86_vpdpbusd
// CHECK: arith.sitofp {{.*}} : vector<16xi32> to vector<16xf32>
// CHECK: arith.mulf {{.*}} : vector<16xf32>
// CHECK: arith.addf {{.*}} : vector<16xf32>
// CHECK: arith.maxnumf {{.*}} : vector<16xf32>
// CHECK: vector.transfer_write {{.*}} tensor<3x2xf32>
// I8MM-LABEL: func.func @dynamic
// I8MM-NOT: qt.dynamic_fully_connected
// I8MM: qt.arm_sdot
// I8MM-NOT: qt.arm_smmla
func.func @dynamic(%x: tensor<3x4xf32>) -> tensor<3x2xf32> {
  %raw = arith.constant dense<[[1, 2, 0, 0], [-1, -2, 0, 0]]> : tensor<2x4xi8>
  %w = quant.scast %raw : tensor<2x4xi8> to tensor<2x4x!quant.uniform<i8:f32:0, {0.5, 0.25}>>
  %b = arith.constant dense<[1.0, -1.0]> : tensor<2xf32>
  %y = qt.dynamic_fully_connected %x, %w, %b {min = 0.0 : f32}
      : tensor<3x4xf32>, tensor<2x4x!quant.uniform<i8:f32:0, {0.5, 0.25}>>, tensor<2xf32>
      -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

// Weights with a zero point stay for the portable lowering.
// CHECK-LABEL: func.func @zero_point
// CHECK: qt.dynamic_fully_connected
func.func @zero_point(%x: tensor<3x4xf32>) -> tensor<3x2xf32> {
  %raw = arith.constant dense<[[1, 2, 0, 0], [-1, -2, 0, 0]]> : tensor<2x4xi8>
  %w = quant.scast %raw : tensor<2x4xi8> to tensor<2x4x!quant.uniform<i8:f32, 0.5:3>>
  %y = qt.dynamic_fully_connected %x, %w : tensor<3x4xf32>, tensor<2x4x!quant.uniform<i8:f32, 0.5:3>> -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}
