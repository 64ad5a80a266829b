// RUN: qopt %examples/digits/mlp.mlir --quantize-int8="data=%examples/digits/calib.npz float-layers=1" -o %t.mlir 2>&1 | FileCheck %s --check-prefix=REMARK
// RUN: FileCheck %s < %t.mlir
// RUN: qopt %s -qt-select-float-layers=layers=1 -verify-diagnostics

// float-layers=1 measures each of the digits MLP's three matmuls quantized
// alone and keeps the one that costs the output most in float: the last.
// REMARK: mlp.mlir:21:15: remark: kept float: 1 of the 1 most sensitive layers (output SQNR {{[0-9.]+}} dB with only this layer in int8)
// CHECK-COUNT-2: qt.fully_connected
// CHECK-NOT: qt.fully_connected
// CHECK: tosa.matmul
// CHECK-NOT: qt.keep_float

// Without samples there is nothing to measure.
// expected-error @below {{qt-select-float-layers: layers=1 needs samples to measure each layer's sensitivity on (--quantize-int8: data= or sensitivity-data=)}}
module {
  func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
    return %x : tensor<4xf32>
  }
}
