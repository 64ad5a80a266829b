// RUN: qopt %s -convert-qt-to-packed-kernels="sparse-weights=always" -verify-diagnostics
// RUN: qopt %s -convert-tosa-float-to-kernels="sparse-weights=always" -verify-diagnostics

// Both kernel passes that store pruned weights reject an unknown storage.
// expected-error @below {{unknown sparse-weights 'always' (expected auto, dense or sparse)}}
module {
  func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
    return %x : tensor<4xf32>
  }
}
