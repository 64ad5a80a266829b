// The dialect plugin brings qt's verifiers along.
func.func @main(%x: tensor<4xf32>) {
  %q = qt.quantize %x : tensor<4xf32> -> tensor<4x!quant.uniform<i8:f32, 0.5:300>>
  return
}
