// RUN: qopt %s -split-input-file -verify-diagnostics

// A NaN scale (the quant type parser accepts it; the op does not).
func.func @nan_scale(%x: tensor<4xf32>) {
  // expected-error @+1 {{'qt.quantize' op result has a NaN scale}}
  %q = qt.quantize %x : tensor<4xf32> -> tensor<4x!quant.uniform<i8:f32, 0x7FF8000000000000>>
  return
}

// -----

// An infinite scale is rejected by the quant type itself.
func.func @inf_scale(%x: tensor<4xf32>) {
  // expected-error @+1 {{scale INF out of expressed type range}}
  %q = qt.quantize %x : tensor<4xf32> -> tensor<4x!quant.uniform<i8:f32, 0x7FF0000000000000>>
  return
}

// -----

// A zero scale is rejected by the quant type itself.
// expected-error @+1 {{scale 0.000000e+00 out of expressed type range}}
func.func @zero_scale(%x: tensor<4x!quant.uniform<i8:f32, 0.0>>) {
  return
}

// -----

// A negative scale is rejected by the quant type itself.
// expected-error @+1 {{scale -1.000000e+00 out of expressed type range}}
func.func @negative_scale(%x: tensor<4x!quant.uniform<i8:f32, -1.0>>) {
  return
}

// -----

// A denormal float32 scale.
func.func @denormal_scale(%q: tensor<4x!quant.uniform<i8:f32, 1.0e-40>>) {
  // expected-error @+1 {{'qt.dequantize' op operand has a scale 1.000000e-40 below the smallest normal float32 (denormal)}}
  %x = qt.dequantize %q : tensor<4x!quant.uniform<i8:f32, 1.0e-40>> -> tensor<4xf32>
  return
}

// -----

// A zero point outside int8's range.
func.func @zero_point_range(%x: tensor<4xf32>) {
  // expected-error @+1 {{'qt.quantize' op result has a zero point 300 outside the storage range [-128, 127]}}
  %q = qt.quantize %x : tensor<4xf32> -> tensor<4x!quant.uniform<i8:f32, 0.5:300>>
  return
}

// -----

// A per-channel zero point outside the storage range.
func.func @per_axis_zero_point(%x: tensor<2x4xf32>) {
  // expected-error @+1 {{'qt.quantize' op result has a zero point -200 outside the storage range [-128, 127]}}
  %q = qt.quantize %x : tensor<2x4xf32> -> tensor<2x4x!quant.uniform<i8:f32:0, {0.5:-200, 0.5}>>
  return
}

// -----

// Per-axis quantization along an axis the tensor does not have.
func.func @bad_axis(%x: tensor<2x4xf32>) {
  // expected-error @+1 {{'qt.quantize' op result is quantized along axis 2 but has rank 2}}
  %q = qt.quantize %x : tensor<2x4xf32> -> tensor<2x4x!quant.uniform<i8:f32:2, {0.5, 0.5}>>
  return
}

// -----

// Per-axis scales that do not match the axis's size.
func.func @axis_size(%x: tensor<2x4xf32>) {
  // expected-error @+1 {{'qt.quantize' op result has 3 scales for axis 0 of size 2}}
  %q = qt.quantize %x : tensor<2x4xf32> -> tensor<2x4x!quant.uniform<i8:f32:0, {0.5, 0.5, 0.5}>>
  return
}

// -----

// Quantized types express f32 (the float side may be f16 or bf16).
func.func @expressed_type(%x: tensor<4xf16>) {
  // expected-error @+1 {{'qt.quantize' op quantized types must express f32, not 'f16'}}
  %q = qt.quantize %x : tensor<4xf16> -> tensor<4x!quant.uniform<i8:f16, 0.5>>
  return
}

// -----

// Quantize keeps the shape.
func.func @quantize_shape(%x: tensor<4xf32>) {
  // expected-error @+1 {{'qt.quantize' op requires the same shape for all operands and results}}
  %q = qt.quantize %x : tensor<4xf32> -> tensor<5x!quant.uniform<i8:f32, 0.5>>
  return
}

