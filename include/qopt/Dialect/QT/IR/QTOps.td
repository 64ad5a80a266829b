//===- QTOps.td - qt dialect operations --------------------*- tablegen -*-===//

#ifndef QOPT_DIALECT_QT_IR_QTOPS_TD
#define QOPT_DIALECT_QT_IR_QTOPS_TD

include "qopt/Dialect/QT/IR/QTDialect.td"
include "mlir/Dialect/Quant/IR/QuantBase.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// Type constraints
//===----------------------------------------------------------------------===//

def QT_FloatTensor : RankedTensorOf<[F32, F16, BF16]>;
def QT_QuantTensor : RankedTensorOf<[quant_QuantizedType]>;
def QT_Int32Tensor : RankedTensorOf<[I32]>;

//===----------------------------------------------------------------------===//
// Conversion between float and quantized tensors
//===----------------------------------------------------------------------===//

def QT_QuantizeOp : QT_Op<"quantize", [Pure, SameOperandsAndResultShape]> {
  let summary = "Quantize a float tensor";
  let description = [{
    Converts each float element `x` to `clamp(rne(x / s) + z)` with the scale
    `s` and zero point `z` of the result's quantized element type; `x / s` is
    computed in float32 and `rne` rounds half to even (ONNX QuantizeLinear).
    Per-axis result types quantize each slice along the axis with its own
    parameters.

    Example:
    ```mlir
    %q = qt.quantize %x : tensor<1x64xf32> -> tensor<1x64x!quant.uniform<i8:f32, 0.0157:-1>>
    ```
  }];
  let arguments = (ins QT_FloatTensor:$input);
  let results = (outs QT_QuantTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
  // quantize(dequantize(x)) -> x when the quantized types are the same.
  let hasFolder = 1;
}

def QT_DequantizeOp : QT_Op<"dequantize", [Pure, SameOperandsAndResultShape]> {
  let summary = "Dequantize a quantized tensor to float";
  let description = [{
    Converts each stored integer `q` to `(q - z) * s` in float32, with the
    parameters of the operand's quantized element type.

    Example:
    ```mlir
    %x = qt.dequantize %q : tensor<1x10x!quant.uniform<i8:f32, 0.1:3>> -> tensor<1x10xf32>
    ```
  }];
  let arguments = (ins QT_QuantTensor:$input);
  let results = (outs QT_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

def QT_RequantizeOp : QT_Op<"requantize", [Pure, SameOperandsAndResultShape]> {
  let summary = "Change the quantization parameters of a tensor";
  let description = [{
    Re-expresses a quantized tensor (typically an int32 accumulator) in the
    result's scale and zero point with one rounding: the multiplier
    `M = s_in / s_out` is decomposed into a 31-bit fixed-point `M0` and a
    shift `n` (SPEC §5) and `r = (q - z_in) * M0 + 2^(n-1) >> n`, then
    `r + z_out` is clamped to the storage range intersected with the optional
    fused activation bounds `min` / `max` (given in the real domain).

    Example:
    ```mlir
    %r = qt.requantize %acc {min = 0.0 : f32}
        : tensor<1x10x!quant.uniform<i32:f32, 0.0002>> -> tensor<1x10x!quant.uniform<i8:f32, 0.05:-128>>
    ```
  }];
  let arguments = (ins QT_QuantTensor:$input,
                       OptionalAttr<F32Attr>:$min,
                       OptionalAttr<F32Attr>:$max);
  let results = (outs QT_QuantTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Contractions
//===----------------------------------------------------------------------===//

class QT_ContractionOp<string mnemonic> : QT_Op<mnemonic, [Pure]> {
  code commonDescription = [{
    Accumulation is in int32. The compiler only forms this op when it has
    proved, from the actual weights, that no output's accumulation can leave
    the int32 range. The result is requantized once (SPEC §5) with the
    per-tensor or per-output-channel multiplier `s_in * s_w / s_out`, and the
    optional `min` / `max` real-domain bounds of a fused ReLU or clamp narrow
    the output clamp.
  }];
}

def QT_MatmulOp : QT_ContractionOp<"matmul"> {
  let summary = "Batched quantized matrix multiplication";
  let description = [{
    `output[b, m, n] = requantize(sum_k (lhs[b, m, k] - z_l) * (rhs[b, k, n] - z_r))`.
    The right operand may be quantized per tensor or per axis along its last
    dimension (`n`).
  }] # commonDescription # [{

    Example:
    ```mlir
    %y = qt.matmul %a, %b : tensor<1x4x8x!quant.uniform<i8:f32, 0.1>>,
        tensor<1x8x3x!quant.uniform<i8:f32, 0.02>> -> tensor<1x4x3x!quant.uniform<i8:f32, 0.3:5>>
    ```
  }];
  let arguments = (ins QT_QuantTensor:$lhs, QT_QuantTensor:$rhs,
                       OptionalAttr<F32Attr>:$min, OptionalAttr<F32Attr>:$max);
  let results = (outs QT_QuantTensor:$output);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs) `->` type($output)
  }];
  let hasVerifier = 1;
}

