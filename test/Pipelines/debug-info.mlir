// RUN: qopt --lower-to-llvm=debug-info=true %s --emit=llvm -o - | FileCheck %s
// RUN: qopt --lower-to-llvm="debug-info=true kernels=all" %s --emit=llvm -o - | FileCheck %s --check-prefix=VARIANTS
// RUN: qopt --lower-to-llvm %s --emit=llvm -o - | FileCheck %s --check-prefix=NONE

// debug-info=true: line tables that map the code back to this file's ops
// (what `perf report --sort srcline` reads to give each layer its time).
// CHECK: !DIFile(filename: "{{.*}}debug-info.mlir"
// CHECK: !DISubprogram(name: "main"
// CHECK-DAG: !DILocation(line: [[@LINE+11]], column: 8
// CHECK-DAG: !DILocation(line: [[@LINE+11]], column: 8
// Every variant's copy of the function has its own subprogram.
// VARIANTS-DAG: !DISubprogram(name: "main.portable"
// VARIANTS-DAG: !DISubprogram(name: "main.avx2"
// VARIANTS-DAG: !DILocation(line: [[@LINE+7]], column: 8
// Without it, none.
// NONE-NOT: !DILocation
// NONE-NOT: !DISubprogram
func.func @main(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %c = "tosa.const"() {values = dense<1.0> : tensor<4x8xf32>} : () -> tensor<4x8xf32>
  %y = tosa.add %x, %c : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %z = tosa.clamp %y {min_val = 0.0 : f32, max_val = 6.0 : f32} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  return %z : tensor<4x8xf32>
}
