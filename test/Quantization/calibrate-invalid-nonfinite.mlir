// RUN: %python -c "import numpy as np; x = np.ones((3, 3), np.float32); x[0, 1] = np.nan; x[1, 0] = np.inf; x[2, 2] = -np.inf; np.savez('%t.npz', x=x)"
// RUN: qopt %s --qt-calibrate="data=%t.npz" -verify-diagnostics
// RUN: env QOPT_NUM_THREADS=2 qopt %s --qt-calibrate="data=%t.npz method=entropy" -verify-diagnostics

// Every sample holds a NaN or an infinity: none is left to calibrate with.
// expected-warning @below {{3 of 3 calibration samples contain NaN or infinite values and were skipped}}
// expected-error @below {{no calibration sample is free of NaN and infinite values}}
module {
  func.func @main(%x: tensor<3xf32> {qt.name = "x"}) -> tensor<3xf32> {
    %y = tosa.add %x, %x : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
    return %y : tensor<3xf32>
  }
}
