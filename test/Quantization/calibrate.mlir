// RUN: qopt %s --qt-calibrate="data=%S/Inputs/calib.npz" -verify-diagnostics | FileCheck %s

// minmax records the range of every activation where it is produced. The
// third sample holds a NaN and an infinity: it is left out as a whole (3 of
// 4 samples count).
// CHECK: module attributes {qt.calibration = {method = "minmax", samples = 3 : i64}}
// CHECK-LABEL: func.func @main
// CHECK-SAME: qt.range = array<f32: -1.000000e+00, 3.000000e+00>
// CHECK: tosa.add {{.*}}qt.range = array<f32: -2.000000e+00, 6.000000e+00>
// CHECK: tosa.clamp {{.*}}qt.range = array<f32: 0.000000e+00, 6.000000e+00>
// CHECK: tosa.sub {{.*}}qt.range = array<f32: 0.000000e+00, 0.000000e+00>
// expected-warning @below {{1 of 4 calibration samples contain NaN or infinite values and were skipped}}
module {
  func.func @main(%x: tensor<3xf32> {qt.name = "x"}) -> (tensor<3xf32>, tensor<3xf32>) {
    %y = tosa.add %x, %x : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
    %r = tosa.clamp %y {min_val = 0.0 : f32, max_val = 3.4e38 : f32} : (tensor<3xf32>) -> tensor<3xf32>
    // An all-zero activation: a zero-width range (quantization gives s = 1).
    %z = tosa.sub %y, %y : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
    return %r, %z : tensor<3xf32>, tensor<3xf32>
  }
}
