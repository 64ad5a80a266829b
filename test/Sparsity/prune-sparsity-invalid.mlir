// RUN: qopt %s --qt-prune="sparsity=1.5" -verify-diagnostics
// RUN: rm -f %t.mlir && not qopt %s --qt-prune="sparsity=1.5" -o %t.mlir 2>&1 | FileCheck %s
// RUN: not test -e %t.mlir

// A sparsity outside [0, 1) is an error naming it; no output file is written.
// CHECK: error: qt-prune: sparsity=1.500000 is outside [0, 1)
// expected-error @below {{qt-prune: sparsity=1.500000 is outside [0, 1)}}
module {
  func.func @main(%x: tensor<1x1x8xf32>) -> tensor<1x1x4xf32> {
    %w = "tosa.const"() <{values = dense<1.0> : tensor<1x8x4xf32>}> : () -> tensor<1x8x4xf32>
    %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
    %m = tosa.matmul %x, %w, %zp, %zp : (tensor<1x1x8xf32>, tensor<1x8x4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x4xf32>
    return %m : tensor<1x1x4xf32>
  }
}
