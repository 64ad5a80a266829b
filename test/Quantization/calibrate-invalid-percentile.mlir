// RUN: qopt %s --qt-calibrate="data=%S/Inputs/calib.npz method=percentile percentile=nan" -verify-diagnostics

// A percentile that is not a number (it passed the old range check).
// expected-error @below {{percentile must be in (0, 100], got nan}}
module {
  func.func @main(%x: tensor<3xf32> {qt.name = "x"}) -> tensor<3xf32> {
    %y = tosa.add %x, %x : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
    return %y : tensor<3xf32>
  }
}
