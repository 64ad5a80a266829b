// RUN: qopt %s -convert-qt-to-packed-kernels=isa=neon-dotprod | FileCheck %s

// On AArch64 the input stays signed (no +128 shift): the compensation is
// bias - z_in * colsum = 10 - (-3) * 6 = 28 and -20 - (-3) * 0 = -20, in
// blocks of 4 columns (here one partial block, stored at its real width of 2
// columns); the inner loop is one sdot per 4 K values.
// CHECK-LABEL: func.func @fc
// CHECK-DAG: arith.constant dense<[28, -20]> : tensor<2xi32>
// CHECK-DAG: arith.constant dense<{{.*}}> : tensor<2x1x8xi8>
// CHECK-NOT: arith.xori
// CHECK: qt.arm_sdot %{{.*}}, %{{.*}}, %{{.*}} : vector<4xi32>, vector<16xi8>, vector<16xi8> -> vector<4xi32>
// CHECK: arith.mulsi_extended %{{.*}}, %{{.*}} : vector<4xi32>
// CHECK: arith.shrsi %{{.*}}, %{{.*}} : vector<4xi32>
func.func @fc(%x: tensor<1x5x!quant.uniform<i8:f32, 0.5:-3>>) -> tensor<1x2x!quant.uniform<i8:f32, 0.75:1>> {
  %wi = arith.constant dense<[[1, 2, 3, -1, 1], [4, -4, 0, 0, 0]]> : tensor<2x5xi8>
  %w = quant.scast %wi : tensor<2x5xi8> to tensor<2x5x!quant.uniform<i8:f32:0, {0.25, 0.125}>>
  %b = arith.constant dense<[10, -20]> : tensor<2xi32>
  %y = qt.fully_connected %x, %w, %b : tensor<1x5x!quant.uniform<i8:f32, 0.5:-3>>, tensor<2x5x!quant.uniform<i8:f32:0, {0.25, 0.125}>>, tensor<2xi32> -> tensor<1x2x!quant.uniform<i8:f32, 0.75:1>>
  return %y : tensor<1x2x!quant.uniform<i8:f32, 0.75:1>>
}
