// RUN: qopt --lower-to-llvm --mcpu=x86-64-v4 --mattr=+avx512vnni %S/../Integration/Float/Inputs/ops.mlir | FileCheck %s

// Each op family of Integration/Float/Inputs/ops.mlir lowers to a plain C
// entry point (bare pointers in, bare pointers out, i32 status) made of
// loops and LLVM ops only; the numbers are checked by the integration tests.

// CHECK: module attributes {qt.entry_points = [{inputs = [tensor<2x3xf32>], name = "fc", outputs = [tensor<2x2xf32>]}
// CHECK-NOT: tosa.
// CHECK-NOT: linalg.
// CHECK-NOT: memref.

// Fully connected: fused multiply-accumulate, then the ReLU clamp.
// CHECK-LABEL: llvm.func @fc(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr) -> i32
// CHECK: llvm.intr.fma
// CHECK: llvm.intr.maximum
// CHECK: llvm.return %{{.*}} : i32

// CHECK-LABEL: llvm.func @conv(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr) -> i32
// CHECK: llvm.intr.fma

// CHECK-LABEL: llvm.func @dwconv(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr) -> i32
// CHECK: llvm.intr.fma

// Two inputs, broadcasting add, mul, clamp to [-1, 6].
// CHECK-LABEL: llvm.func @addmul(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr) -> i32
// CHECK: llvm.fadd
// CHECK: llvm.fmul
// CHECK: llvm.intr.minimum
// CHECK: llvm.intr.maximum

// Two results: two output pointers.
// CHECK-LABEL: llvm.func @pools(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr) -> i32
// CHECK: llvm.intr.maximum
// CHECK: llvm.fdiv

// CHECK-LABEL: llvm.func @shape(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr) -> i32

// Softmax computes exp inline (qt-expand-exp: glibc's expf arithmetic, a
// table load and fused multiply-adds in double; vectorizable), no libm call.
// CHECK-LABEL: llvm.func @softmax(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr) -> i32
// CHECK: llvm.mlir.addressof @__qt_expf_table
// CHECK: llvm.intr.maximum
// CHECK-NOT: llvm.intr.exp
// CHECK: llvm.intr.fma({{.*}}) : (f64, f64, f64) -> f64
// CHECK-NOT: llvm.call @expf
// CHECK: llvm.fdiv
