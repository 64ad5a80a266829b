//===- RaiseLinalgContractions.cpp - linalg contractions as TOSA -*- C++ -*-===//
//
// The qt-raise-linalg-contractions pass: the linalg contractions that
// torch-mlir and other MLIR front ends emit, with constant float32 weights,
// become the TOSA ops the quantizer, the pruner and the float kernels take
// (the forms the ONNX importer emits):
//   linalg.matmul [M,K] x const [K,N] (zero init)  -> reshapes around tosa.matmul
//   linalg.batch_matmul of one batch                -> tosa.matmul
//   linalg.matvec const [M,K] x [K]                 -> tosa.matmul of [1,K] by Aᵀ
//   linalg.conv_2d_nhwc_hwcf / _fhwc, const filter  -> tosa.conv2d (filter as OHWI)
//   linalg.depthwise_conv_2d_nhwc_hwc, const filter -> tosa.depthwise_conv2d
//   linalg.depthwise_conv_2d_nhwc_hwcm + collapse   -> tosa.depthwise_conv2d
// A convolution's accumulator may start from zeros or from a constant bias
// broadcast along its channels (tosa-to-linalg-named's form): its bias.
// A tensor.pad by zeros of H and W before a convolution becomes its pad. The
// epilogues such front ends write as linalg.generic — a bias added along the
// last axis (`arith.addf` with a constant) and ReLU / ReLU6 (`arith.maximumf`
// with 0, then optionally `arith.minimumf` with a constant) — become
// tosa.add and tosa.clamp, applied before a reshape that follows a raised
// matmul so that the quantizer fuses them. Anything else stays as it is
// (and the quantizer and pruner warn about a contraction they do not take).
//
//===----------------------------------------------------------------------===//

#include "qopt/Dialect/QT/IR/QTAttributes.h"
#include "qopt/Transforms/Passes.h"
#include "FloatConstants.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <limits>

namespace qopt {
#define GEN_PASS_DEF_QTRAISELINALGCONTRACTIONS
#include "qopt/Transforms/Passes.h.inc"
} // namespace qopt

using namespace mlir;

namespace {

RankedTensorType f32Tensor(MLIRContext *ctx, ArrayRef<int64_t> shape) {
  return RankedTensorType::get(shape, Float32Type::get(ctx));
}

/// Whether `init` (a contraction's accumulator) starts at zero.
bool isZeroInit(Value init) {
  if (auto fill = init.getDefiningOp<linalg::FillOp>())
    return matchPattern(fill.getInputs()[0], m_AnyZeroFloat());
  DenseElementsAttr attr;
  return matchPattern(init, m_Constant(&attr)) && attr.isSplat() &&
         attr.getElementType().isF32() && attr.getSplatValue<float>() == 0.0f;
}

/// The per-channel values a convolution's accumulator starts from: zeros,
/// or a constant along the last axis broadcast by a linalg.generic (how
/// tosa-to-linalg-named writes a convolution's bias); nothing otherwise.
std::optional<std::vector<float>> initialBias(Value init, int64_t channels) {
  if (isZeroInit(init))
    return std::vector<float>(channels, 0.0f);
  auto g = init.getDefiningOp<linalg::GenericOp>();
  if (!g || g.getNumDpsInputs() != 1 || g.getNumParallelLoops() != g.getNumLoops())
    return std::nullopt;
  auto maps = g.getIndexingMapsArray();
  unsigned rank = maps.back().getNumDims();
  auto yield = cast<linalg::YieldOp>(g.getRegion().front().getTerminator());
  auto values = qopt::floatConstant(g.getInputs()[0]);
  if (!values || static_cast<int64_t>(values->size()) != channels || !maps.back().isIdentity() ||
      maps[0].getNumResults() != 1 ||
      maps[0].getResult(0) != getAffineDimExpr(rank - 1, g.getContext()) ||
      yield.getValues()[0] != g.getRegion().front().getArgument(0))
    return std::nullopt;
  return values;
}

/// Static float32 tensor type of `v`, or null.
RankedTensorType staticF32(Value v) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  return type && type.hasStaticShape() && type.getElementType().isF32() ? type : nullptr;
}

/// The calibrated range `v` carries (its op's or its function argument's).
Attribute rangeOf(Value v) {
  if (Operation *def = v.getDefiningOp())
    return def->getAttr(qopt::kRangeAttrName);
  auto arg = cast<BlockArgument>(v);
  if (auto fn = dyn_cast<FunctionOpInterface>(arg.getOwner()->getParentOp()))
    return fn.getArgAttr(arg.getArgNumber(), qopt::kRangeAttrName);
  return nullptr;
}

