// RUN: qopt %s -qt-bf16-memory-as-integer | FileCheck %s

// Stores of bf16 made from i16 store the i16; loads of bf16 only taken apart
// into i16 load the i16 (scalars and vectors alike).
// CHECK-LABEL: llvm.func @convert
// CHECK-SAME: (%[[P:.*]]: !llvm.ptr, %[[Q:.*]]: !llvm.ptr, %[[I:.*]]: i16, %[[V:.*]]: vector<8xi16>)
// CHECK-NOT: llvm.bitcast
// CHECK: llvm.store %[[I]], %[[P]] : i16, !llvm.ptr
// CHECK: llvm.store %[[V]], %[[Q]] : vector<8xi16>, !llvm.ptr
// CHECK: %[[L:.*]] = llvm.load %[[P]] : !llvm.ptr -> i16
// CHECK: %[[W:.*]] = llvm.load %[[Q]] : !llvm.ptr -> vector<8xi16>
// CHECK: llvm.insertvalue %[[L]]
// CHECK: llvm.insertvalue %[[W]]
llvm.func @convert(%p: !llvm.ptr, %q: !llvm.ptr, %i: i16, %v: vector<8xi16>) -> !llvm.struct<(i16, vector<8xi16>)> {
  %b = llvm.bitcast %i : i16 to bf16
  llvm.store %b, %p : bf16, !llvm.ptr
  %bv = llvm.bitcast %v : vector<8xi16> to vector<8xbf16>
  llvm.store %bv, %q : vector<8xbf16>, !llvm.ptr
  %l = llvm.load %p : !llvm.ptr -> bf16
  %li = llvm.bitcast %l : bf16 to i16
  %w = llvm.load %q : !llvm.ptr -> vector<8xbf16>
  %wi = llvm.bitcast %w : vector<8xbf16> to vector<8xi16>
  %u = llvm.mlir.undef : !llvm.struct<(i16, vector<8xi16>)>
  %u1 = llvm.insertvalue %li, %u[0] : !llvm.struct<(i16, vector<8xi16>)>
  %u2 = llvm.insertvalue %wi, %u1[1] : !llvm.struct<(i16, vector<8xi16>)>
  llvm.return %u2 : !llvm.struct<(i16, vector<8xi16>)>
}

// A bf16 load with another use stays bf16.
// CHECK-LABEL: llvm.func @kept
// CHECK: llvm.load %{{.*}} : !llvm.ptr -> bf16
llvm.func @kept(%p: !llvm.ptr) -> bf16 {
  %l = llvm.load %p : !llvm.ptr -> bf16
  %li = llvm.bitcast %l : bf16 to i16
  llvm.store %li, %p : i16, !llvm.ptr
  llvm.return %l : bf16
}
