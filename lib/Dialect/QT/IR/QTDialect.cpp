//===- QTDialect.cpp - qt dialect registration ------------------*- C++ -*-===//

#include "qopt/Dialect/QT/IR/QTDialect.h"
#include "qopt/Dialect/QT/IR/QTOps.h"

using namespace mlir;
using namespace qopt::qt;

#include "qopt/Dialect/QT/IR/QTOpsDialect.cpp.inc"

void QTDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "qopt/Dialect/QT/IR/QTOps.cpp.inc"
      >();
}
