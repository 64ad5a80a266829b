//===- PrepareContractions.cpp - contractions the quantizer can take -*- C++ -*-===//
//
// The qt-prepare-contractions pass: transposed convolutions become
// convolutions (upstream's TOSA decomposition, weights folded into
// constants), and a per-channel add or multiply after a float convolution
// is folded into its bias and weights. PP-OCRv4 det ends in ConvTranspose ->
// Add (bias) -> BatchNormalization -> Relu, twice: without this, an int8
// model kept that head in float, on loops (a fifth of its run time).
//
//===----------------------------------------------------------------------===//

#include "qopt/Dialect/QT/IR/QTAttributes.h"
#include "qopt/Transforms/Passes.h"
#include "FloatConstants.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/Dialect/Tosa/Transforms/Passes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace qopt {
#define GEN_PASS_DEF_QTPREPARECONTRACTIONS
#include "qopt/Transforms/Passes.h.inc"
} // namespace qopt

using namespace mlir;

namespace {

/// One value per output channel of `conv` (its result's last axis): the
/// constant `v` if it broadcasts along that axis only.
std::optional<std::vector<float>> perChannel(Value v, int64_t channels) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  if (!type || type.getRank() == 0)
    return std::nullopt;
  ArrayRef<int64_t> shape = type.getShape();
  if (!llvm::all_of(shape.drop_back(), [](int64_t d) { return d == 1; }) ||
      (shape.back() != channels && shape.back() != 1))
    return std::nullopt;
  auto values = qopt::floatConstant(v);
  if (!values)
    return std::nullopt;
  if (values->size() == 1)
    values->assign(channels, values->front());
  return values;
}

// Pattern: add(conv(x, w, b), c) -> conv(x, w, b + c)
//          mul(conv(x, w, b), c) -> conv(x, w * c, b * c)
// for a float32 tosa.conv2d / tosa.depthwise_conv2d whose only user is the
// add or mul, c constant with one value per output channel (or one value).
template <typename OpTy>
struct FoldChannelAffine : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  static constexpr bool isMul = std::is_same_v<OpTy, tosa::MulOp>;

  LogicalResult matchAndRewrite(OpTy op, PatternRewriter &rewriter) const override {
    for (int side = 0; side < 2; ++side) {
      Operation *conv = op->getOperand(side).getDefiningOp();
      if (!conv || !isa<tosa::Conv2DOp, tosa::DepthwiseConv2DOp>(conv) || !conv->hasOneUse() ||
          conv->getResult(0).getType() != op.getType() ||
          !op.getType().getElementType().isF32())
        continue;
      if (isMul && conv->hasAttr(qopt::kWeightScalesAttrName))
        continue; // a pre-quantized model's weights keep their scales
      int64_t channels = op.getType().getShape().back();
      auto c = perChannel(op->getOperand(1 - side), channels);
      auto weights = qopt::floatConstant(conv->getOperand(1));
      auto bias = qopt::floatConstant(conv->getOperand(2));
      if (!c || !weights || !bias || (bias->size() != 1 && int64_t(bias->size()) != channels))
        continue;
      if (bias->size() == 1)
        bias->assign(channels, bias->front());
      for (int64_t o = 0; o < channels; ++o)
        (*bias)[o] = isMul ? (*bias)[o] * (*c)[o] : (*bias)[o] + (*c)[o];
      if (isMul) {
        // conv2d weights [O, KH, KW, I]: channel i / (KH*KW*I); depthwise
        // [KH, KW, C, M]: output channel c * M + m, i % (C*M).
        bool depthwise = isa<tosa::DepthwiseConv2DOp>(conv);
        int64_t perOutput = int64_t(weights->size()) / channels;
        for (size_t i = 0; i < weights->size(); ++i)
          (*weights)[i] *= (*c)[depthwise ? i % channels : i / perOutput];
      }
      Location loc = conv->getLoc();
      auto constant = [&](ShapedType type, ArrayRef<float> values) {
        auto t = RankedTensorType::get(type.getShape(), rewriter.getF32Type());
        return tosa::ConstOp::create(rewriter, loc, t, DenseElementsAttr::get(t, values))
            .getResult();
      };
      Operation *folded = rewriter.clone(*conv);
      if (isMul)
        folded->setOperand(1, constant(cast<ShapedType>(conv->getOperand(1).getType()),
                                       *weights));
      folded->setOperand(2, constant(RankedTensorType::get({channels}, rewriter.getF32Type()),
                                     *bias));
      // The folded result is the add's or mul's: so is its range.
      if (Attribute range = op->getAttr(qopt::kRangeAttrName))
        folded->setAttr(qopt::kRangeAttrName, range);
      else
        folded->removeAttr(qopt::kRangeAttrName);
      rewriter.replaceOp(op, folded->getResults());
      rewriter.eraseOp(conv);
      return success();
    }
    return failure();
  }
};