struct Builder {
  PatternRewriter &b;
  Location loc;
  Value constant(ArrayRef<int64_t> shape, ArrayRef<float> data) {
    auto type = f32Tensor(b.getContext(), shape);
    return tosa::ConstOp::create(b, loc, type, DenseElementsAttr::get(type, data));
  }
  Value zeroPoint() { return constant({1}, {0.0f}); }
  Value reshape(Value v, ArrayRef<int64_t> shape) {
    auto type = cast<RankedTensorType>(v.getType()).clone(shape);
    if (type == v.getType())
      return v;
    auto shapeType = RankedTensorType::get({int64_t(shape.size())}, b.getIndexType());
    Value s = tosa::ConstShapeOp::create(b, loc, tosa::shapeType::get(b.getContext(), shape.size()),
                                         DenseIntElementsAttr::get(shapeType, shape));
    auto r = tosa::ReshapeOp::create(b, loc, type, v, s);
    // A reshaped input keeps its range (a calibrated model's, given on the
    // linalg ops and arguments).
    if (Attribute range = rangeOf(v))
      r->setAttr(qopt::kRangeAttrName, range);
    return r;
  }
  /// x[1, M, K] times the constant w[K, N] (row-major) as a tosa.matmul.
  Value matmul(Value x3, ArrayRef<float> w, int64_t k, int64_t n) {
    int64_t m = cast<RankedTensorType>(x3.getType()).getDimSize(1);
    return tosa::MatMulOp::create(b, loc, f32Tensor(b.getContext(), {1, m, n}), x3,
                                  constant({1, k, n}, w), zeroPoint(), zeroPoint());
  }
};

/// The replaced op's calibration range goes with its result.
void replace(PatternRewriter &b, Operation *op, Value result, Operation *producer) {
  if (Attribute range = op->getAttr(qopt::kRangeAttrName)) {
    producer->setAttr(qopt::kRangeAttrName, range);
    if (Operation *def = result.getDefiningOp(); def && def != producer)
      def->setAttr(qopt::kRangeAttrName, range);
  }
  b.replaceOp(op, result);
}

// linalg.matmul x[M,K] * w[K,N], or linalg.batch_matmul of one batch.
template <typename MatmulOp> struct RaiseMatmul : OpRewritePattern<MatmulOp> {
  using OpRewritePattern<MatmulOp>::OpRewritePattern;
  LogicalResult matchAndRewrite(MatmulOp op, PatternRewriter &b) const override {
    if (op.hasUserDefinedMaps() || !op.hasPureTensorSemantics())
      return b.notifyMatchFailure(op, "not a plain matmul on tensors");
    RankedTensorType aType = staticF32(op.getInputs()[0]), yType = staticF32(op.getResult(0));
    auto w = qopt::floatConstant(op.getInputs()[1]);
    if (!aType || !yType || !w || !isZeroInit(op.getOutputs()[0]) ||
        (aType.getRank() == 3 && aType.getDimSize(0) != 1))
      return b.notifyMatchFailure(op, "needs float32 x[(1,)M,K] * constant w[(1,)K,N] from zero");
    int64_t m = aType.getDimSize(aType.getRank() - 2), k = aType.getDimSize(aType.getRank() - 1);
    int64_t n = static_cast<int64_t>(w->size()) / k;
    Builder t{b, op.getLoc()};
    Value mm = t.matmul(t.reshape(op.getInputs()[0], {1, m, k}), *w, k, n);
    replace(b, op, t.reshape(mm, yType.getShape()), mm.getDefiningOp());
    return success();
  }
};

