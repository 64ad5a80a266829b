//===- QTDialect.h - qt dialect declaration ---------------------*- C++ -*-===//

#ifndef QOPT_DIALECT_QT_IR_QTDIALECT_H
#define QOPT_DIALECT_QT_IR_QTDIALECT_H

#include "qopt/Dialect/QT/IR/QTAttributes.h"

#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/IR/Dialect.h"

#include "qopt/Dialect/QT/IR/QTOpsDialect.h.inc"

#endif // QOPT_DIALECT_QT_IR_QTDIALECT_H
