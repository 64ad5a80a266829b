// RUN: qopt %s -qt-thread-local-workspace | FileCheck %s

// Workspace globals become thread-local; other globals do not.
// CHECK: llvm.mlir.global private thread_local @__qt_workspace_main_0()
// CHECK: llvm.mlir.global private constant @weights(
// CHECK-NOT: thread_local
llvm.mlir.global private @__qt_workspace_main_0() {addr_space = 0 : i32, alignment = 64 : i64} : !llvm.array<16 x i8>
llvm.mlir.global private constant @weights(dense<1> : tensor<4xi8>) {addr_space = 0 : i32} : !llvm.array<4 x i8>
