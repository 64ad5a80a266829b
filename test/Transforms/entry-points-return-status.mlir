// RUN: qopt %s -qt-entry-points-return-status -split-input-file -verify-diagnostics | FileCheck %s

// A recorded entry point in destination-passing form returns 0.
// CHECK-LABEL: func.func @main
// CHECK-SAME: (%{{.*}}: memref<4xf32>, %[[OUT:.*]]: memref<4xf32>) -> i32
// CHECK: memref.copy
// CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0 : i32
// CHECK-NEXT: return %[[ZERO]] : i32
// CHECK-LABEL: func.func @not_recorded
// CHECK-SAME: (%{{.*}}: memref<4xf32>)
// CHECK-NEXT: return
// CHECK-NOT: arith.constant
module attributes {qt.entry_points = [{name = "main", inputs = [tensor<4xf32>], outputs = [tensor<4xf32>]}]} {
  func.func @main(%x: memref<4xf32>, %out: memref<4xf32>) {
    memref.copy %x, %out : memref<4xf32> to memref<4xf32>
    return
  }
  func.func @not_recorded(%x: memref<4xf32>) {
    return
  }
}

// -----

// Results must have become out-parameters first.
module attributes {qt.entry_points = [{name = "main", inputs = [tensor<4xf32>], outputs = [tensor<4xf32>]}]} {
  // expected-error @+1 {{entry point 'main' still returns values: run buffer-results-to-out-params first}}
  func.func @main(%x: memref<4xf32>) -> memref<4xf32> {
    return %x : memref<4xf32>
  }
}
