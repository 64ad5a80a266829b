//===- Passes.td - qopt conversions ------------------------*- tablegen -*-===//

#ifndef QOPT_CONVERSION_PASSES_TD
#define QOPT_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertQTToLinalg : Pass<"convert-qt-to-linalg", "::mlir::ModuleOp"> {
  let summary = "Lower qt ops to portable linalg / arith code on integer tensors";
  let description = [{
    Rewrites every `qt` op into `linalg.generic` (and `tensor`, `arith`,
    `math`) ops on the storage integer types, computing exactly what
    docs/numerics.md specifies: the int32 accumulations, the fixed-point
    requantization with one half-up rounding, the fused activation clamp.
    Multipliers and shifts are computed at compile time by the reference
    implementation (`qopt/Reference/Numerics.h`), so the generated code and
    the test oracle cannot disagree about them. `quant.scast` ops become
    no-ops. Quantized element types disappear from tensors (storage types
    remain), so function signatures with quantized tensors are converted too.

    An op whose parameters have no fixed-point form (a requantization
    multiplier of 2^30 or more, an add whose scales differ by 2^31) is
    reported at the op.

    Example:
    ```mlir
    %y = qt.dequantize %q : tensor<4x!quant.uniform<i8:f32, 0.5:3>> -> tensor<4xf32>
    // becomes a linalg.generic computing sitofp(extsi(q) - 3) * 0.5
    ```
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect", "::mlir::tensor::TensorDialect"
  ];
}

