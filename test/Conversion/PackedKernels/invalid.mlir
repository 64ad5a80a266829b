// RUN: qopt %s -convert-qt-to-packed-kernels=isa=sse4 -verify-diagnostics
// RUN: qopt %s -convert-tosa-int8-to-packed-kernels=isa=sse4 -verify-diagnostics

// Both kernel passes reject an ISA they have no kernels for.
// expected-error @below {{unknown kernel ISA 'sse4' (expected amx, avx512-vbmi, avx512-vnni, avx-vnni, avx2, neon, neon-dotprod or neon-i8mm)}}
module {
  func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
    return %x : tensor<4xf32>
  }
}
