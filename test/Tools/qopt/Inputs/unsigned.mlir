// uint8 in, the same uint8 out, and the int8 form (value - 128) out.
func.func @main(%x: tensor<4xi8> {qt.name = "x", qt.unsigned}) -> (tensor<4xi8> {qt.name = "same", qt.unsigned}, tensor<4xi8> {qt.name = "shifted"}) {
  %c = "tosa.const"() <{values = dense<-128> : tensor<4xi8>}> : () -> tensor<4xi8>
  %s = tosa.bitwise_xor %x, %c : (tensor<4xi8>, tensor<4xi8>) -> tensor<4xi8>
  %t = tosa.bitwise_xor %s, %c : (tensor<4xi8>, tensor<4xi8>) -> tensor<4xi8>
  return %t, %s : tensor<4xi8>, tensor<4xi8>
}
