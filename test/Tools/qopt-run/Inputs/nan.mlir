// y = x * NaN: a model whose outputs are all NaN.
func.func @main(%x: tensor<3xf32> {qt.name = "x"}) -> tensor<3xf32> {
  %nan = "tosa.const"() <{values = dense<0x7FC00000> : tensor<3xf32>}> : () -> tensor<3xf32>
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %y = tosa.mul %x, %nan, %shift : (tensor<3xf32>, tensor<3xf32>, tensor<1xi8>) -> tensor<3xf32>
  return %y : tensor<3xf32>
}
