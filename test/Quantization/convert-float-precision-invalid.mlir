// RUN: qopt %s --qt-convert-float-precision=type=f8 -verify-diagnostics

// expected-error @below {{unknown float type 'f8' (expected f16 or bf16)}}
module {
  func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
    return %x : tensor<4xf32>
  }
}