// -----

// A requantized result must be per tensor.
func.func @requantize_per_axis(%x: tensor<2x!quant.uniform<i32:f32, 0.5>>) {
  // expected-error @+1 {{'qt.requantize' op result must be quantized per tensor}}
  %q = qt.requantize %x : tensor<2x!quant.uniform<i32:f32, 0.5>> -> tensor<2x!quant.uniform<i8:f32:0, {0.5, 0.25}>>
  return
}

// -----

// Fused activation bounds must be ordered.
func.func @bounds_order(%x: tensor<2x!quant.uniform<i32:f32, 0.5>>) {
  // expected-error @+1 {{'qt.requantize' op fused activation min 6.000000e+00 exceeds max 0.000000e+00}}
  %q = qt.requantize %x {min = 6.0 : f32, max = 0.0 : f32} : tensor<2x!quant.uniform<i32:f32, 0.5>> -> tensor<2x!quant.uniform<i8:f32, 0.5>>
  return
}

// -----

// Fused activation bounds must be finite.
func.func @bounds_finite(%x: tensor<2x!quant.uniform<i32:f32, 0.5>>) {
  // expected-error @+1 {{'qt.requantize' op fused activation bounds must be finite}}
  %q = qt.requantize %x {max = 0x7F800000 : f32} : tensor<2x!quant.uniform<i32:f32, 0.5>> -> tensor<2x!quant.uniform<i8:f32, 0.5>>
  return
}

// -----

// Fully connected: feature count mismatch.
func.func @fc_features(%x: tensor<1x4x!quant.uniform<i8:f32, 0.5>>, %w: tensor<2x5x!quant.uniform<i8:f32, 0.5>>) {
  // expected-error @+1 {{'qt.fully_connected' op input has 4 features but weight expects 5}}
  %y = qt.fully_connected %x, %w : tensor<1x4x!quant.uniform<i8:f32, 0.5>>, tensor<2x5x!quant.uniform<i8:f32, 0.5>> -> tensor<1x2x!quant.uniform<i8:f32, 0.5>>
  return
}

// -----

// Fully connected: result shape mismatch.
func.func @fc_result(%x: tensor<1x4x!quant.uniform<i8:f32, 0.5>>, %w: tensor<2x4x!quant.uniform<i8:f32, 0.5>>) {
  // expected-error @+1 {{'qt.fully_connected' op result shape 'tensor<1x3x!quant.uniform<i8:f32, 5.000000e-01>>' does not match [1, 2]}}
  %y = qt.fully_connected %x, %w : tensor<1x4x!quant.uniform<i8:f32, 0.5>>, tensor<2x4x!quant.uniform<i8:f32, 0.5>> -> tensor<1x3x!quant.uniform<i8:f32, 0.5>>
  return
}

// -----

// Fully connected: weights quantized along the input-feature axis.
func.func @fc_axis(%x: tensor<1x2x!quant.uniform<i8:f32, 0.5>>, %w: tensor<2x2x!quant.uniform<i8:f32:1, {0.5, 0.5}>>) {
  // expected-error @+1 {{'qt.fully_connected' op weight must be quantized per tensor or along its output-channel axis 0, not axis 1}}
  %y = qt.fully_connected %x, %w : tensor<1x2x!quant.uniform<i8:f32, 0.5>>, tensor<2x2x!quant.uniform<i8:f32:1, {0.5, 0.5}>> -> tensor<1x2x!quant.uniform<i8:f32, 0.5>>
  return
}

// -----

// Fully connected: bias size.
func.func @fc_bias(%x: tensor<1x4x!quant.uniform<i8:f32, 0.5>>, %w: tensor<2x4x!quant.uniform<i8:f32, 0.5>>, %b: tensor<3xi32>) {
  // expected-error @+1 {{'qt.fully_connected' op bias must have shape [2] (one per output channel), got 'tensor<3xi32>'}}
  %y = qt.fully_connected %x, %w, %b : tensor<1x4x!quant.uniform<i8:f32, 0.5>>, tensor<2x4x!quant.uniform<i8:f32, 0.5>>, tensor<3xi32> -> tensor<1x2x!quant.uniform<i8:f32, 0.5>>
  return
}

