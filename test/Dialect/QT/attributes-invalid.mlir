// RUN: qopt %s -split-input-file -verify-diagnostics

// The qt.* attributes on other dialects' ops, arguments and results are
// checked where the qt dialect is loaded: the right kinds of values, and no
// unknown names (a typo would otherwise be silently ignored).
func.func @range_of_three(%x: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @below {{attribute 'qt.range' must be array<f32: min, max> (two float32 values)}}
  %y = tosa.add %x, %x {qt.range = array<f32: 0.0, 1.0, 2.0>} : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %q = qt.quantize %y : tensor<3xf32> -> tensor<3x!quant.uniform<i8:f32, 0.5:-3>>
  return %y : tensor<3xf32>
}

// -----

func.func @typo(%x: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @below {{unknown attribute 'qt.rnage' on an operation (the qt dialect's attributes are listed in qopt/Dialect/QT/IR/QTAttributes.h)}}
  %y = tosa.add %x, %x {qt.rnage = array<f32: 0.0, 1.0>} : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %q = qt.quantize %y : tensor<3xf32> -> tensor<3x!quant.uniform<i8:f32, 0.5:-3>>
  return %y : tensor<3xf32>
}

// -----

// expected-error @below {{attribute 'qt.name' must be a string}}
func.func @name_not_a_string(%x: tensor<3xf32> {qt.name = 3 : i64}) -> tensor<3xf32> {
  %q = qt.quantize %x : tensor<3xf32> -> tensor<3x!quant.uniform<i8:f32, 0.5:-3>>
  return %x : tensor<3xf32>
}

// -----

// expected-error @below {{unknown attribute 'qt.weight_scales' on a result}}
func.func @scales_on_a_result(%x: tensor<3xf32>) -> (tensor<3xf32> {qt.weight_scales = array<f32: 1.0>}) {
  %q = qt.quantize %x : tensor<3xf32> -> tensor<3x!quant.uniform<i8:f32, 0.5:-3>>
  return %x : tensor<3xf32>
}
