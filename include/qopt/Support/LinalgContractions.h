//===- LinalgContractions.h - contractions qopt does not handle -*- C++ -*-===//
//
// qopt quantizes and prunes TOSA contractions, and the linalg ones that
// qt-raise-linalg-contractions raises to TOSA first. Any other linalg matmul
// or convolution is lowered but left in float and dense; the passes say so
// rather than change nothing silently.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_SUPPORT_LINALGCONTRACTIONS_H
#define QOPT_SUPPORT_LINALGCONTRACTIONS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"

namespace qopt {

/// Emits `message` as a warning at every linalg contraction or convolution
/// nested in `root`.
inline void warnAtLinalgContractions(mlir::Operation *root,
                                     llvm::StringRef message) {
  root->walk([&](mlir::linalg::LinalgOp op) {
    // Pooling ops have the convolution interface but no weights.
    if (op->getName().getStringRef().starts_with("linalg.pooling_"))
      return;
    if (mlir::linalg::isaContractionOpInterface(op) ||
        mlir::linalg::isaConvolutionOpInterface(op))
      op->emitWarning(message);
  });
}

} // namespace qopt

#endif // QOPT_SUPPORT_LINALGCONTRACTIONS_H
