//===- Passes.h - weight pruning passes -------------------------*- C++ -*-===//

#ifndef QOPT_SPARSITY_PASSES_H
#define QOPT_SPARSITY_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace qopt {

#define GEN_PASS_DECL
#include "qopt/Sparsity/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "qopt/Sparsity/Passes.h.inc"

} // namespace qopt

#endif // QOPT_SPARSITY_PASSES_H
