// RUN: qopt %s -convert-qt-to-packed-kernels="sparse-weights=always" -verify-diagnostics

// expected-error @below {{unknown sparse-weights 'always' (expected auto, dense or sparse)}}
module {
  func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
    return %x : tensor<4xf32>
  }
}
