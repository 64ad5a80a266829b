// RUN: qopt %s --quantize-int8="exclude=tosa.conv2d report=%t.json" -verify-diagnostics | FileCheck %s
// RUN: FileCheck %s --check-prefix=REPORT < %t.json

// exclude= keeps matching ops in float; the report lists every contraction
// with its precision and parameters.
// CHECK-LABEL: func.func @main
// CHECK: tosa.conv2d
// CHECK: qt.fully_connected
// REPORT: "ops": [
// REPORT: "note": "excluded",
// REPORT-NEXT: "op": "tosa.conv2d",
// REPORT-NEXT: "precision": "float"
// REPORT: "input": {
// REPORT-NEXT: "range": [
// REPORT-NEXT: 0,
// REPORT-NEXT: 0.5
// REPORT-NEXT: ],
// REPORT-NEXT: "scale": 0.00196078
// REPORT-NEXT: "zero_point": -128
// REPORT: "op": "tosa.matmul",
// REPORT: "precision": "int8",
// REPORT-NEXT: "weight_scales": {
// REPORT-NEXT: "channels": 3,
func.func @main(%x: tensor<1x2x2x1xf32> {qt.range = array<f32: 0.0, 1.0>}) -> tensor<1x1x3xf32> {
  %w = "tosa.const"() <{values = dense<0.5> : tensor<1x1x1x1xf32>}> : () -> tensor<1x1x1x1xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  // expected-remark @+1 {{stays float: excluded by exclude=}}
  %c = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, qt.range = array<f32: 0.0, 0.5>}
      : (tensor<1x2x2x1xf32>, tensor<1x1x1x1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x1xf32>
  %s = tosa.const_shape {values = dense<[1, 1, 4]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %r = tosa.reshape %c, %s {qt.range = array<f32: 0.0, 0.5>} : (tensor<1x2x2x1xf32>, !tosa.shape<3>) -> tensor<1x1x4xf32>
  %fw = "tosa.const"() <{values = dense<0.25> : tensor<1x4x3xf32>}> : () -> tensor<1x4x3xf32>
  %m = tosa.matmul %r, %fw, %zp, %zp {qt.range = array<f32: 0.0, 0.5>} : (tensor<1x1x4xf32>, tensor<1x4x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x3xf32>
  return %m : tensor<1x1x3xf32>
}
