// A 64 x 128 x 96 float32 matmul with constant weights (for --quantize-bf16).
func.func @main(%x: tensor<1x64x128xf32>) -> tensor<1x64x96xf32> {
  %w = "tosa.const"() <{values = dense<0.5> : tensor<1x128x96xf32>}> : () -> tensor<1x128x96xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %m = tosa.matmul %x, %w, %zp, %zp : (tensor<1x64x128xf32>, tensor<1x128x96xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x64x96xf32>
  return %m : tensor<1x64x96xf32>
}
