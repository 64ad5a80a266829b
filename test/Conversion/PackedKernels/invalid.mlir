// RUN: qopt %s -convert-qt-to-packed-kernels=isa=avx2 -verify-diagnostics

// expected-error @below {{unknown kernel ISA 'avx2' (expected avx512-vnni or neon-dotprod)}}
module {
  func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
    return %x : tensor<4xf32>
  }
}
