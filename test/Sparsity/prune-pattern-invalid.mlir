// RUN: qopt %s --qt-prune="sparsity=0.5 pattern=3:4" -verify-diagnostics
// RUN: rm -f %t.mlir && not qopt %s --qt-prune="sparsity=0.5 pattern=3:4" -o %t.mlir 2>&1 | FileCheck %s
// RUN: not test -e %t.mlir

// An unknown pattern is an error listing the known ones.
// CHECK: error: qt-prune: pattern='3:4' is not known (unstructured, 2:4, block=RxC or kernel)
// expected-error @below {{qt-prune: pattern='3:4' is not known (unstructured, 2:4, block=RxC or kernel)}}
module {
  func.func @main(%x: tensor<1x1x8xf32>) -> tensor<1x1x4xf32> {
    %w = "tosa.const"() <{values = dense<1.0> : tensor<1x8x4xf32>}> : () -> tensor<1x8x4xf32>
    %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
    %m = tosa.matmul %x, %w, %zp, %zp : (tensor<1x1x8xf32>, tensor<1x8x4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x4xf32>
    return %m : tensor<1x1x4xf32>
  }
}