def ConvertQTToPackedKernels
    : Pass<"convert-qt-to-packed-kernels", "::mlir::ModuleOp"> {
  let summary = "Lower int8 fully connected layers (static and dynamic) and convolutions to packed dot kernels";
  let description = [{
    Every `qt.fully_connected` with constant int8 weights (zero point 0, as
    qopt's own) becomes a register-tiled kernel built on an int8 dot or
    matrix instruction, chosen by `isa`:

    | isa | instruction | int32 lanes | tile (rows x lanes) |
    |---|---|---|---|
    | `amx` | `tdpbssd` (s8 x s8) on 16 x 64 tiles; `avx512-vnni` for 1 row, fewer than 32 columns or K < 64 (unless `amx-small-layers`) | 16 x 16 per tile | 32 x 32 |
    | `avx512-vnni` | `vpdpbusd` zmm (u8 x s8: input + 128) | 16 | 4 x 64 |
    | `avx-vnni` | `vpdpbusd` ymm (AVX-VNNI, or AVX-512 VNNI + VL) | 8 | 4 x 16 |
    | `avx2` | `vpmovsxbw` + 2 `vpmaddwd` per 4 K (never `vpmaddubsw`) | 8 | 4 x 16 |
    | `neon-dotprod` | `sdot` (s8 x s8) | 4 | 4 x 16 |
    | `neon` | `smull` + pairwise adds on int16 pairs (no dotprod) | 4 | 4 x 16 |
    | `neon-i8mm` | `smmla` (2x8 by 8x2 tiles) | 2 x 2 | 4 x 8 |

    Weights are packed at compile time so that one register holds 4
    consecutive K values of each of `lanes` columns (AVX2, NEON: two K pairs;
    i8mm: column pairs of 8 K values); the last, partial column block is
    stored at its real width and read with masked loads. The compensation
    `bias - (shift + z_in) * sum_k w` is precomputed per column, so the
    accumulator equals `bias + sum_k (x - z_in) * w` exactly.
    Requantization (docs/numerics.md) runs on whole registers. A
    `qt.conv2d` with a constant filter first becomes im2col (patches
    gathered on the storage type, padded with the input zero point) and a
    fully connected layer. A `qt.depthwise_conv2d` with channel multiplier 1
    becomes a direct kernel vectorized over blocks of 16 channels (one
    multiply-add per filter tap on the input padded with its zero point).
    A `qt.dynamic_fully_connected` with symmetric weights runs on the dot
    kernel (sdot on `neon-i8mm`) with a float epilogue: its input quantized
    at run time by the same builder as the portable lowering, the
    accumulator started at `-(shift + z) * sum_k w`, then
    `float(acc) * (s * s_w) + bias` clamped, in the portable lowering's
    order (bit-identical). Other qt ops are left to `convert-qt-to-linalg`.

    Pruned weights: with `sparse-weights=auto` (the default) each layer's
    weights are stored block-sparse when the cost model of
    `qopt/Sparsity/WeightStorage.h` predicts fewer bytes and less time
    (docs/pruning.md): only the packed weight registers (lanes x 4 K) with a
    non-zero weight are kept, each with its K offset, and the kernel's K
    loop visits only those, bit-identical to the dense kernel. `dense` and
    `sparse` force one form (for tests and benchmarks). On `neon-i8mm`,
    block-sparse layers run on the sdot kernel.
  }];
  let options = [
    Option<"isa", "isa", "std::string", "\"avx512-vnni\"",
           "amx, avx512-vnni, avx-vnni, avx2, neon, neon-dotprod or neon-i8mm">,
    Option<"amxSmallLayers", "amx-small-layers", "bool", "false",
           "isa=amx: AMX tiles also for layers narrower than 32 columns or "
           "shallower than 64 (tests of the kernel's edges)">,
    Option<"sparseWeights", "sparse-weights", "std::string", "\"auto\"",
           "auto (cost model per layer), dense or sparse">,
  ];
  let dependentDialects = [
    "::mlir::amx::AMXDialect", "::mlir::bufferization::BufferizationDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::arith::ArithDialect", "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect", "::mlir::vector::VectorDialect",
    "::mlir::LLVM::LLVMDialect", "::mlir::linalg::LinalgDialect"
  ];
}

def ConvertTosaInt8ToPackedKernels
    : Pass<"convert-tosa-int8-to-packed-kernels", "::mlir::ModuleOp"> {
  let summary = "Lower pre-quantized TOSA int8 contractions to the packed kernels";
  let description = [{
    Models quantized elsewhere (TFLite -> TOSA) carry their int8 arithmetic
    as TOSA ops. This pass puts

        tosa.matmul (i8, batch 1, constant B, B zero point 0) [+ tosa.add of
        a constant i32 bias] | tosa.conv2d (i8, constant OHWI weights, weight
        zero point 0, constant i32 bias)
        -> tosa.rescale (i32 -> i8, 32-bit multipliers per tensor or per
           channel, SINGLE_ROUND, DOUBLE_ROUND or INEXACT_ROUND)
        [-> tosa.clamp on i8]

    on the same packed kernels as qopt's own int8 layers, with the file's
    multipliers and shifts: SINGLE_ROUND is qopt's requantization (one
    rounding), DOUBLE_ROUND adds TOSA's 2^30 adjustment for shifts above 31,
    and INEXACT_ROUND, whose rounding TOSA leaves to the implementation, is
    computed as SINGLE_ROUND. Any input zero point is folded into the
    per-column compensation. Other forms are left to upstream's TOSA
    lowering. Runs before `tosa-to-linalg`.
  }];
  let options = [
    Option<"isa", "isa", "std::string", "\"avx512-vnni\"",
           "avx512-vnni, avx-vnni, avx2, neon, neon-dotprod or neon-i8mm">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect", "::mlir::vector::VectorDialect",
    "::mlir::linalg::LinalgDialect", "::qopt::qt::QTDialect",
    "::mlir::bufferization::BufferizationDialect", "::mlir::memref::MemRefDialect"
  ];
}

