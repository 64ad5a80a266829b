// RUN: qopt %s --qt-calibrate="data=%S/Inputs/calib.npz" -verify-diagnostics | FileCheck %s

// A model with more than 8 loops in one function: the JIT gives each loop a
// function of its own before optimizing (lib/Target/OutlineLoops.cpp), and
// the ranges must be exactly those of the model as written. Sample values
// of x: [-1, 3]; a_k = a_(k-1) + x = (k + 1) * x, a_0 = x + x.
// CHECK: module attributes {qt.calibration = {method = "minmax", samples = 3 : i64}}
// CHECK: tosa.add {{.*}}qt.range = array<f32: -2.000000e+00, 6.000000e+00>
// CHECK: tosa.add {{.*}}qt.range = array<f32: -3.000000e+00, 9.000000e+00>
// CHECK: tosa.add {{.*}}qt.range = array<f32: -4.000000e+00, 1.200000e+01>
// CHECK: tosa.add {{.*}}qt.range = array<f32: -5.000000e+00, 1.500000e+01>
// CHECK: tosa.add {{.*}}qt.range = array<f32: -6.000000e+00, 1.800000e+01>
// CHECK: tosa.add {{.*}}qt.range = array<f32: -7.000000e+00, 2.100000e+01>
// CHECK: tosa.add {{.*}}qt.range = array<f32: -8.000000e+00, 2.400000e+01>
// CHECK: tosa.add {{.*}}qt.range = array<f32: -9.000000e+00, 2.700000e+01>
// CHECK: tosa.add {{.*}}qt.range = array<f32: -1.000000e+01, 3.000000e+01>
// CHECK: tosa.add {{.*}}qt.range = array<f32: -1.100000e+01, 3.300000e+01>
// CHECK: tosa.add {{.*}}qt.range = array<f32: -1.200000e+01, 3.600000e+01>
// CHECK: tosa.add {{.*}}qt.range = array<f32: -1.300000e+01, 3.900000e+01>
// expected-warning @below {{1 of 4 calibration samples contain NaN or infinite values and were skipped}}
module {
  func.func @main(%x: tensor<3xf32> {qt.name = "x"}) -> tensor<3xf32> {
    %a0 = tosa.add %x, %x : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
    %a1 = tosa.add %a0, %x : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
    %a2 = tosa.add %a1, %x : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
    %a3 = tosa.add %a2, %x : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
    %a4 = tosa.add %a3, %x : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
    %a5 = tosa.add %a4, %x : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
    %a6 = tosa.add %a5, %x : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
    %a7 = tosa.add %a6, %x : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
    %a8 = tosa.add %a7, %x : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
    %a9 = tosa.add %a8, %x : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
    %a10 = tosa.add %a9, %x : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
    %a11 = tosa.add %a10, %x : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
    return %a11 : tensor<3xf32>
  }
}
