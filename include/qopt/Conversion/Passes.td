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

#endif // QOPT_CONVERSION_PASSES_TD
