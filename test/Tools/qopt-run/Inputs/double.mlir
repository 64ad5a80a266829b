// y = 2 * x, input named like the .npz array.
func.func @main(%x: tensor<3xf32> {qt.name = "x"}) -> tensor<3xf32> {
  %y = tosa.add %x, %x : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %y : tensor<3xf32>
}
