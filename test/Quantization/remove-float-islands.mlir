// RUN: qopt %s --quantize-int8 -split-input-file -verify-diagnostics | FileCheck %s
// RUN: qopt %s --quantize-int8="report=%t.json" -split-input-file > /dev/null 2>&1
// RUN: FileCheck --check-prefix=REPORT %s < %t.json

// The report (of the last split, @islands) lists what stays float and why.
// REPORT: "float_islands": [
// REPORT: "location": "{{.*}}remove-float-islands.mlir{{.*}}:{{[0-9]+}}:{{[0-9]+}})",
// REPORT-NEXT: "op": "tosa.avg_pool2d",
// REPORT-NEXT: "reason": "it is padded (qt.avg_pool2d has no padding)"
// REPORT: "op": "tosa.add",
// REPORT-NEXT: "reason": "its other operand is neither an int8 value nor a constant with one value for every element"
// REPORT: "ops": [

// qt-remove-float-islands (in the --quantize-int8 pipeline): HardSwish
// between two fully connected layers becomes one table of the int8 input
// (entry 0: q = -128 -> x = (-128 + 19) * 0.02745 = -2.992 ->
// HardSwish(x) = -0.0039 -> rne(-0.0039 / 0.017157) - 106 = -106), the
// residual add with its ReLU6 one qt.add with the clamp fused, and no
// quantize / dequantize is left between the layers. The model's output
// reshape moves onto the int8 storage.
// CHECK-LABEL: func.func @hardswish_residual
// CHECK: %[[FC1:.*]] = qt.fully_connected
// CHECK-SAME: -> tensor<1x4x!quant.uniform<i8:f32, 0.0274509{{[0-9]*}}:-19>>
// CHECK: %[[HS:.*]] = qt.table %{{.*}}, [-106, -107, -108, -109, -109, -110,
// CHECK-SAME: -> tensor<1x1x4x!quant.uniform<i8:f32, 0.0171568{{[0-9]*}}:-106>>
// CHECK-NOT: qt.quantize
// CHECK-NOT: qt.dequantize
// CHECK: %[[FC2:.*]] = qt.fully_connected
// CHECK: qt.add %[[HS]], %{{.*}} {max = 6.000000e+00 : f32, min = 0.000000e+00 : f32}
// CHECK-NOT: qt.quantize
// CHECK-NOT: qt.dequantize
// CHECK: qt.fully_connected
// CHECK: tosa.reshape %{{.*}} : (tensor<1x1x2xi8>, !tosa.shape<2>) -> tensor<1x2xi8>
// CHECK: qt.dequantize
// CHECK-NOT: tosa.add
// CHECK-NOT: tosa.mul
// CHECK-NOT: tosa.clamp
func.func @hardswish_residual(%x: tensor<1x4xf32> {qt.range = array<f32: -1.0, 1.0>}) -> tensor<1x2xf32> {
  %s3 = tosa.const_shape {values = dense<[1, 1, 4]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %x3 = tosa.reshape %x, %s3 {qt.range = array<f32: -1.0, 1.0>} : (tensor<1x4xf32>, !tosa.shape<3>) -> tensor<1x1x4xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %sh = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %w1 = "tosa.const"() <{values = dense<[[[0.5, -0.25, 1.0, 0.3], [0.1, 0.2, -0.3, 0.4], [1.0, 1.0, 1.0, -1.0], [-0.5, 0.0, 0.25, 0.5]]]> : tensor<1x4x4xf32>}> : () -> tensor<1x4x4xf32>
  %m1 = tosa.matmul %x3, %w1, %zp, %zp {qt.range = array<f32: -4.0, 4.0>} : (tensor<1x1x4xf32>, tensor<1x4x4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x4xf32>
  %three = "tosa.const"() <{values = dense<3.0> : tensor<1x1x1xf32>}> : () -> tensor<1x1x1xf32>
  %sixth = "tosa.const"() <{values = dense<0.166666672> : tensor<1x1x1xf32>}> : () -> tensor<1x1x1xf32>
  %a = tosa.add %m1, %three {qt.range = array<f32: -1.0, 7.0>} : (tensor<1x1x4xf32>, tensor<1x1x1xf32>) -> tensor<1x1x4xf32>
  %c = tosa.clamp %a {min_val = 0.0 : f32, max_val = 6.0 : f32, qt.range = array<f32: 0.0, 6.0>} : (tensor<1x1x4xf32>) -> tensor<1x1x4xf32>
  %p = tosa.mul %m1, %c, %sh {qt.range = array<f32: -2.0, 28.0>} : (tensor<1x1x4xf32>, tensor<1x1x4xf32>, tensor<1xi8>) -> tensor<1x1x4xf32>
  %hs = tosa.mul %p, %sixth, %sh {qt.range = array<f32: -0.375, 4.0>} : (tensor<1x1x4xf32>, tensor<1x1x1xf32>, tensor<1xi8>) -> tensor<1x1x4xf32>
  %w2 = "tosa.const"() <{values = dense<[[[1.0, -1.0, 0.5, 0.5], [0.5, 0.5, 0.5, 0.5], [-0.25, 2.0, 1.0, 1.0], [0.1, 0.2, 0.3, 0.4]]]> : tensor<1x4x4xf32>}> : () -> tensor<1x4x4xf32>
  %m2 = tosa.matmul %hs, %w2, %zp, %zp {qt.range = array<f32: -3.0, 3.0>} : (tensor<1x1x4xf32>, tensor<1x4x4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x4xf32>
  %r = tosa.add %hs, %m2 {qt.range = array<f32: -3.0, 7.0>} : (tensor<1x1x4xf32>, tensor<1x1x4xf32>) -> tensor<1x1x4xf32>
  %r6 = tosa.clamp %r {min_val = 0.0 : f32, max_val = 6.0 : f32, qt.range = array<f32: 0.0, 6.0>} : (tensor<1x1x4xf32>) -> tensor<1x1x4xf32>
  %w3 = "tosa.const"() <{values = dense<[[[1.0, -1.0], [0.5, 0.5], [-0.25, 2.0], [0.1, 0.2]]]> : tensor<1x4x2xf32>}> : () -> tensor<1x4x2xf32>
  %m3 = tosa.matmul %r6, %w3, %zp, %zp {qt.range = array<f32: -3.0, 3.0>} : (tensor<1x1x4xf32>, tensor<1x4x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  %s2 = tosa.const_shape {values = dense<[1, 2]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %y = tosa.reshape %m3, %s2 {qt.range = array<f32: -3.0, 3.0>} : (tensor<1x1x2xf32>, !tosa.shape<2>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// Squeeze-excite: global average pool in int8, Sigmoid as a table, the
// [1, 1, 1, C] scale times the feature map as a broadcasting qt.mul.
// CHECK-LABEL: func.func @squeeze_excite
// CHECK: %[[Y:.*]] = qt.conv2d
// CHECK: %[[P:.*]] = qt.avg_pool2d %[[Y]] kernel = [4, 4] stride = [1, 1]
// CHECK: %[[S:.*]] = qt.conv2d %[[P]]
// CHECK: %[[G:.*]] = qt.table %[[S]]
// CHECK: %[[Z:.*]] = qt.mul %[[Y]], %[[G]] : tensor<1x4x4x2x!quant.uniform<i8:f32, 0.0117647{{[0-9]*}}>>, tensor<1x1x1x2x!quant.uniform<i8:f32, 0.00352941{{[0-9]*}}:-128>>
// CHECK: qt.conv2d %[[Z]]
// CHECK-NOT: tosa.sigmoid
// CHECK-NOT: tosa.avg_pool2d
func.func @squeeze_excite(%x: tensor<1x4x4x2xf32> {qt.range = array<f32: -1.0, 1.0>}) -> tensor<1x4x4x2xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %sh = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %w = "tosa.const"() <{values = dense<[[[[0.5, -0.25]]], [[[1.0, 0.3]]]]> : tensor<2x1x1x2xf32>}> : () -> tensor<2x1x1x2xf32>
  %b = "tosa.const"() <{values = dense<[0.1, -0.1]> : tensor<2xf32>}> : () -> tensor<2xf32>
  %y = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>, qt.range = array<f32: -1.5, 1.5>} : (tensor<1x4x4x2xf32>, tensor<2x1x1x2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32>
  %p = tosa.avg_pool2d %y, %zp, %zp {acc_type = f32, kernel = array<i64: 4, 4>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, qt.range = array<f32: -0.5, 0.5>} : (tensor<1x4x4x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x2xf32>
  %w2 = "tosa.const"() <{values = dense<[[[[2.0, -1.0]]], [[[1.0, 3.0]]]]> : tensor<2x1x1x2xf32>}> : () -> tensor<2x1x1x2xf32>
  %s = tosa.conv2d %p, %w2, %b, %zp, %zp {acc_type = f32, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>, qt.range = array<f32: -2.0, 2.0>} : (tensor<1x1x1x2xf32>, tensor<2x1x1x2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x2xf32>
  %g = tosa.sigmoid %s {qt.range = array<f32: 0.1, 0.9>} : (tensor<1x1x1x2xf32>) -> tensor<1x1x1x2xf32>
  %z = tosa.mul %y, %g, %sh {qt.range = array<f32: -1.4, 1.4>} : (tensor<1x4x4x2xf32>, tensor<1x1x1x2xf32>, tensor<1xi8>) -> tensor<1x4x4x2xf32>
  %o = tosa.conv2d %z, %w, %b, %zp, %zp {acc_type = f32, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>, qt.range = array<f32: -2.0, 2.0>} : (tensor<1x4x4x2xf32>, tensor<2x1x1x2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32>
  return %o : tensor<1x4x4x2xf32>
}

// -----

// Concatenation of two int8 values with different parameters: each input
// is brought to the output's by an identity table (exactly the float round
// trip), and the concat and a gather (a nearest-neighbour resize) run on the
// int8 storage.
// CHECK-LABEL: func.func @concat_gather
// CHECK: %[[A:.*]] = qt.conv2d
// CHECK: %[[B:.*]] = qt.conv2d
// CHECK: qt.table %[[A]]
// CHECK: qt.table %[[B]]
// CHECK: tosa.concat %{{.*}}, %{{.*}} {axis = 3 : i32} : (tensor<1x2x2x2xi8>, tensor<1x2x2x2xi8>) -> tensor<1x2x2x4xi8>
// CHECK: tosa.gather %{{.*}}, %{{.*}} : (tensor<1x4x4xi8>, tensor<1x8xi32>) -> tensor<1x8x4xi8>
// CHECK-NOT: qt.quantize
// CHECK: qt.conv2d
func.func @concat_gather(%x: tensor<1x2x2x2xf32> {qt.range = array<f32: -1.0, 1.0>}) -> tensor<1x8x1x2xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %w = "tosa.const"() <{values = dense<[[[[0.5, -0.25]]], [[[1.0, 0.3]]]]> : tensor<2x1x1x2xf32>}> : () -> tensor<2x1x1x2xf32>
  %w4 = "tosa.const"() <{values = dense<[[[[0.5, -0.25, 0.1, 0.2]]], [[[1.0, 0.3, -0.5, 0.25]]]]> : tensor<2x1x1x4xf32>}> : () -> tensor<2x1x1x4xf32>
  %b = "tosa.const"() <{values = dense<[0.1, -0.1]> : tensor<2xf32>}> : () -> tensor<2xf32>
  %a = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>, qt.range = array<f32: -1.5, 1.5>} : (tensor<1x2x2x2xf32>, tensor<2x1x1x2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x2xf32>
  %c = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>, qt.range = array<f32: -0.5, 3.0>} : (tensor<1x2x2x2xf32>, tensor<2x1x1x2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x2xf32>
  %cat = tosa.concat %a, %c {axis = 3 : i32, qt.range = array<f32: -1.5, 3.0>} : (tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>) -> tensor<1x2x2x4xf32>
  %s3 = tosa.const_shape {values = dense<[1, 4, 4]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %r = tosa.reshape %cat, %s3 {qt.range = array<f32: -1.5, 3.0>} : (tensor<1x2x2x4xf32>, !tosa.shape<3>) -> tensor<1x4x4xf32>
  %idx = "tosa.const"() <{values = dense<[[0, 0, 1, 1, 2, 2, 3, 3]]> : tensor<1x8xi32>}> : () -> tensor<1x8xi32>
  %g = tosa.gather %r, %idx {qt.range = array<f32: -1.5, 3.0>} : (tensor<1x4x4xf32>, tensor<1x8xi32>) -> tensor<1x8x4xf32>
  %s4 = tosa.const_shape {values = dense<[1, 8, 1, 4]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %g4 = tosa.reshape %g, %s4 {qt.range = array<f32: -1.5, 3.0>} : (tensor<1x8x4xf32>, !tosa.shape<4>) -> tensor<1x8x1x4xf32>
  %o = tosa.conv2d %g4, %w4, %b, %zp, %zp {acc_type = f32, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>, qt.range = array<f32: -2.0, 2.0>} : (tensor<1x8x1x4xf32>, tensor<2x1x1x4xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x8x1x2xf32>
  return %o : tensor<1x8x1x2xf32>
}

// -----

// Bad input for a table: log of negative values is NaN, log(0) is -inf and
// 1/log(x) near x = 1 grows without bound. Every entry is still defined: NaN
// maps to the output zero point (-1 here), +-infinity and out-of-range values
// saturate (docs/numerics.md, "Tables").
// CHECK-LABEL: func.func @log_reciprocal
// CHECK-NOT: tosa.log
// CHECK-NOT: tosa.reciprocal
// CHECK: qt.table %{{.*}}, [-1, -1, -1, {{.*}}, -1, -8, -10, {{.*}}, -120, -127, -128, -128, {{.*}}, -128, 127, 127, {{.*}}, 127, 123, 118, {{.*}}, 80, 78] : {{.*}} -> tensor<1x4x4x2x!quant.uniform<i8:f32, {{.*}}:-1>>
func.func @log_reciprocal(%x: tensor<1x4x4x2xf32> {qt.range = array<f32: -1.0, 1.0>}) -> tensor<1x4x4x2xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %w = "tosa.const"() <{values = dense<[[[[0.5, -0.25]]], [[[1.0, 0.3]]]]> : tensor<2x1x1x2xf32>}> : () -> tensor<2x1x1x2xf32>
  %b = "tosa.const"() <{values = dense<[0.1, -0.1]> : tensor<2xf32>}> : () -> tensor<2xf32>
  %y = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>, qt.range = array<f32: -1.5, 1.5>} : (tensor<1x4x4x2xf32>, tensor<2x1x1x2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32>
  %l = tosa.log %y {qt.range = array<f32: -3.0, 0.5>} : (tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32>
  %r = tosa.reciprocal %l {qt.range = array<f32: -4.0, 4.0>} : (tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32>
  %o = tosa.conv2d %r, %w, %b, %zp, %zp {acc_type = f32, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>, qt.range = array<f32: -2.0, 2.0>} : (tensor<1x4x4x2xf32>, tensor<2x1x1x2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32>
  return %o : tensor<1x4x4x2xf32>
}

// -----

// What stays float says why: a padded average pool (qt.avg_pool2d has no
// padding), and an add of a per-channel constant after a table (Exp).
// CHECK-LABEL: func.func @islands
// CHECK: tosa.avg_pool2d
// CHECK: qt.table
// CHECK: tosa.add
func.func @islands(%x: tensor<1x4x4x2xf32> {qt.range = array<f32: -1.0, 1.0>}) -> (tensor<1x2x2x2xf32>, tensor<1x4x4x2xf32>) {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %w = "tosa.const"() <{values = dense<[[[[0.5, -0.25]]], [[[1.0, 0.3]]]]> : tensor<2x1x1x2xf32>}> : () -> tensor<2x1x1x2xf32>
  %b = "tosa.const"() <{values = dense<[0.1, -0.1]> : tensor<2xf32>}> : () -> tensor<2xf32>
  %y = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>, qt.range = array<f32: -1.5, 1.5>} : (tensor<1x4x4x2xf32>, tensor<2x1x1x2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32>
  // expected-remark @+1 {{stays float between int8 values: it is padded (qt.avg_pool2d has no padding)}}
  %p = tosa.avg_pool2d %y, %zp, %zp {acc_type = f32, kernel = array<i64: 3, 3>, pad = array<i64: 1, 0, 1, 0>, stride = array<i64: 2, 2>, qt.range = array<f32: -0.5, 0.5>} : (tensor<1x4x4x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x2xf32>
  %o = tosa.conv2d %p, %w, %b, %zp, %zp {acc_type = f32, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>, qt.range = array<f32: -2.0, 2.0>} : (tensor<1x2x2x2xf32>, tensor<2x1x1x2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x2xf32>
  %e = tosa.exp %y {qt.range = array<f32: 0.2, 4.5>} : (tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32>
  %bias = "tosa.const"() <{values = dense<[[[[0.5, -0.25]]]]> : tensor<1x1x1x2xf32>}> : () -> tensor<1x1x1x2xf32>
  // expected-remark @+1 {{stays float between int8 values: its other operand is neither an int8 value nor a constant with one value for every element}}
  %a = tosa.add %e, %bias {qt.range = array<f32: -1.0, 5.0>} : (tensor<1x4x4x2xf32>, tensor<1x1x1x2xf32>) -> tensor<1x4x4x2xf32>
  %o2 = tosa.conv2d %a, %w, %b, %zp, %zp {acc_type = f32, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>, qt.range = array<f32: -2.0, 2.0>} : (tensor<1x4x4x2xf32>, tensor<2x1x1x2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32>
  return %o, %o2 : tensor<1x2x2x2xf32>, tensor<1x4x4x2xf32>
}

