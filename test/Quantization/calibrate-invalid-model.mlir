// RUN: qopt %s --qt-calibrate="data=%S/Inputs/calib.npz percentile=120" -split-input-file -verify-diagnostics

// The percentile must be in (0, 100].
// expected-error @below {{percentile must be in (0, 100], got 1.200000e+02}}
module {
  func.func @main(%x: tensor<3xf32> {qt.name = "x"}) -> tensor<3xf32> {
    return %x : tensor<3xf32>
  }
}
