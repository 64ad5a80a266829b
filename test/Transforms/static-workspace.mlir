// RUN: qopt %s -qt-static-workspace -split-input-file | FileCheck %s

// A statically shaped temporary of the function body gets its own private,
// uninitialized, 64-byte aligned global; the function reads its address.
// CHECK-LABEL: memref.global "private" @__qt_workspace_f_1 : memref<4xf32> = uninitialized {alignment = 64 : i64}
// CHECK: memref.global "private" @__qt_workspace_f_0 : memref<256x1024xi8> = uninitialized {alignment = 64 : i64}
// CHECK-LABEL: func.func @f
// CHECK-NOT: memref.alloc()
// CHECK: memref.get_global @__qt_workspace_f_0 : memref<256x1024xi8>
// CHECK: memref.get_global @__qt_workspace_f_1 : memref<4xf32>
func.func @f(%out: memref<4xf32>) {
  %a = memref.alloc() : memref<256x1024xi8>
  %b = memref.alloc() {alignment = 16 : i64} : memref<4xf32>
  memref.copy %b, %out : memref<4xf32> to memref<4xf32>
  return
}

// -----

// Dynamic shapes and allocations inside loops keep malloc.
// CHECK-LABEL: func.func @g
// CHECK: memref.alloc(%{{.*}}) : memref<?xf32>
// CHECK: scf.for
// CHECK: memref.alloc() : memref<8xf32>
// CHECK-NOT: memref.global
func.func @g(%n: index) {
  %a = memref.alloc(%n) : memref<?xf32>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %n step %c1 {
    %t = memref.alloc() : memref<8xf32>
    memref.dealloc %t : memref<8xf32>
  }
  memref.dealloc %a : memref<?xf32>
  return
}