// y[M] = A[M,K] x[K] with A constant: the fully connected layer x[1,K] Aᵀ.
struct RaiseMatvec : OpRewritePattern<linalg::MatvecOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::MatvecOp op, PatternRewriter &b) const override {
    if (op.hasUserDefinedMaps() || !op.hasPureTensorSemantics())
      return b.notifyMatchFailure(op, "not a plain matvec on tensors");
    RankedTensorType aType = staticF32(op.getInputs()[0]);
    auto a = qopt::floatConstant(op.getInputs()[0]);
    if (!aType || !a || !staticF32(op.getInputs()[1]) || !isZeroInit(op.getOutputs()[0]))
      return b.notifyMatchFailure(op, "needs a constant float32 matrix from zero");
    int64_t m = aType.getDimSize(0), k = aType.getDimSize(1);
    std::vector<float> w(k * m);
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < k; ++j)
        w[j * m + i] = (*a)[i * k + j];
    Builder t{b, op.getLoc()};
    Value mm = t.matmul(t.reshape(op.getInputs()[1], {1, 1, k}), w, k, m);
    replace(b, op, t.reshape(mm, {m}), mm.getDefiningOp());
    return success();
  }
};

/// Strides and dilations of a linalg convolution (both 2 values).
SmallVector<int64_t> attrValues(DenseIntElementsAttr attr) {
  SmallVector<int64_t> v;
  for (const APInt &x : attr.getValues<APInt>())
    v.push_back(x.getSExtValue());
  return v;
}

/// The input of a convolution and its [top, bottom, left, right] padding:
/// a tensor.pad by zeros of H and W only (NHWC) is taken into the op.
std::pair<Value, SmallVector<int64_t>> inputAndPad(Value input) {
  SmallVector<int64_t> pad(4, 0);
  auto padOp = input.getDefiningOp<tensor::PadOp>();
  if (!padOp || !staticF32(padOp.getSource()))
    return {input, pad};
  Value value = padOp.getConstantPaddingValue();
  SmallVector<int64_t> low(padOp.getStaticLow()), high(padOp.getStaticHigh());
  if (!value || !matchPattern(value, m_AnyZeroFloat()) || low.size() != 4 ||
      llvm::is_contained(low, ShapedType::kDynamic) ||
      llvm::is_contained(high, ShapedType::kDynamic) || low[0] || high[0] || low[3] ||
      high[3])
    return {input, pad};
  return {padOp.getSource(), {low[1], high[1], low[2], high[2]}};
}

/// TOSA wants every padded row and column a window reaches to be used:
/// (in - 1 + before + after - (k - 1) * dilation) divisible by the stride.
/// linalg just leaves the rest unread, so the padding after is trimmed by
/// the remainder; false when that is not enough (real input rows unread)
/// or the output size then differs.
bool fitPadding(SmallVector<int64_t> &pad, ArrayRef<int64_t> in, ArrayRef<int64_t> kernel,
                ArrayRef<int64_t> stride, ArrayRef<int64_t> dilation, ArrayRef<int64_t> out) {
  for (int axis = 0; axis < 2; ++axis) {
    int64_t &after = pad[2 * axis + 1];
    int64_t span = in[axis] - 1 + pad[2 * axis] + after - (kernel[axis] - 1) * dilation[axis];
    if (span < 0 || stride[axis] <= 0)
      return false;
    int64_t extra = span % stride[axis];
    if (extra > after)
      return false;
    after -= extra;
    if ((span - extra) / stride[axis] + 1 != out[axis])
      return false;
  }
  return true;
}

/// A linalg NHWC convolution's window as TOSA's: its input with a zero pad
/// before it taken in (and trimmed, see fitPadding), strides and dilations.
struct Window {
  Value input;
  DenseI64ArrayAttr pad, stride, dilation;
};
template <typename ConvOp>
std::optional<Window> tosaWindow(PatternRewriter &b, ConvOp op, ArrayRef<int64_t> kernel,
                                 RankedTensorType outType) {
  auto [input, pad] = inputAndPad(op.getInputs()[0]);
  auto inShape = cast<RankedTensorType>(input.getType()).getShape();
  SmallVector<int64_t> stride = attrValues(op.getStrides()), dilation = attrValues(op.getDilations());
  if (!fitPadding(pad, inShape.slice(1, 2), kernel, stride, dilation,
                  outType.getShape().slice(1, 2)))
    return std::nullopt;
  return Window{input, b.getDenseI64ArrayAttr(pad), b.getDenseI64ArrayAttr(stride),
                b.getDenseI64ArrayAttr(dilation)};
}