// -----

// Fully connected: per-axis input.
func.func @fc_input_per_axis(%x: tensor<1x2x!quant.uniform<i8:f32:1, {0.5, 0.5}>>, %w: tensor<2x2x!quant.uniform<i8:f32, 0.5>>) {
  // expected-error @+1 {{'qt.fully_connected' op input must be quantized per tensor}}
  %y = qt.fully_connected %x, %w : tensor<1x2x!quant.uniform<i8:f32:1, {0.5, 0.5}>>, tensor<2x2x!quant.uniform<i8:f32, 0.5>> -> tensor<1x2x!quant.uniform<i8:f32, 0.5>>
  return
}

// -----

// Fully connected: rank.
func.func @fc_rank(%x: tensor<4x!quant.uniform<i8:f32, 0.5>>, %w: tensor<2x4x!quant.uniform<i8:f32, 0.5>>) {
  // expected-error @+1 {{'qt.fully_connected' op input, weight and result must be rank 2}}
  %y = qt.fully_connected %x, %w : tensor<4x!quant.uniform<i8:f32, 0.5>>, tensor<2x4x!quant.uniform<i8:f32, 0.5>> -> tensor<2x!quant.uniform<i8:f32, 0.5>>
  return
}

// -----

// Matmul: contraction mismatch.
func.func @matmul_k(%a: tensor<1x2x3x!quant.uniform<i8:f32, 0.5>>, %b: tensor<1x4x5x!quant.uniform<i8:f32, 0.5>>) {
  // expected-error @+1 {{'qt.matmul' op contraction dimensions differ: lhs has 3, rhs has 4}}
  %y = qt.matmul %a, %b : tensor<1x2x3x!quant.uniform<i8:f32, 0.5>>, tensor<1x4x5x!quant.uniform<i8:f32, 0.5>> -> tensor<1x2x5x!quant.uniform<i8:f32, 0.5>>
  return
}

// -----

// Matmul: result shape.
func.func @matmul_result(%a: tensor<1x2x3x!quant.uniform<i8:f32, 0.5>>, %b: tensor<1x3x5x!quant.uniform<i8:f32, 0.5>>) {
  // expected-error @+1 {{'qt.matmul' op result shape}}
  %y = qt.matmul %a, %b : tensor<1x2x3x!quant.uniform<i8:f32, 0.5>>, tensor<1x3x5x!quant.uniform<i8:f32, 0.5>> -> tensor<1x2x4x!quant.uniform<i8:f32, 0.5>>
  return
}

// -----

// Matmul: rank.
func.func @matmul_rank(%a: tensor<2x3x!quant.uniform<i8:f32, 0.5>>, %b: tensor<3x5x!quant.uniform<i8:f32, 0.5>>) {
  // expected-error @+1 {{'qt.matmul' op operands and result must be rank 3 [batch, rows, cols]}}
  %y = qt.matmul %a, %b : tensor<2x3x!quant.uniform<i8:f32, 0.5>>, tensor<3x5x!quant.uniform<i8:f32, 0.5>> -> tensor<2x5x!quant.uniform<i8:f32, 0.5>>
  return
}

// -----

// Conv2d: a 5-tap window does not fit in 4 rows, whatever the stride (the
// output size formula alone would give 1 row at stride 2).
func.func @conv_window(%x: tensor<1x4x4x2x!quant.uniform<i8:f32, 0.5>>, %f: tensor<4x5x5x2x!quant.uniform<i8:f32, 0.5>>) {
  // expected-error @+1 {{'qt.conv2d' op the 5x5 window (dilation 1x1) does not fit in the padded 4x4 input}}
  %y = qt.conv2d %x, %f pad = [0, 0, 0, 0] stride = [2, 2] dilation = [1, 1] : tensor<1x4x4x2x!quant.uniform<i8:f32, 0.5>>, tensor<4x5x5x2x!quant.uniform<i8:f32, 0.5>> -> tensor<1x1x1x4x!quant.uniform<i8:f32, 0.5>>
  return
}

