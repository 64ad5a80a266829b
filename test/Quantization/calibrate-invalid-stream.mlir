// Calibration data is read as the samples run: damage in the middle of a
// member is found there, and the error names the file, the input and the
// sample; nothing is written.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %S/Inputs/make_bad_streams.py %t
// RUN: not qopt %s --qt-calibrate="data=%t/truncated.npz" -o %t/out.mlir 2>&1 | FileCheck %s --check-prefix=TRUNCATED
// TRUNCATED: error: sample {{[0-9]+}} of input 'x': {{.*}}truncated.npz:x.npy: truncated deflate data
// RUN: not qopt %s --qt-calibrate="data=%t/corrupt.npz" -o %t/out.mlir 2>&1 | FileCheck %s --check-prefix=CORRUPT
// CORRUPT: error: sample {{[0-9]+}} of input 'x': {{.*}}corrupt.npz:x.npy: corrupt deflate data
// RUN: not qopt-run %s --inputs %t/corrupt.npz 2>&1 | FileCheck %s --check-prefix=CORRUPT
// RUN: test ! -e %t/out.mlir
module {
  func.func @main(%x: tensor<64xf32> {qt.name = "x"}) -> tensor<64xf32> {
    %y = tosa.add %x, %x : (tensor<64xf32>, tensor<64xf32>) -> tensor<64xf32>
    return %y : tensor<64xf32>
  }
}
