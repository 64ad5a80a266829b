// RUN: qopt %s -qt-static-workspace -split-input-file | FileCheck %s

// Statically shaped temporaries of the function body become views of
// private, uninitialized, 64-byte aligned workspace globals (slots). %b is
// allocated after %a's last use, so it takes %a's slot; %c is live with %b
// (through its subview) and gets a slot of its own.
// CHECK-DAG: memref.global "private" @__qt_workspace_f_0 : memref<1024xi8> = uninitialized {alignment = 64 : i64}
// CHECK-DAG: memref.global "private" @__qt_workspace_f_1 : memref<16xi8> = uninitialized {alignment = 64 : i64}
// CHECK-LABEL: func.func @f
// CHECK-NOT: memref.alloc()
// CHECK: %[[S0:.*]] = memref.get_global @__qt_workspace_f_0 : memref<1024xi8>
// CHECK: %[[S1:.*]] = memref.get_global @__qt_workspace_f_1 : memref<16xi8>
// CHECK: %[[C0:.*]] = arith.constant 0 : index
// CHECK: memref.view %[[S0]][%[[C0]]][] : memref<1024xi8> to memref<256xf32>
// CHECK: memref.view %[[S0]][%[[C0]]][] : memref<1024xi8> to memref<64xf32>
// CHECK: memref.view %[[S1]][%[[C0]]][] : memref<16xi8> to memref<4xf32>
func.func @f(%in: memref<256xf32>, %out: memref<4xf32>) {
  %a = memref.alloc() : memref<256xf32>
  memref.copy %in, %a : memref<256xf32> to memref<256xf32>
  %b = memref.alloc() {alignment = 16 : i64} : memref<64xf32>
  %c = memref.alloc() : memref<4xf32>
  %bs = memref.subview %b[0] [4] [1] : memref<64xf32> to memref<4xf32, strided<[1]>>
  memref.copy %bs, %c : memref<4xf32, strided<[1]>> to memref<4xf32>
  memref.copy %c, %out : memref<4xf32> to memref<4xf32>
  return
}

// -----

// A memref derived from a temporary (here a reshape, used later) keeps it
// live: %b may not take %a's slot, and neither may %c, which is live with
// %a because of a use inside a loop's body; %c takes %b's.
// CHECK-LABEL: func.func @g
// CHECK: %[[S0:.*]] = memref.get_global @__qt_workspace_g_0 : memref<64xi8>
// CHECK: %[[S1:.*]] = memref.get_global @__qt_workspace_g_1 : memref<64xi8>
// CHECK: memref.view %[[S0]]{{.*}} to memref<4x4xf32>
// CHECK: memref.view %[[S1]]{{.*}} to memref<16xf32>
// CHECK: memref.view %[[S1]]{{.*}} to memref<16xf32>
func.func @g(%in: memref<16xf32>, %out: memref<16xf32>, %n: index) {
  %a = memref.alloc() : memref<4x4xf32>
  %flat = memref.collapse_shape %a [[0, 1]] : memref<4x4xf32> into memref<16xf32>
  %b = memref.alloc() : memref<16xf32>
  memref.copy %in, %b : memref<16xf32> to memref<16xf32>
  memref.copy %b, %flat : memref<16xf32> to memref<16xf32>
  %c = memref.alloc() : memref<16xf32>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %n step %c1 {
    memref.copy %flat, %c : memref<16xf32> to memref<16xf32>
  }
  memref.copy %c, %out : memref<16xf32> to memref<16xf32>
  return
}

// -----

// A free slot too small for the next temporary grows (the largest free one
// is taken) rather than a new slot being made: one global of 4,096 bytes.
// CHECK-LABEL: memref.global "private" @__qt_workspace_grow_0 : memref<4096xi8>
// CHECK-NOT: @__qt_workspace_grow_1
// CHECK-LABEL: func.func @grow
func.func @grow(%in: memref<16xf32>, %big: memref<1024xf32>) {
  %a = memref.alloc() : memref<16xf32>
  memref.copy %in, %a : memref<16xf32> to memref<16xf32>
  %b = memref.alloc() : memref<1024xf32>
  memref.copy %big, %b : memref<1024xf32> to memref<1024xf32>
  return
}

// -----

// Elements of no whole byte keep a global of their own.
// CHECK-LABEL: memref.global "private" @__qt_workspace_h_0 : memref<8xi1> = uninitialized {alignment = 64 : i64}
// CHECK-LABEL: func.func @h
// CHECK: memref.get_global @__qt_workspace_h_0 : memref<8xi1>
func.func @h(%out: memref<8xi1>) {
  %a = memref.alloc() : memref<8xi1>
  memref.copy %a, %out : memref<8xi1> to memref<8xi1>
  return
}

// -----

// Dynamic shapes and allocations inside loops keep malloc.
// CHECK-LABEL: func.func @k
// CHECK: memref.alloc(%{{.*}}) : memref<?xf32>
// CHECK: scf.for
// CHECK: memref.alloc() : memref<8xf32>
// CHECK-NOT: memref.global
func.func @k(%n: index) {
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
