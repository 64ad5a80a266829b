// RUN: qopt %s --qt-calibrate -verify-diagnostics

// Calibration without samples.
// expected-error @below {{qt-calibrate needs data=<samples.npz>}}
module {
  func.func @main(%x: tensor<3xf32>) -> tensor<3xf32> {
    return %x : tensor<3xf32>
  }
}
