//===- FloatConstants.h - float32 values of a constant -----------*- C++ -*-===//
//
// Shared by the passes that rewrite contractions around their constant
// weights (qt-prepare-contractions, qt-raise-linalg-contractions).
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_LIB_TRANSFORMS_FLOATCONSTANTS_H
#define QOPT_LIB_TRANSFORMS_FLOATCONSTANTS_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"

#include <optional>
#include <vector>

namespace qopt {

/// The float32 values of a constant operand, or nothing.
inline std::optional<std::vector<float>> floatConstant(mlir::Value v) {
  mlir::DenseElementsAttr attr;
  if (!mlir::matchPattern(v, mlir::m_Constant(&attr)) || !attr.getElementType().isF32())
    return std::nullopt;
  auto values = attr.getValues<float>();
  return std::vector<float>(values.begin(), values.end());
}

} // namespace qopt

#endif // QOPT_LIB_TRANSFORMS_FLOATCONSTANTS_H
