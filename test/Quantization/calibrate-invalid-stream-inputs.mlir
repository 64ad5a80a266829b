// Inputs that disagree on the number of samples.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %S/Inputs/make_bad_streams.py %t
// RUN: qopt %s --qt-calibrate="data=%t/mismatch.npz" -verify-diagnostics
// expected-error @below {{mismatch.npz: inputs disagree on the number of samples (2000 and 1999)}}
module {
  func.func @main(%x: tensor<64xf32> {qt.name = "x"}, %y: tensor<64xf32> {qt.name = "y"}) -> tensor<64xf32> {
    %z = tosa.add %x, %y : (tensor<64xf32>, tensor<64xf32>) -> tensor<64xf32>
    return %z : tensor<64xf32>
  }
}