// Pattern: add(layout(conv), c) -> layout(add(conv, tile(c)))   (and mul)
// where layout is a chain of reshapes and transposes (each the only user
// of the one before) that keeps the channel of every element, modulo the
// C values of c: every reshape's input and output have a last axis that C
// divides, every transpose keeps the last axis last. The depth-to-space
// that ends a decomposed transposed convolution is such a chain; the add
// moved before it is then folded into the convolution.
template <typename OpTy>
struct SinkChannelAffine : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpTy op, PatternRewriter &rewriter) const override {
    auto type = op.getType();
    if (!type.getElementType().isF32() || type.getRank() == 0)
      return failure();
    int64_t channels = type.getShape().back();
    for (int side = 0; side < 2; ++side) {
      auto c = perChannel(op->getOperand(1 - side), channels);
      if (!c)
        continue;
      SmallVector<Operation *> chain;
      Value v = op->getOperand(side);
      Operation *def = v.getDefiningOp();
      auto keepsChannel = [&](Operation *o) {
        auto last = [](Value x) { return cast<ShapedType>(x.getType()).getShape().back(); };
        if (auto t = dyn_cast<tosa::TransposeOp>(o))
          return t.getPerms().back() == int32_t(t.getPerms().size()) - 1;
        return isa<tosa::ReshapeOp>(o) && last(o->getOperand(0)) % channels == 0 &&
               last(o->getResult(0)) % channels == 0;
      };
      while (def && isa<tosa::ReshapeOp, tosa::TransposeOp>(def) && def->hasOneUse() &&
             keepsChannel(def)) {
        chain.push_back(def);
        def = def->getOperand(0).getDefiningOp();
      }
      if (chain.empty() || !def || !isa<tosa::Conv2DOp, tosa::DepthwiseConv2DOp>(def) ||
          !def->hasOneUse())
        continue;
      auto convType = cast<RankedTensorType>(def->getResult(0).getType());
      int64_t convChannels = convType.getShape().back();
      if (convChannels % channels != 0)
        continue;
      std::vector<float> tiled(convChannels);
      for (int64_t i = 0; i < convChannels; ++i)
        tiled[i] = (*c)[i % channels];
      SmallVector<int64_t> shape(convType.getRank(), 1);
      shape.back() = convChannels;
      auto cType = RankedTensorType::get(shape, rewriter.getF32Type());
      rewriter.setInsertionPointAfter(def);
      Value constant = tosa::ConstOp::create(rewriter, op.getLoc(), cType,
                                             DenseElementsAttr::get(cType, ArrayRef(tiled)));
      Operation *moved = rewriter.clone(*op);
      moved->setOperand(side, def->getResult(0));
      moved->setOperand(1 - side, constant);
      moved->getResult(0).setType(convType);
      moved->removeAttr(qopt::kRangeAttrName);
      Operation *first = chain.back();
      rewriter.modifyOpInPlace(first, [&] { first->setOperand(0, moved->getResult(0)); });
      rewriter.replaceOp(op, chain.front()->getResults());
      return success();
    }
    return failure();
  }
};

struct QTPrepareContractions
    : qopt::impl::QTPrepareContractionsBase<QTPrepareContractions> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    RewritePatternSet patterns(ctx);
    tosa::populateTosaDecomposeTransposeConv(ctx, patterns);
    // What the decomposition does to the weights, on constants.
    tosa::populateTosaFoldConstantTransposePatterns(ctx, patterns);
    tosa::ReshapeOp::getCanonicalizationPatterns(patterns, ctx);
    tosa::ReverseOp::getCanonicalizationPatterns(patterns, ctx);
    tosa::PadOp::getCanonicalizationPatterns(patterns, ctx);
    tosa::SliceOp::getCanonicalizationPatterns(patterns, ctx);
    patterns.add<FoldChannelAffine<tosa::AddOp>, FoldChannelAffine<tosa::MulOp>,
                 SinkChannelAffine<tosa::AddOp>, SinkChannelAffine<tosa::MulOp>>(ctx);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
