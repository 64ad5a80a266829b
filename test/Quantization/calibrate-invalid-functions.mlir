// RUN: qopt %s --qt-calibrate="data=%S/Inputs/calib.npz" -split-input-file -verify-diagnostics

// Calibration runs one public function.
// expected-error @below {{qt-calibrate supports one public function; make the others private}}
module {
  func.func @a(%x: tensor<3xf32> {qt.name = "x"}) -> tensor<3xf32> {
    return %x : tensor<3xf32>
  }
  func.func @b(%x: tensor<3xf32> {qt.name = "x"}) -> tensor<3xf32> {
    return %x : tensor<3xf32>
  }
}

// -----

// ... and needs one.
// expected-error @below {{the model has no public function to calibrate}}
module {
  func.func private @a(%x: tensor<3xf32>) -> tensor<3xf32> {
    return %x : tensor<3xf32>
  }
}

// -----

// Calibration placed after --lower-to-llvm finds only LLVM functions.
// expected-error @below {{the model is already lowered to the LLVM dialect: calibrate (--quantize-int8, --qt-calibrate) before --lower-to-llvm}}
module {
  llvm.func @main() {
    llvm.return
  }
}
