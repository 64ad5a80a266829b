// RUN: qopt %s --qt-prune="sparsity=0.5 exclude=tosa.conv2dd" -verify-diagnostics
// RUN: rm -f %t.mlir && not qopt %s --qt-prune="sparsity=0.5 exclude=tosa.conv2dd" -o %t.mlir 2>&1 | FileCheck %s
// RUN: not test -e %t.mlir

// An exclude= entry that names nothing (a misspelt op name) is an error.
// CHECK: error: qt-prune: exclude= entry 'tosa.conv2dd' names no matmul or convolution of the model (give an op name such as tosa.conv2d or a piece of an op's location)
// expected-error @below {{qt-prune: exclude= entry 'tosa.conv2dd' names no matmul or convolution of the model (give an op name such as tosa.conv2d or a piece of an op's location)}}
module {
  func.func @main(%x: tensor<1x1x8xf32>) -> tensor<1x1x4xf32> {
    %w = "tosa.const"() <{values = dense<1.0> : tensor<1x8x4xf32>}> : () -> tensor<1x8x4xf32>
    %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
    %m = tosa.matmul %x, %w, %zp, %zp : (tensor<1x1x8xf32>, tensor<1x8x4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x4xf32>
    return %m : tensor<1x1x4xf32>
  }
}
