// RUN: qopt %s --quantize-int8="report=%t.missing-dir/report.json" -verify-diagnostics
// RUN: rm -f %t.mlir && not qopt %s --quantize-int8="report=%t.missing-dir/report.json" -o %t.mlir 2>&1 | FileCheck %s
// RUN: not test -e %t.mlir

// A report that cannot be written fails the pass; no output is written.
// CHECK: cannot write {{.*}}report.json
// expected-error @below {{report.json}}
module {
  func.func @main(%x: tensor<1x1x4xf32> {qt.range = array<f32: 0.0, 1.0>}) -> tensor<1x1x2xf32> {
    %w = "tosa.const"() <{values = dense<1.0> : tensor<1x4x2xf32>}> : () -> tensor<1x4x2xf32>
    %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
    %m = tosa.matmul %x, %w, %zp, %zp {qt.range = array<f32: 0.0, 4.0>} : (tensor<1x1x4xf32>, tensor<1x4x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
    return %m : tensor<1x1x2xf32>
  }
}