// -----

// Conv2d: pads and dilations whose sizes overflow 64 bits (found by
// qopt-fuzz-qt's kind of input).
func.func @conv_overflow(%x: tensor<1x8x8x2x!quant.uniform<i8:f32, 0.5>>, %f: tensor<4x3x3x2x!quant.uniform<i8:f32, 0.5>>) {
  // expected-error @+1 {{'qt.conv2d' op the 3x3 window (dilation 9223372036854775807x1) does not fit in the padded 8x8 input}}
  %y = qt.conv2d %x, %f pad = [9223372036854775807, 9223372036854775807, 0, 0] stride = [1, 1] dilation = [9223372036854775807, 1] : tensor<1x8x8x2x!quant.uniform<i8:f32, 0.5>>, tensor<4x3x3x2x!quant.uniform<i8:f32, 0.5>> -> tensor<1x6x6x4x!quant.uniform<i8:f32, 0.5>>
  return
}

// -----

// Conv2d: output shape does not follow from pad, stride and dilation.
func.func @conv_shape(%x: tensor<1x8x8x2x!quant.uniform<i8:f32, 0.5>>, %f: tensor<4x3x3x2x!quant.uniform<i8:f32, 0.5>>) {
  // expected-error @+1 {{'qt.conv2d' op result shape 'tensor<1x8x8x4x!quant.uniform<i8:f32, 5.000000e-01>>' does not match the convolution's output shape [1, 6, 6, 4]}}
  %y = qt.conv2d %x, %f pad = [0, 0, 0, 0] stride = [1, 1] dilation = [1, 1] : tensor<1x8x8x2x!quant.uniform<i8:f32, 0.5>>, tensor<4x3x3x2x!quant.uniform<i8:f32, 0.5>> -> tensor<1x8x8x4x!quant.uniform<i8:f32, 0.5>>
  return
}

// -----

// Conv2d: channel mismatch.
func.func @conv_channels(%x: tensor<1x8x8x3x!quant.uniform<i8:f32, 0.5>>, %f: tensor<4x3x3x2x!quant.uniform<i8:f32, 0.5>>) {
  // expected-error @+1 {{'qt.conv2d' op input has 3 channels but the filter expects 2}}
  %y = qt.conv2d %x, %f pad = [0, 0, 0, 0] stride = [1, 1] dilation = [1, 1] : tensor<1x8x8x3x!quant.uniform<i8:f32, 0.5>>, tensor<4x3x3x2x!quant.uniform<i8:f32, 0.5>> -> tensor<1x6x6x4x!quant.uniform<i8:f32, 0.5>>
  return
}

// -----

// Conv2d: pad needs four values.
func.func @conv_pad(%x: tensor<1x8x8x2x!quant.uniform<i8:f32, 0.5>>, %f: tensor<4x3x3x2x!quant.uniform<i8:f32, 0.5>>) {
  // expected-error @+1 {{'qt.conv2d' op pad must have 4 values [top, bottom, left, right]}}
  %y = qt.conv2d %x, %f pad = [0, 0] stride = [1, 1] dilation = [1, 1] : tensor<1x8x8x2x!quant.uniform<i8:f32, 0.5>>, tensor<4x3x3x2x!quant.uniform<i8:f32, 0.5>> -> tensor<1x6x6x4x!quant.uniform<i8:f32, 0.5>>
  return
}

// -----

// Conv2d: stride must be positive.
func.func @conv_stride(%x: tensor<1x8x8x2x!quant.uniform<i8:f32, 0.5>>, %f: tensor<4x3x3x2x!quant.uniform<i8:f32, 0.5>>) {
  // expected-error @+1 {{'qt.conv2d' op stride and dilation values must be positive}}
  %y = qt.conv2d %x, %f pad = [0, 0, 0, 0] stride = [0, 1] dilation = [1, 1] : tensor<1x8x8x2x!quant.uniform<i8:f32, 0.5>>, tensor<4x3x3x2x!quant.uniform<i8:f32, 0.5>> -> tensor<1x6x6x4x!quant.uniform<i8:f32, 0.5>>
  return
}

