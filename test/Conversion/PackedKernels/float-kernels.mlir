// RUN: qopt %s -convert-tosa-float-to-kernels -split-input-file | FileCheck %s
// RUN: qopt %s -convert-tosa-float-to-kernels=sparse-weights=dense -split-input-file | FileCheck %s --check-prefix=DENSE
// RUN: qopt %s -convert-tosa-float-to-kernels="sparse-weights=dense dense=false" -split-input-file | FileCheck %s --check-prefix=LOOPS

// A [1, 8, 32] right operand whose only non-zero values are column 18's
// K 2 and 5: of the 2 x 8 float blocks (16 columns x 1 K) two are stored,
// both in column block 1 (starts [0, 0, 2], K indices [2, 5]), each 16
// floats with lane 2 set. Each lane adds its products in K order.
// CHECK-LABEL: func.func @matmul
// CHECK-NOT: tosa.matmul
// CHECK-DAG: arith.constant dense<[0, 0, 2]> : tensor<3xi32>
// CHECK-DAG: arith.constant dense<[2, 5]> : tensor<2xi32>
// CHECK-DAG: arith.constant dense<{{.*}}> : tensor<2x16xf32>
// CHECK: scf.for
// CHECK: math.fma %{{.*}}, %{{.*}}, %{{.*}} : vector<16xf32>
// Forced dense, the same weight is packed [column block][K][16] and run in
// register tiles (here its 3 rows x 2 column blocks); dense=false leaves it to
// tosa-to-linalg.
// DENSE-LABEL: func.func @matmul
// DENSE: arith.constant dense<{{.*}}> : tensor<2x8x16xf32>
// DENSE-NOT: tosa.matmul
// DENSE: scf.for {{.*}} -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// LOOPS-LABEL: func.func @matmul
// LOOPS: tosa.matmul
func.func @matmul(%x: tensor<1x3x8xf32>) -> tensor<1x3x32xf32> {
  %w = "tosa.const"() <{values = dense<"0x000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000003F0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000080BF0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"> : tensor<1x8x32xf32>}> : () -> tensor<1x8x32xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %y = tosa.matmul %x, %w, %zp, %zp : (tensor<1x3x8xf32>, tensor<1x8x32xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x3x32xf32>
  return %y : tensor<1x3x32xf32>
}

// -----

// A dense weight goes to the dense kernel (with sparse-weights=auto).
// CHECK-LABEL: func.func @dense
// CHECK-NOT: tosa.matmul
// CHECK: arith.constant dense<5.000000e-01> : tensor<1x8x16xf32>
// CHECK: math.fma %{{.*}}, %{{.*}}, %{{.*}} : vector<16xf32>
func.func @dense(%x: tensor<1x3x8xf32>) -> tensor<1x3x16xf32> {
  %w = "tosa.const"() <{values = dense<0.5> : tensor<1x8x16xf32>}> : () -> tensor<1x8x16xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %y = tosa.matmul %x, %w, %zp, %zp : (tensor<1x3x8xf32>, tensor<1x8x16xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x3x16xf32>
  return %y : tensor<1x3x16xf32>
}

// -----

// A convolution whose im2col rows would take 151 MB (256 x 256 outputs x
// 576 reduction values x 4 bytes) keeps the loops; so does a float16
// matmul.
// CHECK-LABEL: func.func @large_conv
// CHECK: tosa.conv2d
func.func @large_conv(%x: tensor<1x258x258x64xf32>) -> tensor<1x256x256x64xf32> {
  %w = "tosa.const"() <{values = dense<0.5> : tensor<64x3x3x64xf32>}> : () -> tensor<64x3x3x64xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<64xf32>}> : () -> tensor<64xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %y = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x258x258x64xf32>, tensor<64x3x3x64xf32>, tensor<64xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x256x256x64xf32>
  return %y : tensor<1x256x256x64xf32>
}

// -----

// CHECK-LABEL: func.func @f16
// CHECK: tosa.matmul
func.func @f16(%x: tensor<1x3x8xf16>) -> tensor<1x3x16xf16> {
  %w = "tosa.const"() <{values = dense<0.5> : tensor<1x8x16xf16>}> : () -> tensor<1x8x16xf16>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf16>}> : () -> tensor<1xf16>
  %y = tosa.matmul %x, %w, %zp, %zp : (tensor<1x3x8xf16>, tensor<1x8x16xf16>, tensor<1xf16>, tensor<1xf16>) -> tensor<1x3x16xf16>
  return %y : tensor<1x3x16xf16>
}