def QT_FullyConnectedOp : QT_ContractionOp<"fully_connected"> {
  let summary = "Quantized fully connected layer";
  let description = [{
    `output[m, n] = requantize(sum_k (input[m, k] - z_in) * (weight[n, k] - z_w[n]) + bias[n])`.
    The weight is `[N, K]` (output channels first) and may be quantized per
    axis 0. The optional bias is int32 with scale `s_in * s_w[n]` and zero
    point 0.
  }] # commonDescription # [{

    Example:
    ```mlir
    %y = qt.fully_connected %x, %w, %b {min = 0.0 : f32}
        : tensor<1x64x!quant.uniform<i8:f32, 0.0039:-128>>,
          tensor<32x64x!quant.uniform<i8:f32:0, {0.01, 0.02, ...}>>, tensor<32xi32>
        -> tensor<1x32x!quant.uniform<i8:f32, 0.05:-128>>
    ```
  }];
  let arguments = (ins QT_QuantTensor:$input, QT_QuantTensor:$weight,
                       Optional<QT_Int32Tensor>:$bias,
                       OptionalAttr<F32Attr>:$min, OptionalAttr<F32Attr>:$max);
  let results = (outs QT_QuantTensor:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` type($input) `,` type($weight)
    (`,` type($bias)^)? `->` type($output)
  }];
  let hasVerifier = 1;
}

def QT_DynamicFullyConnectedOp : QT_Op<"dynamic_fully_connected", [Pure]> {
  let summary = "Fully connected layer with activations quantized at run time";
  let description = [{
    Dynamic quantization (ONNX Runtime's DynamicQuantizeLinear + MatMulInteger):
    on every call the float input's range `[min(0, min x), max(0, max x)]`
    gives an asymmetric int8 scale `s` and zero point `z` (docs/numerics.md:
    zero width gives `s = 1, z = 0`), the input is quantized with them, and
    `y[m, n] = float(sum_k (q[m, k] - z) * (w[n, k] - z_w[n])) * (s * s_w[n])
    + bias[n]`, clamped to the optional `min` / `max`. The weight is int8
    `[N, K]`, quantized per tensor or per axis 0; input, bias and result are
    float32.

    Example:
    ```mlir
    %y = qt.dynamic_fully_connected %x, %w, %b {min = 0.0 : f32}
        : tensor<1x64xf32>, tensor<32x64x!quant.uniform<i8:f32:0, {...}>>, tensor<32xf32>
        -> tensor<1x32xf32>
    ```
  }];
  let arguments = (ins RankedTensorOf<[F32]>:$input, QT_QuantTensor:$weight,
                       Optional<RankedTensorOf<[F32]>>:$bias,
                       OptionalAttr<F32Attr>:$min, OptionalAttr<F32Attr>:$max);
  let results = (outs RankedTensorOf<[F32]>:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` type($input) `,` type($weight)
    (`,` type($bias)^)? `->` type($output)
  }];
  let hasVerifier = 1;
}

