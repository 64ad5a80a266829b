// RUN: qopt %s --qt-prune="sparsity=0.5 threshold=0.1" -verify-diagnostics
// RUN: rm -f %t.mlir && not qopt %s --qt-prune="sparsity=0.5 threshold=0.1" -o %t.mlir 2>&1 | FileCheck %s
// RUN: not test -e %t.mlir

// Both sparsity= and threshold= (or neither) is an error.
// CHECK: error: qt-prune: give either sparsity= or threshold=
// expected-error @below {{qt-prune: give either sparsity= or threshold=}}
module {
  func.func @main(%x: tensor<1x1x8xf32>) -> tensor<1x1x4xf32> {
    %w = "tosa.const"() <{values = dense<1.0> : tensor<1x8x4xf32>}> : () -> tensor<1x8x4xf32>
    %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
    %m = tosa.matmul %x, %w, %zp, %zp : (tensor<1x1x8xf32>, tensor<1x8x4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x4xf32>
    return %m : tensor<1x1x4xf32>
  }
}
