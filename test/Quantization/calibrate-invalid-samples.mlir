// RUN: %python -c "import numpy as np; np.savez('%t.empty.npz', x=np.zeros((0, 3), np.float32))"
// RUN: qopt %s --qt-calibrate="data=%t.empty.npz" -split-input-file -verify-diagnostics

// An .npz with zero samples.
// expected-error @below {{holds no samples}}
module {
  func.func @main(%x: tensor<3xf32> {qt.name = "x"}) -> tensor<3xf32> {
    %y = tosa.add %x, %x : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
    return %y : tensor<3xf32>
  }
}