class QT_ConvOp<string mnemonic> : QT_ContractionOp<mnemonic> {
  let arguments = (ins QT_QuantTensor:$input, QT_QuantTensor:$filter,
                       Optional<QT_Int32Tensor>:$bias,
                       DenseI64ArrayAttr:$pad, DenseI64ArrayAttr:$stride,
                       DenseI64ArrayAttr:$dilation,
                       OptionalAttr<F32Attr>:$min, OptionalAttr<F32Attr>:$max);
  let results = (outs QT_QuantTensor:$output);
  let assemblyFormat = [{
    $input `,` $filter (`,` $bias^)? `pad` `=` $pad `stride` `=` $stride
    `dilation` `=` $dilation attr-dict `:` type($input) `,` type($filter)
    (`,` type($bias)^)? `->` type($output)
  }];
  let hasVerifier = 1;
}

def QT_Conv2DOp : QT_ConvOp<"conv2d"> {
  let summary = "Quantized 2-D convolution (NHWC input, OHWI filter)";
  let description = [{
    A 2-D convolution on an NHWC input with an `[O, KH, KW, I]` filter,
    quantized per axis 0 (per output channel) or per tensor, and an optional
    int32 bias `[O]`. Padding is zero *in the real domain*, i.e. the input's
    zero point. `pad` is `[top, bottom, left, right]`, `stride` and
    `dilation` are `[y, x]`.
  }] # commonDescription # [{

    Example:
    ```mlir
    %y = qt.conv2d %x, %f, %b pad = [1, 1, 1, 1] stride = [1, 1] dilation = [1, 1]
        : tensor<1x8x8x1x!quant.uniform<i8:f32, 0.0039:-128>>,
          tensor<8x3x3x1x!quant.uniform<i8:f32:0, {...}>>, tensor<8xi32>
        -> tensor<1x8x8x8x!quant.uniform<i8:f32, 0.05:-128>>
    ```
  }];
}

def QT_DepthwiseConv2DOp : QT_ConvOp<"depthwise_conv2d"> {
  let summary = "Quantized depthwise 2-D convolution (NHWC input, HWC filter)";
  let description = [{
    Each input channel `c` is convolved with its own `multiplier` filters:
    the filter is `[KH, KW, C * multiplier]`, output channel
    `c * multiplier + j` reading input channel `c`; per-axis quantization is
    along axis 2. Other conventions as `qt.conv2d`.
  }] # commonDescription # [{

    Example:
    ```mlir
    %y = qt.depthwise_conv2d %x, %f pad = [1, 1, 1, 1] stride = [1, 1] dilation = [1, 1]
        : tensor<1x8x8x8x!quant.uniform<i8:f32, 0.05:-128>>,
          tensor<3x3x8x!quant.uniform<i8:f32:2, {...}>>
        -> tensor<1x8x8x8x!quant.uniform<i8:f32, 0.04:-128>>
    ```
  }];
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

class QT_BinaryOp<string mnemonic, string what> : QT_Op<mnemonic, [Pure]> {
  let summary = "Quantized elementwise " # what;
  let arguments = (ins QT_QuantTensor:$lhs, QT_QuantTensor:$rhs,
                       OptionalAttr<F32Attr>:$min, OptionalAttr<F32Attr>:$max);
  let results = (outs QT_QuantTensor:$output);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs) `->` type($output)
  }];
  let hasVerifier = 1;
}