/// The filter of an NHWC convolution as TOSA's OHWI: linalg's HWCF filter
/// transposed, or its FHWC (what tosa-to-linalg-named writes) as it is.
template <typename ConvOp> std::vector<float> ohwiFilter(ArrayRef<float> f, ArrayRef<int64_t> s);
template <>
std::vector<float> ohwiFilter<linalg::Conv2DNhwcHwcfOp>(ArrayRef<float> f, ArrayRef<int64_t> s) {
  int64_t kh = s[0], kw = s[1], c = s[2], o = s[3];
  std::vector<float> ohwi(f.size());
  for (int64_t y = 0; y < kh; ++y)
    for (int64_t x = 0; x < kw; ++x)
      for (int64_t i = 0; i < c; ++i)
        for (int64_t a = 0; a < o; ++a)
          ohwi[((a * kh + y) * kw + x) * c + i] = f[((y * kw + x) * c + i) * o + a];
  return ohwi;
}
template <>
std::vector<float> ohwiFilter<linalg::Conv2DNhwcFhwcOp>(ArrayRef<float> f, ArrayRef<int64_t>) {
  return std::vector<float>(f.begin(), f.end());
}

template <typename ConvOp> struct RaiseConv2D : OpRewritePattern<ConvOp> {
  using OpRewritePattern<ConvOp>::OpRewritePattern;
  LogicalResult matchAndRewrite(ConvOp op, PatternRewriter &b) const override {
    if (!op.hasPureTensorSemantics())
      return failure();
    auto f = qopt::floatConstant(op.getInputs()[1]);
    RankedTensorType fType = staticF32(op.getInputs()[1]), outType = staticF32(op.getResult(0));
    if (!f || !fType || !outType || !staticF32(op.getInputs()[0]))
      return b.notifyMatchFailure(op, "needs a constant float32 filter");
    auto bias = initialBias(op.getOutputs()[0], outType.getDimSize(3));
    if (!bias)
      return b.notifyMatchFailure(op, "needs an accumulator of zeros or a constant bias");
    std::vector<float> ohwi = ohwiFilter<ConvOp>(*f, fType.getShape());
    int64_t o = outType.getDimSize(3), c = cast<RankedTensorType>(op.getInputs()[0].getType()).getDimSize(3);
    bool hwcf = std::is_same_v<ConvOp, linalg::Conv2DNhwcHwcfOp>;
    int64_t kh = fType.getDimSize(hwcf ? 0 : 1), kw = fType.getDimSize(hwcf ? 1 : 2);
    std::optional<Window> w = tosaWindow(b, op, ArrayRef<int64_t>{kh, kw}, outType);
    if (!w)
      return b.notifyMatchFailure(op, "leaves input rows or columns unread");
    Builder t{b, op.getLoc()};
    Value y = tosa::Conv2DOp::create(
        b, op.getLoc(), outType, w->input, t.constant({o, kh, kw, c}, ohwi), t.constant({o}, *bias),
        w->pad, w->stride, w->dilation, TypeAttr::get(b.getF32Type()));
    replace(b, op, y, y.getDefiningOp());
    return success();
  }
};

struct RaiseDepthwise : OpRewritePattern<linalg::DepthwiseConv2DNhwcHwcOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::DepthwiseConv2DNhwcHwcOp op,
                                PatternRewriter &b) const override {
    if (!op.hasPureTensorSemantics())
      return failure();
    auto f = qopt::floatConstant(op.getInputs()[1]);
    RankedTensorType fType = staticF32(op.getInputs()[1]), outType = staticF32(op.getResult(0));
    if (!f || !fType || !outType || !staticF32(op.getInputs()[0]) ||
        !isZeroInit(op.getOutputs()[0]))
      return b.notifyMatchFailure(op, "needs a constant float32 filter, from zero");
    int64_t kh = fType.getDimSize(0), kw = fType.getDimSize(1), c = fType.getDimSize(2);
    std::optional<Window> w = tosaWindow(b, op, ArrayRef<int64_t>{kh, kw}, outType);
    if (!w)
      return b.notifyMatchFailure(op, "leaves input rows or columns unread");
    Builder t{b, op.getLoc()};
    Value y = tosa::DepthwiseConv2DOp::create(
        b, op.getLoc(), outType, w->input, t.constant({kh, kw, c, 1}, *f),
        t.constant({c}, std::vector<float>(c, 0.0f)), w->pad, w->stride, w->dilation,
        TypeAttr::get(b.getF32Type()));
    replace(b, op, y, y.getDefiningOp());
    return success();
  }
};

