// Debian's mlir-opt-22 loads qopt's dialect and pass plugins: it parses and
// verifies qt ops, and runs qopt's passes and pipelines (plugin passes are
// only reachable through --pass-pipeline: mlir-opt parses its flags first).
// RUN: %mlir_opt --load-dialect-plugin=%qopt_libs/libQOptDialectPlugin.so --load-pass-plugin=%qopt_libs/libQOptPassPlugin.so %s --pass-pipeline="builtin.module(qt-mark-entry-points)" | FileCheck %s
// RUN: %mlir_opt --load-dialect-plugin=%qopt_libs/libQOptDialectPlugin.so --load-pass-plugin=%qopt_libs/libQOptPassPlugin.so %s --pass-pipeline="builtin.module(lower-to-llvm)" | FileCheck %s --check-prefix=LLVM
// RUN: not %mlir_opt --load-dialect-plugin=%qopt_libs/libQOptDialectPlugin.so %S/Inputs/invalid-qt.mlir 2>&1 | FileCheck %s --check-prefix=INVALID

// CHECK: module attributes {qt.entry_points = [{inputs = [tensor<4xf32>], name = "main", outputs = [tensor<4xf32>]}]}
// CHECK: qt.quantize
// CHECK: qt.dequantize
// LLVM: llvm.func @main(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr) -> i32
// INVALID: invalid-qt.mlir:3:8: error: 'qt.quantize' op result has a zero point 300 outside the storage range [-128, 127]
func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
  %q = qt.quantize %x : tensor<4xf32> -> tensor<4x!quant.uniform<i8:f32, 0.5:-3>>
  %y = qt.dequantize %q : tensor<4x!quant.uniform<i8:f32, 0.5:-3>> -> tensor<4xf32>
  return %x : tensor<4xf32>
}