// -----

// Conv2d: stride and dilation need two values.
func.func @conv_stride_size(%x: tensor<1x8x8x2x!quant.uniform<i8:f32, 0.5>>, %f: tensor<4x3x3x2x!quant.uniform<i8:f32, 0.5>>) {
  // expected-error @+1 {{'qt.conv2d' op stride and dilation must have 2 values [y, x]}}
  %y = qt.conv2d %x, %f pad = [0, 0, 0, 0] stride = [1] dilation = [1, 1] : tensor<1x8x8x2x!quant.uniform<i8:f32, 0.5>>, tensor<4x3x3x2x!quant.uniform<i8:f32, 0.5>> -> tensor<1x6x6x4x!quant.uniform<i8:f32, 0.5>>
  return
}

// -----

// Conv2d: negative padding.
func.func @conv_negative_pad(%x: tensor<1x8x8x2x!quant.uniform<i8:f32, 0.5>>, %f: tensor<4x3x3x2x!quant.uniform<i8:f32, 0.5>>) {
  // expected-error @+1 {{'qt.conv2d' op pad values must be non-negative}}
  %y = qt.conv2d %x, %f pad = [-1, 0, 0, 0] stride = [1, 1] dilation = [1, 1] : tensor<1x8x8x2x!quant.uniform<i8:f32, 0.5>>, tensor<4x3x3x2x!quant.uniform<i8:f32, 0.5>> -> tensor<1x6x6x4x!quant.uniform<i8:f32, 0.5>>
  return
}

// -----

// Conv2d: rank.
func.func @conv_rank(%x: tensor<8x8x2x!quant.uniform<i8:f32, 0.5>>, %f: tensor<4x3x3x2x!quant.uniform<i8:f32, 0.5>>) {
  // expected-error @+1 {{'qt.conv2d' op input, filter and result must be rank 4 (NHWC / OHWI)}}
  %y = qt.conv2d %x, %f pad = [0, 0, 0, 0] stride = [1, 1] dilation = [1, 1] : tensor<8x8x2x!quant.uniform<i8:f32, 0.5>>, tensor<4x3x3x2x!quant.uniform<i8:f32, 0.5>> -> tensor<1x6x6x4x!quant.uniform<i8:f32, 0.5>>
  return
}

// -----

// Depthwise: filter channels must be a multiple of the input channels.
func.func @depthwise_multiplier(%x: tensor<1x5x5x2x!quant.uniform<i8:f32, 0.5>>, %f: tensor<3x3x3x!quant.uniform<i8:f32, 0.5>>) {
  // expected-error @+1 {{'qt.depthwise_conv2d' op filter has 3 output channels, not a multiple of the input's 2}}
  %y = qt.depthwise_conv2d %x, %f pad = [0, 0, 0, 0] stride = [1, 1] dilation = [1, 1] : tensor<1x5x5x2x!quant.uniform<i8:f32, 0.5>>, tensor<3x3x3x!quant.uniform<i8:f32, 0.5>> -> tensor<1x3x3x3x!quant.uniform<i8:f32, 0.5>>
  return
}

// -----

// Depthwise: per-channel scales along the wrong axis.
func.func @depthwise_axis(%x: tensor<1x5x5x2x!quant.uniform<i8:f32, 0.5>>, %f: tensor<3x3x2x!quant.uniform<i8:f32:0, {0.5, 0.5, 0.5}>>) {
  // expected-error @+1 {{'qt.depthwise_conv2d' op weight must be quantized per tensor or along its output-channel axis 2, not axis 0}}
  %y = qt.depthwise_conv2d %x, %f pad = [0, 0, 0, 0] stride = [1, 1] dilation = [1, 1] : tensor<1x5x5x2x!quant.uniform<i8:f32, 0.5>>, tensor<3x3x2x!quant.uniform<i8:f32:0, {0.5, 0.5, 0.5}>> -> tensor<1x3x3x2x!quant.uniform<i8:f32, 0.5>>
  return
}

