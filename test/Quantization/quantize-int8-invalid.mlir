// RUN: qopt %s --quantize-int8 -verify-diagnostics

// No calibration ranges and no data: say how to get ranges.
// expected-error @below {{the model has no calibration ranges (qt.range attributes), so int8 scales cannot be chosen: give calibration samples (--quantize-int8="data=calib.npz"), run --qt-calibrate=data=calib.npz first, or use --quantize-dynamic}}
module {
  func.func @main(%x: tensor<1x1x4xf32>) -> tensor<1x1x2xf32> {
    %w = "tosa.const"() <{values = dense<1.0> : tensor<1x4x2xf32>}> : () -> tensor<1x4x2xf32>
    %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
    %m = tosa.matmul %x, %w, %zp, %zp : (tensor<1x1x4xf32>, tensor<1x4x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
    return %m : tensor<1x1x2xf32>
  }
}
