// tosa.custom names an operator qopt knows nothing about.
func.func @main(%a: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "tosa.custom"(%a) {operator_name = "foo", domain_name = "bar", implementation_attrs = ""} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
