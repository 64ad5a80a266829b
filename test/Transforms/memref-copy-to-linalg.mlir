// RUN: qopt %s -qt-memref-copy-to-linalg | FileCheck %s

// Strided copies would call the runner library's memrefCopy; they become
// linalg.copy, which lowers to loops.
// CHECK-LABEL: func.func @strided
// CHECK-NOT: memref.copy
// CHECK: linalg.copy ins(%{{.*}} : memref<2x3xf32, strided<[8, 1]>>) outs(%{{.*}} : memref<2x3xf32>)
func.func @strided(%a: memref<2x3xf32, strided<[8, 1]>>, %b: memref<2x3xf32>) {
  memref.copy %a, %b : memref<2x3xf32, strided<[8, 1]>> to memref<2x3xf32>
  return
}
