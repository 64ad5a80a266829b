// RUN: qopt %s --canonicalize -split-input-file | FileCheck %s

// quantize(dequantize(x)) to the same type is x: every value of the type
// dequantizes to a float that quantizes back to itself.
// CHECK-LABEL: func.func @round_trip
// CHECK-SAME: (%[[X:.*]]: tensor<4x!quant.uniform<i8:f32, 5.000000e-01:-3>>)
// CHECK-NEXT: return %[[X]]
func.func @round_trip(%x: tensor<4x!quant.uniform<i8:f32, 0.5:-3>>) -> tensor<4x!quant.uniform<i8:f32, 0.5:-3>> {
  %f = qt.dequantize %x : tensor<4x!quant.uniform<i8:f32, 0.5:-3>> -> tensor<4xf32>
  %q = qt.quantize %f : tensor<4xf32> -> tensor<4x!quant.uniform<i8:f32, 0.5:-3>>
  return %q : tensor<4x!quant.uniform<i8:f32, 0.5:-3>>
}

// -----

// To another scale or zero point the pair rounds: it stays.
// CHECK-LABEL: func.func @other_scale
// CHECK: qt.dequantize
// CHECK: qt.quantize
func.func @other_scale(%x: tensor<4x!quant.uniform<i8:f32, 0.5:-3>>) -> tensor<4x!quant.uniform<i8:f32, 0.25:-3>> {
  %f = qt.dequantize %x : tensor<4x!quant.uniform<i8:f32, 0.5:-3>> -> tensor<4xf32>
  %q = qt.quantize %f : tensor<4xf32> -> tensor<4x!quant.uniform<i8:f32, 0.25:-3>>
  return %q : tensor<4x!quant.uniform<i8:f32, 0.25:-3>>
}

// -----

// dequantize(quantize(x)) is not x (quantization rounds and clamps): it stays.
// CHECK-LABEL: func.func @not_inverse
// CHECK: qt.quantize
// CHECK: qt.dequantize
func.func @not_inverse(%x: tensor<4xf32>) -> tensor<4xf32> {
  %q = qt.quantize %x : tensor<4xf32> -> tensor<4x!quant.uniform<i8:f32, 0.5:-3>>
  %f = qt.dequantize %q : tensor<4x!quant.uniform<i8:f32, 0.5:-3>> -> tensor<4xf32>
  return %f : tensor<4xf32>
}
