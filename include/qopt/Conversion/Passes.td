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

def ConvertQTToX86VNNI : Pass<"convert-qt-to-x86-vnni", "::mlir::ModuleOp"> {
  let summary = "Lower int8 fully connected layers to AVX-512 VNNI kernels";
  let description = [{
    For a target with AVX-512 VNNI: every `qt.fully_connected` with constant
    int8 weights (zero point 0, as qopt's own) becomes a kernel built on
    `vpdpbusd` (`llvm.x86.avx512.vpdpbusd.512`). The weights are packed at
    compile time into 16-column x 4-row blocks (one 64-byte register per
    block: lane j holds 4 consecutive K values of column j); the input is
    made unsigned (`a + 128`) and the compensation
    `bias - (128 + z_in) * sum_k w[n, k]` is precomputed per column, so the
    accumulator equals `bias + sum_k (a - z_in) * w` exactly. Requantization
    (docs/numerics.md) runs on 16 lanes at a time. A `qt.conv2d` with a
    constant filter first becomes im2col (patches gathered on the storage
    type, padded with the input zero point) and a fully connected layer on
    the same kernel. Other qt ops are left to `convert-qt-to-linalg`.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect", "::mlir::vector::VectorDialect",
    "::mlir::LLVM::LLVMDialect", "::mlir::linalg::LinalgDialect"
  ];
}

def QTLowerX86Intrinsics : Pass<"qt-lower-x86-intrinsics"> {
  let summary = "Turn qt.x86_* kernel ops into their LLVM intrinsics";
  let description = [{
    Runs after bufferization: `qt.x86_vpdpbusd` becomes
    `llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"`.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

#endif // QOPT_CONVERSION_PASSES_TD
