// RUN: qopt %s -convert-tosa-float-to-kernels="lanes=0" -verify-diagnostics

// expected-error @below {{lanes must be at least 1, not 0}}
module {
  func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
    return %x : tensor<4xf32>
  }
}
