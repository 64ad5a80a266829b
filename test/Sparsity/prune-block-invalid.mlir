// RUN: qopt %s --qt-prune="sparsity=0.5 pattern=block=3x4" -verify-diagnostics
// RUN: rm -f %t.mlir && not qopt %s --qt-prune="sparsity=0.5 pattern=block=3x4" -o %t.mlir 2>&1 | FileCheck %s
// RUN: not test -e %t.mlir

// A block shape that does not divide a layer's weight is an error at that layer.
// CHECK: error: qt-prune: pattern=block=3x4 does not divide this layer's weight (4 output channels x 8 reduction weights); exclude it or choose another pattern
module {
  func.func @main(%x: tensor<1x1x8xf32>) -> tensor<1x1x4xf32> {
    %w = "tosa.const"() <{values = dense<1.0> : tensor<1x8x4xf32>}> : () -> tensor<1x8x4xf32>
    %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
    // expected-error @below {{qt-prune: pattern=block=3x4 does not divide this layer's weight (4 output channels x 8 reduction weights); exclude it or choose another pattern}}
    %m = tosa.matmul %x, %w, %zp, %zp : (tensor<1x1x8xf32>, tensor<1x8x4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x4xf32>
    return %m : tensor<1x1x4xf32>
  }
}