def QT_AddOp : QT_BinaryOp<"add", "addition"> {
  let description = [{
    Adds two per-tensor quantized tensors into a third quantization. The
    operands have the result's rank; a dimension of size 1 in an operand is
    broadcast (as TOSA and NumPy do). Each operand is brought to the output
    scale with its own fixed-point multiplier (docs/numerics.md), then the
    sum is rounded once.

    Example:
    ```mlir
    %c = qt.add %a, %b : tensor<4x!quant.uniform<i8:f32, 0.1:1>>,
        tensor<4x!quant.uniform<i8:f32, 0.2:-3>> -> tensor<4x!quant.uniform<i8:f32, 0.25:0>>
    ```
  }];
}

def QT_MulOp : QT_BinaryOp<"mul", "multiplication"> {
  let description = [{
    Multiplies two per-tensor quantized tensors, broadcasting dimensions of
    size 1 as `qt.add` does (a squeeze-excite scale `[1, 1, 1, C]` times a
    feature map `[1, H, W, C]`):
    `(a - z_a) * (b - z_b)` in int32, requantized with the multiplier
    `s_a * s_b / s_out`.

    Example:
    ```mlir
    %c = qt.mul %a, %b : tensor<4x!quant.uniform<i8:f32, 0.1:1>>,
        tensor<4x!quant.uniform<i8:f32, 0.2:-3>> -> tensor<4x!quant.uniform<i8:f32, 0.25:0>>
    ```
  }];
}

def QT_TableOp : QT_Op<"table", [Pure, SameOperandsAndResultShape]> {
  let summary = "Int8 to int8 function by a 256-entry lookup table";
  let description = [{
    Maps every int8 element `q` of a per-tensor quantized tensor to
    `table[q + 128]`. The quantizer builds the table at compile time from an
    elementwise float function `f` (HardSwish, Sigmoid, GELU, ... or a chain
    of them) and the input and output parameters:
    `table[q + 128] = quantize(f(dequantize(q)))` (docs/numerics.md), so the
    op is exact by construction and costs one byte lookup per element.

    Example:
    ```mlir
    %y = qt.table %x, [-128, -128, ..., 127]
        : tensor<1x8x8x16x!quant.uniform<i8:f32, 0.04:-10>>
        -> tensor<1x8x8x16x!quant.uniform<i8:f32, 0.03:-120>>
    ```
  }];
  let arguments = (ins QT_QuantTensor:$input, DenseI8ArrayAttr:$table);
  let results = (outs QT_QuantTensor:$output);
  let assemblyFormat = [{
    $input `,` $table attr-dict `:` type($input) `->` type($output)
  }];
  let hasVerifier = 1;
}

