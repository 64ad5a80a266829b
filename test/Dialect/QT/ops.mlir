// RUN: qopt %s | qopt | FileCheck %s
// RUN: qopt %s --mlir-print-op-generic | qopt | FileCheck %s

!a8 = !quant.uniform<i8:f32, 0.25:-128>
!o8 = !quant.uniform<i8:f32, 0.05:3>
!acc = !quant.uniform<i32:f32, 1.0e-4>

// Quantize and dequantize keep the shape and change the element type.
// CHECK-LABEL: func @convert
func.func @convert(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // CHECK: %[[Q:.*]] = qt.quantize %{{.*}} : tensor<2x3xf32> -> tensor<2x3x!quant.uniform<i8:f32, 2.500000e-01:-128>>
  %q = qt.quantize %x : tensor<2x3xf32> -> tensor<2x3x!a8>
  // CHECK: qt.dequantize %[[Q]] : tensor<2x3x!quant.uniform<i8:f32, 2.500000e-01:-128>> -> tensor<2x3xf32>
  %y = qt.dequantize %q : tensor<2x3x!a8> -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// Requantize an int32 accumulator with a fused ReLU.
// CHECK-LABEL: func @requantize
func.func @requantize(%acc: tensor<4x!acc>) -> tensor<4x!o8> {
  // CHECK: qt.requantize %{{.*}} {min = 0.000000e+00 : f32} : tensor<4x!quant.uniform<i32:f32, 1.000000e-04>> -> tensor<4x!quant.uniform<i8:f32, 5.000000e-02:3>>
  %r = qt.requantize %acc {min = 0.0 : f32} : tensor<4x!acc> -> tensor<4x!o8>
  return %r : tensor<4x!o8>
}

// A fully connected layer with per-channel weights and an int32 bias.
// CHECK-LABEL: func @fully_connected
func.func @fully_connected(%x: tensor<1x4x!a8>, %w: tensor<2x4x!quant.uniform<i8:f32:0, {0.01, 0.02}>>,
                           %b: tensor<2xi32>) -> tensor<1x2x!o8> {
  // CHECK: qt.fully_connected %{{.*}}, %{{.*}}, %{{.*}} {max = 6.000000e+00 : f32, min = 0.000000e+00 : f32}
  // CHECK-SAME: tensor<2x4x!quant.uniform<i8:f32:0, {1.000000e-02,2.000000e-02}>>, tensor<2xi32> -> tensor<1x2x
  %y = qt.fully_connected %x, %w, %b {min = 0.0 : f32, max = 6.0 : f32}
      : tensor<1x4x!a8>, tensor<2x4x!quant.uniform<i8:f32:0, {0.01, 0.02}>>, tensor<2xi32> -> tensor<1x2x!o8>
  return %y : tensor<1x2x!o8>
}

// The bias is optional.
// CHECK-LABEL: func @fully_connected_no_bias
func.func @fully_connected_no_bias(%x: tensor<3x4x!a8>, %w: tensor<2x4x!quant.uniform<i8:f32, 0.01>>) -> tensor<3x2x!o8> {
  // CHECK: qt.fully_connected %{{.*}}, %{{.*}} : tensor<3x4x
  %y = qt.fully_connected %x, %w : tensor<3x4x!a8>, tensor<2x4x!quant.uniform<i8:f32, 0.01>> -> tensor<3x2x!o8>
  return %y : tensor<3x2x!o8>
}

// Batched matmul with a right operand quantized along its last axis.
// CHECK-LABEL: func @matmul
func.func @matmul(%a: tensor<2x4x8x!a8>, %b: tensor<2x8x3x!quant.uniform<i8:f32:2, {0.1, 0.2, 0.3}>>) -> tensor<2x4x3x!o8> {
  // CHECK: qt.matmul %{{.*}}, %{{.*}} : tensor<2x4x8x
  %y = qt.matmul %a, %b : tensor<2x4x8x!a8>, tensor<2x8x3x!quant.uniform<i8:f32:2, {0.1, 0.2, 0.3}>> -> tensor<2x4x3x!o8>
  return %y : tensor<2x4x3x!o8>
}

// A strided, padded convolution.
// CHECK-LABEL: func @conv2d
func.func @conv2d(%x: tensor<1x8x8x2x!a8>, %f: tensor<4x3x3x2x!quant.uniform<i8:f32, 0.02>>, %b: tensor<4xi32>) -> tensor<1x4x4x4x!o8> {
  // CHECK: qt.conv2d %{{.*}}, %{{.*}}, %{{.*}} pad = [1, 1, 1, 1] stride = [2, 2] dilation = [1, 1]
  %y = qt.conv2d %x, %f, %b pad = [1, 1, 1, 1] stride = [2, 2] dilation = [1, 1]
      : tensor<1x8x8x2x!a8>, tensor<4x3x3x2x!quant.uniform<i8:f32, 0.02>>, tensor<4xi32> -> tensor<1x4x4x4x!o8>
  return %y : tensor<1x4x4x4x!o8>
}

// Depthwise convolution with channel multiplier 2 and per-channel weights.
// CHECK-LABEL: func @depthwise_conv2d
func.func @depthwise_conv2d(%x: tensor<1x5x5x2x!a8>, %f: tensor<3x3x4x!quant.uniform<i8:f32:2, {0.1, 0.2, 0.3, 0.4}>>) -> tensor<1x3x3x4x!o8> {
  // CHECK: qt.depthwise_conv2d %{{.*}}, %{{.*}} pad = [0, 0, 0, 0] stride = [1, 1] dilation = [1, 1]
  %y = qt.depthwise_conv2d %x, %f pad = [0, 0, 0, 0] stride = [1, 1] dilation = [1, 1]
      : tensor<1x5x5x2x!a8>, tensor<3x3x4x!quant.uniform<i8:f32:2, {0.1, 0.2, 0.3, 0.4}>> -> tensor<1x3x3x4x!o8>
  return %y : tensor<1x3x3x4x!o8>
}

// Elementwise add and mul into a third quantization.
// CHECK-LABEL: func @elementwise
func.func @elementwise(%a: tensor<4x!a8>, %b: tensor<4x!o8>) -> tensor<4x!o8> {
  // CHECK: %[[S:.*]] = qt.add %{{.*}}, %{{.*}} : tensor<4x
  %s = qt.add %a, %b : tensor<4x!a8>, tensor<4x!o8> -> tensor<4x!o8>
  // CHECK: qt.mul %[[S]], %{{.*}} {min = -1.000000e+00 : f32} : tensor<4x
  %p = qt.mul %s, %b {min = -1.0 : f32} : tensor<4x!o8>, tensor<4x!o8> -> tensor<4x!o8>
  return %p : tensor<4x!o8>
}

// Calibration probes carry an id.
// CHECK-LABEL: func @observe
func.func @observe(%x: tensor<1x32xf32>) -> tensor<1x32xf32> {
  // CHECK: qt.observe %{{.*}} {id = 7 : i64} : tensor<1x32xf32>
  %y = qt.observe %x {id = 7 : i64} : tensor<1x32xf32>
  return %y : tensor<1x32xf32>
}

// The VNNI kernel building block.
// CHECK-LABEL: func @vpdpbusd
func.func @vpdpbusd(%acc: vector<16xi32>, %a: vector<64xi8>, %b: vector<64xi8>) -> vector<16xi32> {
  // CHECK: qt.x86_vpdpbusd %{{.*}}, %{{.*}}, %{{.*}} : vector<16xi32>, vector<64xi8>, vector<64xi8> -> vector<16xi32>
  %r = qt.x86_vpdpbusd %acc, %a, %b : vector<16xi32>, vector<64xi8>, vector<64xi8> -> vector<16xi32>
  return %r : vector<16xi32>
}

// The AArch64 dotprod building block.
// CHECK-LABEL: func @sdot
func.func @sdot(%acc: vector<4xi32>, %a: vector<16xi8>, %b: vector<16xi8>) -> vector<4xi32> {
  // CHECK: qt.arm_sdot %{{.*}}, %{{.*}}, %{{.*}} : vector<4xi32>, vector<16xi8>, vector<16xi8> -> vector<4xi32>
  %r = qt.arm_sdot %acc, %a, %b : vector<4xi32>, vector<16xi8>, vector<16xi8> -> vector<4xi32>
  return %r : vector<4xi32>
}

// The other kernel building blocks: ymm vpdpbusd, vpmaddwd, smmla.
// CHECK-LABEL: func.func @kernel_ops
func.func @kernel_ops(%acc8: vector<8xi32>, %a32: vector<32xi8>, %w16: vector<16xi16>,
                      %acc4: vector<4xi32>, %a16: vector<16xi8>) -> (vector<8xi32>, vector<8xi32>, vector<4xi32>) {
  // CHECK: qt.x86_vpdpbusd %{{.*}}, %{{.*}}, %{{.*}} : vector<8xi32>, vector<32xi8>, vector<32xi8> -> vector<8xi32>
  %d = qt.x86_vpdpbusd %acc8, %a32, %a32 : vector<8xi32>, vector<32xi8>, vector<32xi8> -> vector<8xi32>
  // CHECK: qt.x86_vpmaddwd %{{.*}}, %{{.*}} : vector<16xi16>, vector<16xi16> -> vector<8xi32>
  %p = qt.x86_vpmaddwd %w16, %w16 : vector<16xi16>, vector<16xi16> -> vector<8xi32>
  // CHECK: qt.arm_smmla %{{.*}}, %{{.*}}, %{{.*}} : vector<4xi32>, vector<16xi8>, vector<16xi8> -> vector<4xi32>
  %m = qt.arm_smmla %acc4, %a16, %a16 : vector<4xi32>, vector<16xi8>, vector<16xi8> -> vector<4xi32>
  return %d, %p, %m : vector<8xi32>, vector<8xi32>, vector<4xi32>
}
