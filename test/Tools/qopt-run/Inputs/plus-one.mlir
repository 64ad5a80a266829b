// y = 2 * x + 1: compared with double.mlir the error is exactly 1.
func.func @main(%x: tensor<3xf32> {qt.name = "x"}) -> tensor<3xf32> {
  %y = tosa.add %x, %x : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %one = "tosa.const"() <{values = dense<1.0> : tensor<3xf32>}> : () -> tensor<3xf32>
  %z = tosa.add %y, %one : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %z : tensor<3xf32>
}
