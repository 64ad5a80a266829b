//===- Padding.h - spatial padding with a zero point ------------*- C++ -*-===//

#ifndef QOPT_CONVERSION_PADDING_H
#define QOPT_CONVERSION_PADDING_H

#include "mlir/IR/Builders.h"

namespace qopt {

/// Pads an NHWC tensor spatially by `pad` ([top, bottom, left, right]) with
/// `value` (a quantized input's zero point: zero in the real domain; 0 for
/// float); returns `input` when nothing is padded.
mlir::Value padSpatially(mlir::OpBuilder &b, mlir::Location loc, mlir::Value input,
                         llvm::ArrayRef<int64_t> pad, int64_t value);

} // namespace qopt

#endif // QOPT_CONVERSION_PADDING_H
