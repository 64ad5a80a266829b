//===- ParallelLoops.h - loops whose iterations are independent -*- C++ -*-===//
//
// A kernel that builds an `scf.for` whose iterations write disjoint parts of
// the output and share no reduction marks it with kParallelLoopAttrName;
// qt-outline-parallel-loops may then split it across threads. (Loops from
// linalg arrive as `scf.parallel`, which says the same by construction.)
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_TRANSFORMS_PARALLELLOOPS_H
#define QOPT_TRANSFORMS_PARALLELLOOPS_H

#include "qopt/Dialect/QT/IR/QTAttributes.h"

#include "mlir/Dialect/SCF/IR/SCF.h"

namespace qopt {

/// Marks `loop` as having independent iterations; returns it.
inline mlir::scf::ForOp markParallel(mlir::scf::ForOp loop) {
  loop->setAttr(kParallelLoopAttrName, mlir::UnitAttr::get(loop.getContext()));
  return loop;
}

} // namespace qopt

#endif // QOPT_TRANSFORMS_PARALLELLOOPS_H
