//===- DynamicQuantization.h - run-time input quantization ------*- C++ -*-===//

#ifndef QOPT_CONVERSION_DYNAMICQUANTIZATION_H
#define QOPT_CONVERSION_DYNAMICQUANTIZATION_H

#include "mlir/IR/Builders.h"

namespace qopt {

/// A float input quantized at run time, as qt.dynamic_fully_connected does
/// (docs/numerics.md): its int8 values and the scale and zero point chosen
/// from its range.
struct DynamicInput {
  mlir::Value values;    // i8, the input's shape
  mlir::Value scale;     // f32 scalar
  mlir::Value zeroPoint; // i32 scalar
};

/// Builds the range of the [M, K] f32 tensor `x` widened to include 0, the
/// asymmetric int8 scale and zero point (zero width: 1 and 0), and
/// clamp(rne(x / s) + z) (NaN -> z). Shared by the portable and the packed
/// lowerings, so both quantize identically.
DynamicInput quantizeDynamicInput(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x);

} // namespace qopt

#endif // QOPT_CONVERSION_DYNAMICQUANTIZATION_H
