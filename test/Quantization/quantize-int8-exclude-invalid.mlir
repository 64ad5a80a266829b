// RUN: qopt %s --quantize-int8="exclude=tosa.conv2dd" -verify-diagnostics
// RUN: rm -f %t.mlir && not qopt %s --quantize-int8="exclude=tosa.conv2dd" -o %t.mlir 2>&1 | FileCheck %s
// RUN: not test -e %t.mlir

// An exclude= entry that names nothing (here a misspelt op name) is an
// error, not a silent no-op, and no output file is written.
// CHECK: error: exclude= entry 'tosa.conv2dd' names no matmul or convolution
// expected-error @below {{exclude= entry 'tosa.conv2dd' names no matmul or convolution of the model (give an op name such as tosa.conv2d or a piece of an op's location)}}
module {
  func.func @main(%x: tensor<1x1x4xf32> {qt.range = array<f32: 0.0, 1.0>}) -> tensor<1x1x2xf32> {
    %w = "tosa.const"() <{values = dense<1.0> : tensor<1x4x2xf32>}> : () -> tensor<1x4x2xf32>
    %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
    %m = tosa.matmul %x, %w, %zp, %zp {qt.range = array<f32: 0.0, 4.0>} : (tensor<1x1x4xf32>, tensor<1x4x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
    return %m : tensor<1x1x2xf32>
  }
}
