func.func @main(%x: tensor<3xi32> {qt.name = "x"}) -> tensor<3xi32> {
  return %x : tensor<3xi32>
}
