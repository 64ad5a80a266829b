//===- QTOps.h - qt dialect operations --------------------------*- C++ -*-===//

#ifndef QOPT_DIALECT_QT_IR_QTOPS_H
#define QOPT_DIALECT_QT_IR_QTOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "qopt/Dialect/QT/IR/QTDialect.h"

#define GET_OP_CLASSES
#include "qopt/Dialect/QT/IR/QTOps.h.inc"

namespace qopt::qt {

/// Checks the quantization parameters of `type`'s element type (when it is a
/// quantized type): finite, positive, normal float32 scales; zero points in
/// the storage range; a per-axis axis inside `type`'s rank whose dimension
/// matches the number of scales. Emits a diagnostic on `op` naming `what`.
mlir::LogicalResult verifyQuantizedTensor(mlir::Operation *op, mlir::Type type,
                                          llvm::StringRef what);

} // namespace qopt::qt

#endif // QOPT_DIALECT_QT_IR_QTOPS_H
