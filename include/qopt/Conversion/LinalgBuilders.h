//===- LinalgBuilders.h - small linalg-on-tensors builders ------*- C++ -*-===//
//
// Shared by the qt-to-linalg patterns and the packed kernels (part of
// QOptConversionUtils, with Padding.h and DynamicQuantization.h).
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_CONVERSION_LINALGBUILDERS_H
#define QOPT_CONVERSION_LINALGBUILDERS_H

#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/STLFunctionalExtras.h"

namespace qopt {

/// `parallel` parallel iterators followed by `reduction` reduction ones.
llvm::SmallVector<mlir::utils::IteratorType> iterators(unsigned parallel,
                                                       unsigned reduction = 0);

/// Builds `linalg.generic` writing a fresh tensor of `outType`, all loops
/// parallel (one per result dimension).
mlir::Value buildParallel(
    mlir::OpBuilder &b, mlir::Location loc, mlir::RankedTensorType outType,
    mlir::ValueRange inputs, llvm::ArrayRef<mlir::AffineMap> inputMaps,
    llvm::function_ref<mlir::Value(mlir::OpBuilder &, mlir::Location, mlir::ValueRange)>
        body);

} // namespace qopt

#endif // QOPT_CONVERSION_LINALGBUILDERS_H
