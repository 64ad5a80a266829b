// RUN: qopt --lower-to-llvm %s -split-input-file -verify-diagnostics

// An op the pipeline has no lowering for is reported at the op.
func.func @main(%a: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{failed to legalize operation 'tosa.custom'}}
  %0 = "tosa.custom"(%a) {operator_name = "foo", domain_name = "bar", implementation_attrs = ""} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// A public function with a dynamic shape has no plain C entry point.
// expected-error @+1 {{entry point 'main' has no plain C interface: 'tensor<?xf32>' is not a statically shaped tensor of integers or floats}}
func.func @main(%a: tensor<?xf32>) -> tensor<?xf32> {
  return %a : tensor<?xf32>
}