// -----

// Depthwise: rank.
func.func @depthwise_rank(%x: tensor<1x5x5x2x!quant.uniform<i8:f32, 0.5>>, %f: tensor<3x3x2x1x!quant.uniform<i8:f32, 0.5>>) {
  // expected-error @+1 {{'qt.depthwise_conv2d' op input and result must be rank 4 (NHWC) and the filter rank 3 [KH, KW, C * multiplier]}}
  %y = qt.depthwise_conv2d %x, %f pad = [0, 0, 0, 0] stride = [1, 1] dilation = [1, 1] : tensor<1x5x5x2x!quant.uniform<i8:f32, 0.5>>, tensor<3x3x2x1x!quant.uniform<i8:f32, 0.5>> -> tensor<1x3x3x2x!quant.uniform<i8:f32, 0.5>>
  return
}

// -----

// Add: shapes must match or broadcast (size 1).
func.func @add_shape(%a: tensor<4x!quant.uniform<i8:f32, 0.5>>, %b: tensor<3x!quant.uniform<i8:f32, 0.5>>) {
  // expected-error @+1 {{'qt.add' op operand shapes must equal the result's shape or broadcast to it (dimensions of size 1)}}
  %y = qt.add %a, %b : tensor<4x!quant.uniform<i8:f32, 0.5>>, tensor<3x!quant.uniform<i8:f32, 0.5>> -> tensor<4x!quant.uniform<i8:f32, 0.5>>
  return
}

// -----

// Mul: operands must be per tensor.
func.func @mul_per_axis(%a: tensor<2x!quant.uniform<i8:f32:0, {0.5, 0.5}>>, %b: tensor<2x!quant.uniform<i8:f32, 0.5>>) {
  // expected-error @+1 {{'qt.mul' op lhs must be quantized per tensor}}
  %y = qt.mul %a, %b : tensor<2x!quant.uniform<i8:f32:0, {0.5, 0.5}>>, tensor<2x!quant.uniform<i8:f32, 0.5>> -> tensor<2x!quant.uniform<i8:f32, 0.5>>
  return
}

// -----

// Add: scale checks apply to every operand.
func.func @add_scale(%a: tensor<2x!quant.uniform<i8:f32, 0.5>>, %b: tensor<2x!quant.uniform<i8:f32, 1.0e-39>>) {
  // expected-error @+1 {{'qt.add' op rhs has a scale 1.000000e-39 below the smallest normal float32 (denormal)}}
  %y = qt.add %a, %b : tensor<2x!quant.uniform<i8:f32, 0.5>>, tensor<2x!quant.uniform<i8:f32, 1.0e-39>> -> tensor<2x!quant.uniform<i8:f32, 0.5>>
  return
}

// -----

// Observe: the probe id is non-negative.
func.func @observe_id(%x: tensor<4xf32>) {
  // expected-error @+1 {{'qt.observe' op probe id must be non-negative, got -1}}
  %y = qt.observe %x {id = -1 : i64} : tensor<4xf32>
  return
}

// -----

// vpdpbusd takes 4 bytes per int32 lane.
func.func @vpdpbusd_lanes(%acc: vector<16xi32>, %a: vector<32xi8>, %b: vector<32xi8>) -> vector<16xi32> {
  // expected-error @below {{'qt.x86_vpdpbusd' op needs 4 bytes per int32 lane (vector<16xi32> with vector<64xi8>, or vector<8xi32> with vector<32xi8>)}}
  %r = qt.x86_vpdpbusd %acc, %a, %b : vector<16xi32>, vector<32xi8>, vector<32xi8> -> vector<16xi32>
  return %r : vector<16xi32>
}

// -----

