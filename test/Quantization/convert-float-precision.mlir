// RUN: qopt %s --quantize-f16 | FileCheck %s --check-prefix=F16
// RUN: qopt %s --quantize-bf16 | FileCheck %s --check-prefix=BF16

// The signature stays float32 (casts at the boundary); constants are
// rounded, results retyped, ReLU's upper bound saturates to the type's
// largest finite value; the matmul accumulates in float32 (its result
// rounded by a cast after it, as a convolution's acc_type does).
// F16-LABEL: func.func @main
// F16-SAME: (%[[X:.*]]: tensor<1x1x4xf32>) -> tensor<1x1x2xf32>
// F16-DAG: "tosa.const"() <{values = dense<{{.*}}> : tensor<1x4x2xf16>}>
// F16-DAG: %[[XH:.*]] = tosa.cast %[[X]] : (tensor<1x1x4xf32>) -> tensor<1x1x4xf16>
// F16: %[[M:.*]] = tosa.matmul %[[XH]], {{.*}} -> tensor<1x1x2xf32>
// F16: tosa.cast %[[M]] : (tensor<1x1x2xf32>) -> tensor<1x1x2xf16>
// F16: tosa.clamp {{.*}}max_val = 6.550400e+04 : f16, min_val = 0.000000e+00 : f16
// F16: %[[Y:.*]] = tosa.cast %{{.*}} : (tensor<1x1x2xf16>) -> tensor<1x1x2xf32>
// F16: return %[[Y]]
// BF16-LABEL: func.func @main
// BF16: tosa.matmul {{.*}} -> tensor<1x1x2xf32>
// BF16: tosa.cast {{.*}} : (tensor<1x1x2xf32>) -> tensor<1x1x2xbf16>
// BF16: tosa.clamp {{.*}}max_val = 3.389530e+38 : bf16
func.func @main(%x: tensor<1x1x4xf32>) -> tensor<1x1x2xf32> {
  %w = "tosa.const"() <{values = dense<[[[0.1, -0.2], [0.3, 0.4], [1.0, 2.0], [-3.0, 0.5]]]> : tensor<1x4x2xf32>}> : () -> tensor<1x4x2xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %m = tosa.matmul %x, %w, %zp, %zp : (tensor<1x1x4xf32>, tensor<1x4x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  %r = tosa.clamp %m {min_val = 0.0 : f32, max_val = 3.4e38 : f32} : (tensor<1x1x2xf32>) -> tensor<1x1x2xf32>
  return %r : tensor<1x1x2xf32>
}