// collapse_shape(linalg.depthwise_conv_2d_nhwc_hwcm) [N,OH,OW,C,M] ->
// [N,OH,OW,C*M] (what tosa-to-linalg-named writes): the filter [KH,KW,C,M]
// is TOSA's depthwise layout as it is.
struct RaiseDepthwiseMultiplier : OpRewritePattern<tensor::CollapseShapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tensor::CollapseShapeOp collapse,
                                PatternRewriter &b) const override {
    auto op = collapse.getSrc().getDefiningOp<linalg::DepthwiseConv2DNhwcHwcmOp>();
    RankedTensorType outType = staticF32(collapse.getResult());
    if (!op || !op.hasPureTensorSemantics() || !collapse.getSrc().hasOneUse() || !outType ||
        outType.getRank() != 4 || collapse.getReassociationIndices().back().size() != 2)
      return failure();
    auto f = qopt::floatConstant(op.getInputs()[1]);
    RankedTensorType fType = staticF32(op.getInputs()[1]);
    if (!f || !fType || !staticF32(op.getInputs()[0]) || !isZeroInit(op.getOutputs()[0]))
      return b.notifyMatchFailure(op, "needs a constant float32 filter, from zero");
    int64_t channels = outType.getDimSize(3);
    std::optional<Window> w = tosaWindow(b, op, fType.getShape().take_front(2), outType);
    if (!w)
      return b.notifyMatchFailure(op, "leaves input rows or columns unread");
    Builder t{b, op.getLoc()};
    Value y = tosa::DepthwiseConv2DOp::create(
        b, op.getLoc(), outType, w->input, t.constant(fType.getShape(), *f),
        t.constant({channels}, std::vector<float>(channels, 0.0f)), w->pad, w->stride,
        w->dilation, TypeAttr::get(b.getF32Type()));
    replace(b, collapse, y, y.getDefiningOp());
    b.eraseOp(op);
    return success();
  }
};

/// An all-parallel generic with identity output map whose body yields
/// `yielded` computed from block arguments; null when it is not one.
Operation *elementwiseBody(linalg::GenericOp op) {
  if (!op.hasPureTensorSemantics() || op.getNumDpsInits() != 1 ||
      op.getNumParallelLoops() != op.getNumLoops() ||
      !op.getIndexingMapsArray().back().isIdentity() || !staticF32(op.getResult(0)))
    return nullptr;
  Block &body = op.getRegion().front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  return yield.getValues()[0].getDefiningOp();
}

/// Applies `emit` to `x`, or, when `x` is only a reshape that keeps the
/// last axis (the [1, M, N] -> [M, N] after a raised matmul), to its source,
/// and reshapes back: element-wise ops commute with it, and the quantizer
/// fuses a bias and a clamp that follow the matmul directly.
Value beforeReshape(Builder &t, Value x, ArrayRef<int64_t> shape,
                    llvm::function_ref<Value(Value)> emit) {
  if (auto r = x.getDefiningOp<tosa::ReshapeOp>())
    if (x.hasOneUse() &&
        cast<RankedTensorType>(r.getInput1().getType()).getShape().back() == shape.back())
      return t.reshape(emit(r.getInput1()), shape);
  return emit(x);
}

// out = x + bias: bias a constant of the output's shape or along its last
// axis (indexing map (d0, ..., dn) -> (dn)).
struct RaiseBiasAdd : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::GenericOp op, PatternRewriter &b) const override {
    auto add = dyn_cast_or_null<arith::AddFOp>(elementwiseBody(op));
    if (!add || op.getNumDpsInputs() != 2)
      return failure();
    auto resultType = cast<RankedTensorType>(op.getResult(0).getType());
    int64_t rank = resultType.getRank();
    auto maps = op.getIndexingMapsArray();
    // Which input is the activation (identity map) and which the constant.
    for (int x = 0; x < 2; ++x) {
      Value xv = op.getInputs()[x], cv = op.getInputs()[1 - x];
      auto argX = op.getRegion().front().getArgument(x);
      auto argC = op.getRegion().front().getArgument(1 - x);
      if (!((add.getLhs() == argX && add.getRhs() == argC) ||
            (add.getLhs() == argC && add.getRhs() == argX)))
        continue;
      auto bias = qopt::floatConstant(cv);
      if (!maps[x].isIdentity() || !bias || xv.getType() != resultType)
        continue;
      AffineMap cm = maps[1 - x];
      bool lastAxis = cm.getNumResults() == 1 && cm.getResult(0) == b.getAffineDimExpr(rank - 1);
      if (!cm.isIdentity() && !lastAxis)
        continue;
      Builder t{b, op.getLoc()};
      Operation *emitted = nullptr;
      Value y = beforeReshape(t, xv, resultType.getShape(), [&](Value in) -> Value {
        auto inType = cast<RankedTensorType>(in.getType());
        SmallVector<int64_t> shape(inType.getRank(), 1);
        if (lastAxis)
          shape.back() = static_cast<int64_t>(bias->size());
        else
          shape.assign(inType.getShape().begin(), inType.getShape().end());
        emitted = tosa::AddOp::create(b, op.getLoc(), inType, in, t.constant(shape, *bias));
        return emitted->getResult(0);
      });
      replace(b, op, y, emitted);
      return success();
    }
    return failure();
  }
};