def QT_AvgPool2DOp : QT_Op<"avg_pool2d", [Pure]> {
  let summary = "Quantized 2-D average pooling (NHWC, no padding)";
  let description = [{
    The mean of each `kernel = [KH, KW]` window of an NHWC per-tensor
    quantized input, moved by `stride = [SY, SX]`, in the result's
    quantization: `acc = Σ (q − z_in)` in int32 over the KH·KW window, then
    one requantization with `M = s_in / (s_out · KH · KW)` (SPEC §5 rounding,
    docs/numerics.md) and the optional fused `min` / `max` bounds. A global
    average pool is the window of the whole map. Windows never reach past
    the input (there is no padding), so every window has KH·KW elements.

    Example:
    ```mlir
    %y = qt.avg_pool2d %x kernel = [12, 96] stride = [1, 1]
        : tensor<1x12x96x8x!quant.uniform<i8:f32, 0.03:-128>>
        -> tensor<1x1x1x8x!quant.uniform<i8:f32, 0.006:-128>>
    ```
  }];
  let arguments = (ins QT_QuantTensor:$input, DenseI64ArrayAttr:$kernel,
                       DenseI64ArrayAttr:$stride,
                       OptionalAttr<F32Attr>:$min, OptionalAttr<F32Attr>:$max);
  let results = (outs QT_QuantTensor:$output);
  let assemblyFormat = [{
    $input `kernel` `=` $kernel `stride` `=` $stride attr-dict `:`
    type($input) `->` type($output)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Target kernels
//===----------------------------------------------------------------------===//

def QT_X86VpdpbusdOp : QT_Op<"x86_vpdpbusd", [Pure,
    AllTypesMatch<["acc", "result"]>, AllTypesMatch<["a", "b"]>]> {
  let summary = "x86 VNNI u8 x s8 dot product (vpdpbusd, zmm or ymm)";
  let description = [{
    `acc[i] + sum_{j<4} u8(a[4i + j]) * s8(b[4i + j])` in each of 16 (zmm)
    or 8 (ymm) int32 lanes, wrapping (no saturation). A pure stand-in for
    the LLVM intrinsic `llvm.x86.avx512.vpdpbusd.512` / `.256` while the
    kernel is still on tensors (bufferization needs known effects);
    `qt-lower-kernel-intrinsics` turns it into the intrinsic after
    bufferization. The ymm form is AVX-VNNI (VEX) or AVX-512 VNNI with VL.

    Example:
    ```mlir
    %r = qt.x86_vpdpbusd %acc, %a, %b : vector<16xi32>, vector<64xi8>, vector<64xi8> -> vector<16xi32>
    ```
  }];
  let arguments = (ins VectorOfLengthAndType<[8, 16], [I32]>:$acc,
                       VectorOfLengthAndType<[32, 64], [I8]>:$a,
                       VectorOfLengthAndType<[32, 64], [I8]>:$b);
  let results = (outs VectorOfLengthAndType<[8, 16], [I32]>:$result);
  let assemblyFormat = [{
    $acc `,` $a `,` $b attr-dict `:` type($acc) `,` type($a) `,` type($b) `->` type($result)
  }];
  let hasVerifier = 1;
}

def QT_X86PshufbOp : QT_Op<"x86_pshufb", [Pure,
    AllTypesMatch<["table", "indices", "result"]>]> {
  let summary = "x86 byte lookup within 128-bit lanes (vpshufb, ymm or zmm)";
  let description = [{
    Byte `i` of the result is 0 when bit 7 of `indices[i]` is set, else byte
    `indices[i] & 15` of the 16-byte lane of `table` that holds byte `i`.
    A pure stand-in for `llvm.x86.avx2.pshuf.b` (ymm) /
    `llvm.x86.avx512.pshuf.b.512` (zmm, AVX-512 BW), lowered by
    `qt-lower-kernel-intrinsics`; the table kernel builds 256-entry lookups
    from sixteen of them.

    Example:
    ```mlir
    %r = qt.x86_pshufb %table, %indices : vector<64xi8>
    ```
  }];
  let arguments = (ins VectorOfLengthAndType<[32, 64], [I8]>:$table,
                       VectorOfLengthAndType<[32, 64], [I8]>:$indices);
  let results = (outs VectorOfLengthAndType<[32, 64], [I8]>:$result);
  let assemblyFormat = [{
    $table `,` $indices attr-dict `:` type($result)
  }];
}

def QT_X86VpdpwssdOp : QT_Op<"x86_vpdpwssd", [Pure, AllTypesMatch<["acc", "result"]>,
    AllTypesMatch<["a", "b"]>]> {
  let summary = "AVX-512 VNNI int16 dot product accumulate (vpdpwssd, zmm)";
  let description = [{
    `acc[i] + a[2i] * b[2i] + a[2i + 1] * b[2i + 1]` in each of 16 int32
    lanes (wrapping). A pure stand-in for `llvm.x86.avx512.vpdpwssd.512`,
    lowered by `qt-lower-kernel-intrinsics`. The depthwise kernel adds one
    int8 product per lane with it: a sign-extended input times a weight
    whose odd int16 half is 0.

    Example:
    ```mlir
    %r = qt.x86_vpdpwssd %acc, %a, %b : vector<16xi32>, vector<32xi16>
    ```
  }];
  let arguments = (ins VectorOfLengthAndType<[16], [I32]>:$acc,
                       VectorOfLengthAndType<[32], [I16]>:$a,
                       VectorOfLengthAndType<[32], [I16]>:$b);
  let results = (outs VectorOfLengthAndType<[16], [I32]>:$result);
  let assemblyFormat = [{
    $acc `,` $a `,` $b attr-dict `:` type($acc) `,` type($a)
  }];
}

def QT_X86Vpermi2bOp : QT_Op<"x86_vpermi2b", [Pure,
    AllTypesMatch<["low", "indices", "high", "result"]>]> {
  let summary = "x86 byte lookup in two zmm registers (vpermi2b, AVX-512 VBMI)";
  let description = [{
    Byte `i` of the result is byte `indices[i] & 63` of `low` when bit 6 of
    `indices[i]` is clear, of `high` when it is set; bit 7 is ignored. A
    128-entry lookup per instruction: a pure stand-in for
    `llvm.x86.avx512.vpermi2var.qi.512`, lowered by
    `qt-lower-kernel-intrinsics`; the table kernel covers 256 entries with two
    of them and a select on bit 7.

    Example:
    ```mlir
    %r = qt.x86_vpermi2b %low, %indices, %high : vector<64xi8>
    ```
  }];
  let arguments = (ins VectorOfLengthAndType<[64], [I8]>:$low,
                       VectorOfLengthAndType<[64], [I8]>:$indices,
                       VectorOfLengthAndType<[64], [I8]>:$high);
  let results = (outs VectorOfLengthAndType<[64], [I8]>:$result);
  let assemblyFormat = [{
    $low `,` $indices `,` $high attr-dict `:` type($result)
  }];
}

def QT_X86VpmaddwdOp : QT_Op<"x86_vpmaddwd", [Pure, AllTypesMatch<["a", "b"]>]> {
  let summary = "AVX2 int16 multiply and add pairs (vpmaddwd, ymm)";
  let description = [{
    `a[2i] * b[2i] + a[2i + 1] * b[2i + 1]` in each of 8 int32 lanes. Exact
    for operands that are sign-extended int8 values (the sum of two
    products is at most 2 * 128 * 128). A pure stand-in for
    `llvm.x86.avx2.pmadd.wd`, lowered by `qt-lower-kernel-intrinsics`.

    Example:
    ```mlir
    %r = qt.x86_vpmaddwd %a, %b : vector<16xi16>, vector<16xi16> -> vector<8xi32>
    ```
  }];
  let arguments = (ins VectorOfLengthAndType<[16], [I16]>:$a,
                       VectorOfLengthAndType<[16], [I16]>:$b);
  let results = (outs VectorOfLengthAndType<[8], [I32]>:$result);
  let assemblyFormat = [{
    $a `,` $b attr-dict `:` type($a) `,` type($b) `->` type($result)
  }];
}

def QT_ArmSdotOp : QT_Op<"arm_sdot", [Pure]> {
  let summary = "AArch64 s8 x s8 dot product (sdot, 128-bit)";
  let description = [{
    `acc[i] + sum_{j<4} s8(a[4i + j]) * s8(b[4i + j])` in each of 4 int32
    lanes, wrapping. A pure stand-in for `llvm.aarch64.neon.sdot.v4i32.v16i8`
    while the kernel is on tensors; `qt-lower-kernel-intrinsics` turns it
    into the intrinsic after bufferization.

    Example:
    ```mlir
    %r = qt.arm_sdot %acc, %a, %b : vector<4xi32>, vector<16xi8>, vector<16xi8> -> vector<4xi32>
    ```
  }];
  let arguments = (ins VectorOfLengthAndType<[4], [I32]>:$acc,
                       VectorOfLengthAndType<[16], [I8]>:$a,
                       VectorOfLengthAndType<[16], [I8]>:$b);
  let results = (outs VectorOfLengthAndType<[4], [I32]>:$result);
  let assemblyFormat = [{
    $acc `,` $a `,` $b attr-dict `:` type($acc) `,` type($a) `,` type($b) `->` type($result)
  }];
}

def QT_ArmSmmlaOp : QT_Op<"arm_smmla", [Pure, AllTypesMatch<["acc", "result"]>,
                                       AllTypesMatch<["a", "b"]>]> {
  let summary = "AArch64 i8mm s8 x s8 matrix multiply-accumulate (smmla)";
  let description = [{
    The 2x2 int32 tile `acc` (row-major) plus `A * B^T`, where `a` holds a
    2x8 int8 block (two rows of 8 K values) and `b` another (two columns of
    8 K values): `acc[2i + j] + sum_{k<8} a[8i + k] * b[8j + k]`, wrapping.
    A pure stand-in for `llvm.aarch64.neon.smmla.v4i32.v16i8`, lowered by
    `qt-lower-kernel-intrinsics`.

    Example:
    ```mlir
    %r = qt.arm_smmla %acc, %a, %b : vector<4xi32>, vector<16xi8>, vector<16xi8> -> vector<4xi32>
    ```
  }];
  let arguments = (ins VectorOfLengthAndType<[4], [I32]>:$acc,
                       VectorOfLengthAndType<[16], [I8]>:$a,
                       VectorOfLengthAndType<[16], [I8]>:$b);
  let results = (outs VectorOfLengthAndType<[4], [I32]>:$result);
  let assemblyFormat = [{
    $acc `,` $a `,` $b attr-dict `:` type($acc) `,` type($a) `,` type($b) `->` type($result)
  }];
}

def QT_ArmTbl4Op : QT_Op<"arm_tbl4", [Pure,
    AllTypesMatch<["t0", "t1", "t2", "t3", "indices", "result"]>]> {
  let summary = "AArch64 64-entry byte lookup (tbl with four table registers)";
  let description = [{
    Byte `i` of the result is byte `indices[i]` of the 64 bytes `t0 t1 t2
    t3`, or 0 when `indices[i]` (unsigned) is 64 or more. A pure stand-in
    for `llvm.aarch64.neon.tbl4.v16i8`, lowered by
    `qt-lower-kernel-intrinsics`; the table kernel covers 256 entries with
    four of them.

    Example:
    ```mlir
    %r = qt.arm_tbl4 %t0, %t1, %t2, %t3, %i : vector<16xi8>
    ```
  }];
  let arguments = (ins VectorOfLengthAndType<[16], [I8]>:$t0,
                       VectorOfLengthAndType<[16], [I8]>:$t1,
                       VectorOfLengthAndType<[16], [I8]>:$t2,
                       VectorOfLengthAndType<[16], [I8]>:$t3,
                       VectorOfLengthAndType<[16], [I8]>:$indices);
  let results = (outs VectorOfLengthAndType<[16], [I8]>:$result);
  let assemblyFormat = [{
    $t0 `,` $t1 `,` $t2 `,` $t3 `,` $indices attr-dict `:` type($result)
  }];
}

//===----------------------------------------------------------------------===//
// Calibration
//===----------------------------------------------------------------------===//

def QT_ObserveOp : QT_Op<"observe", [SameOperandsAndResultType]> {
  let summary = "Calibration probe recording the values that flow through";
  let description = [{
    Returns its operand unchanged and, when the model runs under
    `--qt-calibrate`, reports every element to the range / histogram
    collector registered for `id`. It has a side effect (the report), so it
    is neither folded nor hoisted.

    Example:
    ```mlir
    %y = qt.observe %x {id = 3 : i64} : tensor<1x32xf32>
    ```
  }];
  let arguments = (ins QT_FloatTensor:$input, I64Attr:$id);
  let results = (outs QT_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

#endif // QOPT_DIALECT_QT_IR_QTOPS_TD
