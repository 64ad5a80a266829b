//===- FuseMultiplyAdd.cpp - float contractions on fused multiply-add -*- C++ -*-===//
//
// The qt-fuse-multiply-add pass: every float linalg contraction or
// convolution (named ops are generalized first) whose body adds a product
// to its accumulator, `acc + a * b`, computes `fma(a, b, acc)` instead:
// one rounding per step, half the instructions, and the same operation the
// float vector kernels use, so kernels and loops keep giving the same bits
// (docs/numerics.md, "Float contractions").
//
//===----------------------------------------------------------------------===//

#include "qopt/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/PatternMatch.h"

namespace qopt {
#define GEN_PASS_DEF_QTFUSEMULTIPLYADD
#include "qopt/Transforms/Passes.h.inc"
} // namespace qopt

using namespace mlir;

namespace {

/// Whether `op` reduces (a contraction or convolution) into float32 or
/// float64 outputs. A bf16 / f16 accumulator is left alone: nothing later
/// lowers a bf16 math.fma without a libgcc helper, and the models qopt makes
/// accumulate those types in float32.
bool isFloatReduction(linalg::LinalgOp op) {
  if (op.getNumReductionLoops() == 0)
    return false;
  return llvm::all_of(op.getDpsInits(), [](Value v) {
    return isa<Float32Type, Float64Type>(getElementTypeOrSelf(v.getType()));
  });
}

/// Rewrites `yield(addf(acc, mulf(a, b)))` (either operand order of the add)
/// in `generic`'s body, acc being an output's block argument; returns
/// whether it did.
bool fuseBody(RewriterBase &rewriter, linalg::GenericOp generic) {
  Block &body = generic.getRegion().front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  bool changed = false;
  for (OpOperand &yielded : yield->getOpOperands()) {
    auto add = yielded.get().getDefiningOp<arith::AddFOp>();
    if (!add)
      continue;
    Value acc = generic.getMatchingBlockArgument(
        &generic.getDpsInitsMutable()[yielded.getOperandNumber()]);
    Value other;
    if (add.getLhs() == acc)
      other = add.getRhs();
    else if (add.getRhs() == acc)
      other = add.getLhs();
    auto mul = other ? other.getDefiningOp<arith::MulFOp>() : arith::MulFOp();
    if (!mul || !mul->hasOneUse() || !add->hasOneUse())
      continue;
    rewriter.setInsertionPoint(add);
    Value fma = math::FmaOp::create(rewriter, add.getLoc(), mul.getLhs(), mul.getRhs(), acc);
    rewriter.replaceOp(add, fma);
    rewriter.eraseOp(mul);
    changed = true;
  }
  return changed;
}

struct QTFuseMultiplyAdd : qopt::impl::QTFuseMultiplyAddBase<QTFuseMultiplyAdd> {
  void runOnOperation() override {
    SmallVector<linalg::LinalgOp> ops;
    getOperation()->walk([&](linalg::LinalgOp op) {
      if (isFloatReduction(op) &&
          (isa<linalg::GenericOp>(op) || linalg::isaContractionOpInterface(op) ||
           isa<linalg::ConvolutionOpInterface>(op.getOperation())))
        ops.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::LinalgOp op : ops) {
      linalg::GenericOp generic = dyn_cast<linalg::GenericOp>(op.getOperation());
      if (!generic) {
        // Named ops carry their body implicitly: generalized, they are the
        // same loops with the body in sight.
        rewriter.setInsertionPoint(op);
        FailureOr<linalg::GenericOp> g =
            linalg::generalizeNamedOp(rewriter, cast<linalg::LinalgOp>(op.getOperation()));
        if (failed(g))
          continue;
        generic = *g;
      }
      fuseBody(rewriter, generic);
    }
  }
};

} // namespace