// out = clamp(x, lo, hi): one or two of max(., lo) / min(., hi) with float
// constants, in either order (ReLU: max with 0; ReLU6; what tosa-to-linalg
// writes for tosa.clamp); maximumf / maxnumf and minimumf / minnumf.
struct RaiseClamp : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::GenericOp op, PatternRewriter &b) const override {
    Operation *top = elementwiseBody(op);
    if (!top || op.getNumDpsInputs() != 1 || !op.getIndexingMapsArray()[0].isIdentity() ||
        op.getInputs()[0].getType() != op.getResult(0).getType())
      return failure();
    Value arg = op.getRegion().front().getArgument(0);
    float lo = -std::numeric_limits<float>::max(), hi = std::numeric_limits<float>::max();
    bool sawMin = false, sawMax = false;
    Value v = top->getResult(0);
    while (v != arg) {
      Operation *o = v.getDefiningOp();
      bool isMax = isa_and_nonnull<arith::MaximumFOp, arith::MaxNumFOp>(o);
      bool isMin = isa_and_nonnull<arith::MinimumFOp, arith::MinNumFOp>(o);
      if ((!isMax && !isMin) || (isMax && sawMax) || (isMin && sawMin) ||
          o->getParentRegion() != &op.getRegion())
        return failure();
      FloatAttr attr;
      int c = matchPattern(o->getOperand(1), m_Constant(&attr)) ? 1
              : matchPattern(o->getOperand(0), m_Constant(&attr)) ? 0
                                                                   : -1;
      if (c < 0)
        return failure();
      (isMax ? lo : hi) = attr.getValueAsDouble();
      (isMax ? sawMax : sawMin) = true;
      v = o->getOperand(1 - c);
    }
    if (!(lo <= hi))
      return failure();
    Builder t{b, op.getLoc()};
    auto resultType = cast<RankedTensorType>(op.getResult(0).getType());
    Operation *emitted = nullptr;
    Value y = beforeReshape(t, op.getInputs()[0], resultType.getShape(), [&](Value in) -> Value {
      emitted = tosa::ClampOp::create(b, op.getLoc(), in.getType(), in, b.getF32FloatAttr(lo),
                                      b.getF32FloatAttr(hi));
      return emitted->getResult(0);
    });
    replace(b, op, y, emitted);
    return success();
  }
};

struct QTRaiseLinalgContractions
    : qopt::impl::QTRaiseLinalgContractionsBase<QTRaiseLinalgContractions> {
  void runOnOperation() override {
    if (failed(qopt::raiseLinalgContractions(getOperation())))
      signalPassFailure();
  }
};

} // namespace

LogicalResult qopt::raiseLinalgContractions(Operation *root) {
  // Contractions, then biases, then clamps: each epilogue then sees the
  // reshape after a raised matmul (and the bias before it) and goes before it.
  MLIRContext *ctx = root->getContext();
  RewritePatternSet contractions(ctx), biases(ctx), clamps(ctx);
  contractions.add<RaiseMatmul<linalg::MatmulOp>, RaiseMatmul<linalg::BatchMatmulOp>, RaiseMatvec,
                   RaiseConv2D<linalg::Conv2DNhwcHwcfOp>, RaiseConv2D<linalg::Conv2DNhwcFhwcOp>,
                   RaiseDepthwise, RaiseDepthwiseMultiplier>(ctx);
  biases.add<RaiseBiasAdd>(ctx);
  clamps.add<RaiseClamp>(ctx);
  return success(succeeded(applyPatternsGreedily(root, std::move(contractions))) &&
                 succeeded(applyPatternsGreedily(root, std::move(biases))) &&
                 succeeded(applyPatternsGreedily(root, std::move(clamps))));
}
