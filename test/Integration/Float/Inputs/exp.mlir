func.func @main(%x: tensor<1x1048576xf32>) -> tensor<1x1048576xf32> {
  %y = tosa.exp %x : (tensor<1x1048576xf32>) -> tensor<1x1048576xf32>
  return %y : tensor<1x1048576xf32>
}
