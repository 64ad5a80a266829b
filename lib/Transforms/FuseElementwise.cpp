//===- FuseElementwise.cpp - elementwise fusion without recompute -*- C++ -*-===//

#include "qopt/Transforms/Passes.h"

#include "mlir/Analysis/SliceAnalysis.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace qopt {
#define GEN_PASS_DEF_QTFUSEELEMENTWISE
#include "qopt/Transforms/Passes.h.inc"
} // namespace qopt

using namespace mlir;

namespace {

/// Fuse a single-use producer only into a consumer that reads each of its
/// values once.
bool fusesWithoutRecompute(OpOperand *fused) {
  Operation *producer = fused->get().getDefiningOp();
  if (!producer || !producer->hasOneUse())
    return false;
  if (auto consumer = dyn_cast<linalg::LinalgOp>(fused->getOwner()))
    return consumer.getMatchingIndexingMap(fused).isPermutation();
  return true;
}

/// A probe of calibration or of the error report: the read-only buffer view
/// of a value that qt-observe-to-callback passes to the host.
bool isProbe(Operation *op) {
  return isa<bufferization::ToBufferOp>(op) && op->hasAttr(qopt::kProbeAttrName);
}

/// Fuses a producer whose only other users are probes into its consumer.
/// Upstream's fusion keeps a producer result that has other users as one more
/// result of the fused op, so the probe reads that copy and nothing is
/// computed twice. Without this, every activation of a probed model stays in
/// a loop nest of its own: calibration compiled and ran a model much slower
/// than the model itself.
struct FuseBesideProbes : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::GenericOp consumer,
                                PatternRewriter &rewriter) const override {
    for (OpOperand &operand : consumer->getOpOperands()) {
      auto producer = operand.get().getDefiningOp<linalg::GenericOp>();
      if (!producer || !consumer.isDpsInput(&operand))
        continue;
      SmallVector<Operation *> probes;
      bool otherUsers = false;
      for (OpOperand &use : producer->getUses()) {
        if (&use == &operand)
          continue;
        if (isProbe(use.getOwner()))
          probes.push_back(use.getOwner());
        else
          otherUsers = true;
      }
      if (probes.empty() || otherUsers ||
          !consumer.getMatchingIndexingMap(&operand).isPermutation() ||
          !linalg::areElementwiseOpsFusable(&operand))
        continue;
      FailureOr<linalg::ElementwiseOpFusionResult> fused =
          linalg::fuseElementwiseOps(rewriter, &operand);
      if (failed(fused))
        continue;
      // The fused op sits where the consumer was, after the probes: move each
      // probe and what reads it (the callback) after it, in their order.
      SetVector<Operation *> moved;
      ForwardSliceOptions withProbe;
      withProbe.inclusive = true;
      for (Operation *probe : probes)
        getForwardSlice(probe, &moved, withProbe);
      SmallVector<Operation *> ordered(moved.begin(), moved.end());
      llvm::sort(ordered, [](Operation *a, Operation *b) {
        return a->isBeforeInBlock(b);
      });
      Operation *after = fused->fusedOp;
      for (Operation *op : ordered) {
        if (op->getBlock() != after->getBlock() || !op->isBeforeInBlock(after))
          continue;
        rewriter.moveOpAfter(op, after);
        after = op;
      }
      for (auto [original, replacement] : fused->replacements)
        rewriter.replaceAllUsesWith(original, replacement);
      rewriter.eraseOp(consumer);
      rewriter.eraseOp(producer);
      return success();
    }
    return failure();
  }
};

struct QTFuseElementwise
    : qopt::impl::QTFuseElementwiseBase<QTFuseElementwise> {
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    RewritePatternSet patterns(context);
    linalg::ControlFusionFn control = fusesWithoutRecompute;
    // The pattern set of upstream's linalg-fuse-elementwise-ops.
    linalg::populateElementwiseOpsFusionPatterns(patterns, control);
    patterns.add<FuseBesideProbes>(context);
    linalg::populateFoldReshapeOpsByExpansionPatterns(patterns, control);
    tensor::populateBubbleUpExpandShapePatterns(patterns);
    affine::AffineApplyOp::getCanonicalizationPatterns(patterns, context);
    linalg::GenericOp::getCanonicalizationPatterns(patterns, context);
    tensor::ExpandShapeOp::getCanonicalizationPatterns(patterns, context);
    tensor::CollapseShapeOp::getCanonicalizationPatterns(patterns, context);
    context->getLoadedDialect<linalg::LinalgDialect>()->getCanonicalizationPatterns(
        patterns);
    linalg::populateConstantFoldLinalgOperations(patterns, control);
    (void)applyPatternsGreedily(getOperation(), std::move(patterns),
                                GreedyRewriteConfig().setUseTopDownTraversal());
  }
};

} // namespace
