// RUN: qopt %s -qt-lower-parallel-launches | FileCheck %s

// The launch's arguments go into a struct on the caller's stack (allocated
// in the entry block), a trampoline unpacks them for the body, and the
// thread pool runs the trampoline over [0, n).
// CHECK-LABEL: llvm.func @main
// CHECK: %[[CTX:.*]] = llvm.alloca %{{.*}} x !llvm.struct<(ptr, i64)> {alignment = 64 : i64}
// CHECK: llvm.br
// CHECK: %[[F0:.*]] = llvm.getelementptr %[[CTX]][0, 0]
// CHECK: llvm.store %{{.*}}, %[[F0]] : !llvm.ptr, !llvm.ptr
// CHECK: %[[F1:.*]] = llvm.getelementptr %[[CTX]][0, 1]
// CHECK: llvm.store %{{.*}}, %[[F1]] : i64, !llvm.ptr
// CHECK: %[[FN:.*]] = llvm.mlir.addressof @__qopt_trampoline.main.parallel0
// CHECK: llvm.call @qopt_rt_parallel_for(%[[FN]], %[[CTX]], %{{.*}})
// CHECK-NOT: __qopt_launch
// CHECK-LABEL: llvm.func internal @__qopt_trampoline.main.parallel0
// CHECK-SAME: (%[[C:.*]]: !llvm.ptr, %[[B:.*]]: i64, %[[E:.*]]: i64)
// CHECK: %[[P:.*]] = llvm.load %{{.*}} : !llvm.ptr -> !llvm.ptr
// CHECK: %[[S:.*]] = llvm.load %{{.*}} : !llvm.ptr -> i64
// CHECK: llvm.call @main.parallel0(%[[B]], %[[E]], %[[P]], %[[S]])
// CHECK: llvm.func @qopt_rt_parallel_for(!llvm.ptr, !llvm.ptr, i64)
module {
  llvm.func @main(%x: !llvm.ptr, %scale: i64) {
    %n = llvm.mlir.constant(64 : i64) : i64
    llvm.br ^body
  ^body:
    llvm.call @__qopt_launch.main.parallel0(%n, %x, %scale) : (i64, !llvm.ptr, i64) -> ()
    llvm.return
  }
  llvm.func @main.parallel0(%begin: i64, %end: i64, %x: !llvm.ptr, %scale: i64) {
    llvm.return
  }
  llvm.func @__qopt_launch.main.parallel0(i64, !llvm.ptr, i64)
}