// Mul: a broadcast operand dimension must be 1, and the result takes the
// larger size.
func.func @mul_broadcast(%a: tensor<2x4x!quant.uniform<i8:f32, 0.5>>, %b: tensor<1x4x!quant.uniform<i8:f32, 0.5>>) {
  // expected-error @+1 {{'qt.mul' op operand shapes must equal the result's shape or broadcast to it}}
  %y = qt.mul %a, %b : tensor<2x4x!quant.uniform<i8:f32, 0.5>>, tensor<1x4x!quant.uniform<i8:f32, 0.5>> -> tensor<1x4x!quant.uniform<i8:f32, 0.5>>
  return
}

// -----

// Table: one entry per int8 value.
func.func @table_size(%x: tensor<4x!quant.uniform<i8:f32, 0.5>>) {
  // expected-error @+1 {{'qt.table' op table must have 256 entries (one per int8 value), got 3}}
  %y = qt.table %x, [1, 2, 3] : tensor<4x!quant.uniform<i8:f32, 0.5>> -> tensor<4x!quant.uniform<i8:f32, 0.5>>
  return
}

// -----

// Table: int8 per tensor only.
func.func @table_type(%x: tensor<4x!quant.uniform<u8:f32, 0.5>>) {
  // expected-error @+1 {{'qt.table' op input must be signed int8 [-128, 127] quantized per tensor}}
  %y = qt.table %x, [1, 2, 3] : tensor<4x!quant.uniform<u8:f32, 0.5>> -> tensor<4x!quant.uniform<i8:f32, 0.5>>
  return
}

// -----

// AvgPool2d: a kernel whose element count overflows 64 bits (found by
// qopt-fuzz-qt: the overflow check itself overflowed).
func.func @avg_pool_kernel_overflow(%x: tensor<2x6x6x4x!quant.uniform<i8:f32, 0.5>>) {
  // expected-error @+1 {{'qt.avg_pool2d' op kernel of 9223231299366420479x2 elements could overflow the int32 sum}}
  %y = qt.avg_pool2d %x kernel = [9223231299366420479, 2] stride = [1, 1] : tensor<2x6x6x4x!quant.uniform<i8:f32, 0.5>> -> tensor<2x6x6x4x!quant.uniform<i8:f32, 0.5>>
  return
}

// -----

// Average pool: the window must fit in the input (there is no padding).
func.func @avg_pool_kernel(%x: tensor<1x2x2x3x!quant.uniform<i8:f32, 0.5>>) {
  // expected-error @+1 {{'qt.avg_pool2d' op kernel 3x3 does not fit in the input}}
  %y = qt.avg_pool2d %x kernel = [3, 3] stride = [1, 1] : tensor<1x2x2x3x!quant.uniform<i8:f32, 0.5>> -> tensor<1x1x1x3x!quant.uniform<i8:f32, 0.5>>
  return
}

// -----

// Average pool: the result shape follows from kernel and stride.
func.func @avg_pool_shape(%x: tensor<1x4x4x3x!quant.uniform<i8:f32, 0.5>>) {
  // expected-error @+1 {{'qt.avg_pool2d' op result shape 'tensor<1x2x2x3x!quant.uniform<i8:f32, 5.000000e-01>>' does not match the pooling's output shape [1, 3, 3, 3]}}
  %y = qt.avg_pool2d %x kernel = [2, 2] stride = [1, 1] : tensor<1x4x4x3x!quant.uniform<i8:f32, 0.5>> -> tensor<1x2x2x3x!quant.uniform<i8:f32, 0.5>>
  return
}

// -----

// Average pool: positive kernel and stride.
func.func @avg_pool_stride(%x: tensor<1x4x4x3x!quant.uniform<i8:f32, 0.5>>) {
  // expected-error @+1 {{'qt.avg_pool2d' op kernel and stride entries must be positive}}
  %y = qt.avg_pool2d %x kernel = [2, 2] stride = [0, 1] : tensor<1x4x4x3x!quant.uniform<i8:f32, 0.5>> -> tensor<1x3x3x3x!quant.uniform<i8:f32, 0.5>>
  return
}
