// RUN: qopt %s --qt-calibrate="data=%S/Inputs/calib.npz method=kl" -verify-diagnostics
// RUN: not qopt %s --qt-calibrate="data=%S/Inputs/calib-f64.npz" -o %t.mlir 2>&1 | FileCheck %s --check-prefix=DTYPE
// RUN: not qopt %s --qt-calibrate="data=%S/Inputs/missing.npz" -o %t.mlir 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: not ls %t.mlir

// Data of the wrong dtype or a missing file: located at the module, no output.
// DTYPE: calibrate-invalid.mlir:12:1: error: {{.*}}calib-f64.npz: array 'x' has dtype float64 but input 'x' takes float32 (convert with .astype(numpy.float32))
// MISSING: calibrate-invalid.mlir:12:1: error: cannot read '{{.*}}missing.npz'

// An unknown method.
// expected-error @below {{unknown calibration method 'kl' (expected minmax, percentile, entropy or mse)}}
module {
  func.func @main(%x: tensor<3xf32> {qt.name = "x"}) -> tensor<3xf32> {
    %y = tosa.add %x, %x : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
    return %y : tensor<3xf32>
  }
}