def ConvertTosaFloatToKernels
    : Pass<"convert-tosa-float-to-kernels", "::mlir::ModuleOp"> {
  let summary = "Lower float32 matmuls and convolutions with constant weights to vector kernels";
  let description = [{
    A float32 `tosa.matmul` (batch 1, constant right operand) or
    `tosa.conv2d` (constant weights and bias; through im2col) becomes a
    register-tiled vector kernel on weights packed at compile time in
    blocks of `lanes` output channels (one vector register): dense, or, when
    the cost model of `qopt/Sparsity/WeightStorage.h` finds the weights
    sparse enough (blocks of `lanes` channels x 1 reduction value, 4 bytes
    per weight), block-sparse — only the blocks with a non-zero weight are
    stored, each with its K index, and only those are visited. In both,
    each output lane adds its products in increasing K with a fused
    multiply-add, exactly as the linalg loops of `tosa-to-linalg` do after
    `qt-fuse-multiply-add`,
    so outputs are bit-identical to them (docs/pruning.md). A batch whose
    im2col rows would exceed 64 MiB is convolved image by image; an image
    whose rows alone exceed it keeps the loops. A float32
    `tosa.depthwise_conv2d` (multiplier 1, constant weights and bias) runs
    on a kernel vectorized over channels, one fused multiply-add per tap in
    the loops' order (no block-sparse form). Runs before `tosa-to-linalg`;
    with `dense=false` dense layers are left to it. bf16 contractions with
    float32 accumulation (`--quantize-bf16`) take the same kernels on their
    input widened to float32 (bf16 products are exact in float32), or with
    `amx` AMX-BF16 tiles (the loops' bits on the float32 kernels; within one
    bf16 step of them on the tiles, which sum in their own order and flush
    denormals: docs/numerics.md).
  }];
  let options = [
    Option<"lanes", "lanes", "int64_t", "16",
           "float32 lanes per vector register (16 AVX-512, 8 AVX2, 4 NEON)">,
    Option<"sparseWeights", "sparse-weights", "std::string", "\"auto\"",
           "auto (cost model per layer), dense or sparse">,
    Option<"dense", "dense", "bool", "true",
           "Lower dense layers to the dense vector kernel (false: leave them "
           "to tosa-to-linalg's loops)">,
    Option<"amx", "amx", "bool", "false",
           "bf16 contractions of 2+ rows, 32+ columns and K >= 32 on AMX-BF16 "
           "tiles (tdpbf16ps)">,
    Option<"amxSmallLayers", "amx-small-layers", "bool", "false",
           "With amx: every bf16 layer of 2+ rows on tiles (tests of the edges)">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect", "::mlir::vector::VectorDialect",
    "::mlir::linalg::LinalgDialect", "::mlir::amx::AMXDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::memref::MemRefDialect", "::mlir::tosa::TosaDialect"
  ];
}

def QTLowerKernelIntrinsics : Pass<"qt-lower-kernel-intrinsics"> {
  let summary = "Turn qt.x86_* / qt.arm_* kernel ops into LLVM intrinsics";
  let description = [{
    Runs after bufferization: `qt.x86_vpdpbusd` becomes
    `llvm.x86.avx512.vpdpbusd.512` (or `.256`), `qt.x86_vpmaddwd`
    `llvm.x86.avx2.pmadd.wd`, `qt.arm_sdot`
    `llvm.aarch64.neon.sdot.v4i32.v16i8` and `qt.arm_smmla`
    `llvm.aarch64.neon.smmla.v4i32.v16i8`.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

def QTLowerAmxStreamLoads : Pass<"qt-lower-amx-stream-loads"> {
  let summary = "Turn amx.tile_load ops marked qt.stream into tileloaddt1";
  let description = [{
    An AMX kernel streams one of its operands from the L2 cache while it
    keeps the other in L1: the streamed tiles are loaded with
    `tileloaddt1` (`llvm.x86.tileloaddt164.internal`), which does not keep
    them in L1, so they do not evict the tiles that are reused. The kernels
    mark those loads with the unit attribute `qt.stream`; upstream's
    `amx` dialect has no such load, and lowers the others (runs before
    `convert-vector-to-llvm{enable-amx}`).
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

#endif // QOPT_CONVERSION_PASSES_TD
