// RUN: qopt %s -convert-qt-to-linalg -split-input-file -verify-diagnostics

// A requantization multiplier of 2^30 or more has no fixed-point form.
func.func @huge_multiplier(%x: tensor<4x!quant.uniform<i32:f32, 1.0>>) -> tensor<4x!quant.uniform<i8:f32, 1.0e-10>> {
  // expected-error @+1 {{'qt.requantize' op requantization multiplier 9999999866.49 has no fixed-point form: the multiplier is 2^30 or larger}}
  %y = qt.requantize %x : tensor<4x!quant.uniform<i32:f32, 1.0>> -> tensor<4x!quant.uniform<i8:f32, 1.0e-10>>
  return %y : tensor<4x!quant.uniform<i8:f32, 1.0e-10>>
}

// -----

// An add whose output scale dwarfs its inputs' cannot share one shift.
func.func @add_scales(%a: tensor<4x!quant.uniform<i8:f32, 1.0>>, %b: tensor<4x!quant.uniform<i8:f32, 1.0>>) -> tensor<4x!quant.uniform<i8:f32, 1.0e-10>> {
  // expected-error @+1 {{'qt.add' op has no fixed-point form: an input scale is 2^30 times the output scale or more}}
  %y = qt.add %a, %b : tensor<4x!quant.uniform<i8:f32, 1.0>>, tensor<4x!quant.uniform<i8:f32, 1.0>> -> tensor<4x!quant.uniform<i8:f32, 1.0e-10>>
  return %y : tensor<4x!quant.uniform<i8:f32, 1.0e-10>>
}
