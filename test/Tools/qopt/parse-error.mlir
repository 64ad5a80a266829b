// RUN: qopt %s -verify-diagnostics

// Malformed MLIR is reported where it is malformed.
func.func @main(%a: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{expected ':'}}
  return %a tensor<4xf32>
}
