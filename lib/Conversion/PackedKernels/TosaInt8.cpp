//===- TosaInt8.cpp - pre-quantized TOSA int8 on packed kernels -*- C++ -*-===//

#include "PackedKernelsCommon.h"
#include "qopt/Conversion/Passes.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/Matchers.h"

namespace qopt {
#define GEN_PASS_DEF_CONVERTTOSAINT8TOPACKEDKERNELS
#include "qopt/Conversion/Passes.h.inc"
} // namespace qopt

using namespace mlir;
using namespace qopt;

namespace {

/// The integer values of a constant operand.
std::optional<std::vector<int64_t>> constantInts(Value v) {
  DenseElementsAttr attr;
  if (!matchPattern(v, m_Constant(&attr)) ||
      !isa<IntegerType>(attr.getElementType()))
    return std::nullopt;
  std::vector<int64_t> out;
  for (const APInt &i : attr.getValues<APInt>())
    out.push_back(i.getSExtValue());
  return out;
}
std::optional<int64_t> constantScalar(Value v) {
  auto values = constantInts(v);
  if (!values || values->empty() ||
      llvm::any_of(*values, [&](int64_t x) { return x != (*values)[0]; }))
    return std::nullopt;
  return (*values)[0];
}

bool isInt(Value v, unsigned width) {
  return cast<ShapedType>(v.getType()).getElementType().isSignlessInteger(width);
}

// Pattern: rescale(matmul(a, const B, a_zp, 0) [+ const bias]) [clamp]
//       or rescale(conv2d(x, const W, const bias, x_zp, 0)) [clamp]
//   -> the packed kernel on [M, K] rows (im2col for the convolution) with
//      the rescale's multipliers, shifts and output zero point.
LogicalResult lower(tosa::RescaleOp rescale, const packed::KernelChoice &kernel) {
  // The rescale: i32 -> i8, 32-bit multipliers, signed, input zero point 0.
  if (!isInt(rescale.getInput(), 32) || !isInt(rescale.getOutput(), 8) ||
      !rescale.getScale32() || rescale.getInputUnsigned() ||
      rescale.getOutputUnsigned() || constantScalar(rescale.getInputZp()) != 0)
    return failure();
  auto multipliers = constantInts(rescale.getMultiplier());
  auto shifts = constantInts(rescale.getShift());
  auto outZp = constantScalar(rescale.getOutputZp());
  if (!multipliers || !shifts || !outZp ||
      llvm::any_of(*shifts, [](int64_t s) { return s < 1 || s > 62; }))
    return failure();
  Value acc = rescale.getInput();
  if (!acc.hasOneUse())
    return failure();

  packed::FullyConnectedPlan plan;
  std::vector<int64_t> bias;
  Value x; // [M, K] i8 rows
  Operation *contraction = acc.getDefiningOp();
  Operation *biasAdd = nullptr;
  if (auto add = dyn_cast_or_null<tosa::AddOp>(contraction)) {
    auto mm = add.getInput1().getDefiningOp<tosa::MatMulOp>();
    auto b = constantInts(add.getInput2());
    if (!mm || !b || !mm->hasOneUse())
      return failure();
    bias = *b;
    biasAdd = add;
    contraction = mm;
  }
  OpBuilder builder(rescale);
  Location loc = rescale.getLoc();
  SmallVector<int64_t> outShape;
  if (auto mm = dyn_cast_or_null<tosa::MatMulOp>(contraction)) {
    auto aType = cast<RankedTensorType>(mm.getA().getType());
    auto bType = cast<RankedTensorType>(mm.getB().getType());
    auto w = constantInts(mm.getB());
    auto aZp = constantScalar(mm.getAZp());
    if (aType.getDimSize(0) != 1 || !isInt(mm.getA(), 8) || !w || !aZp ||
        constantScalar(mm.getBZp()) != 0 || !aType.hasStaticShape())
      return failure();
    plan.m = aType.getDimSize(1);
    plan.k = aType.getDimSize(2);
    plan.n = bType.getDimSize(2);
    if (!bias.empty() && bias.size() != 1 && int64_t(bias.size()) != plan.n)
      return failure();
    plan.weights.resize(plan.n * plan.k);
    for (int64_t c = 0; c < plan.n; ++c)
      for (int64_t t = 0; t < plan.k; ++t)
        plan.weights[c * plan.k + t] = static_cast<int8_t>((*w)[t * plan.n + c]);
    plan.in.zeroPoint = static_cast<int32_t>(*aZp);
    x = tensor::CollapseShapeOp::create(builder, loc, mm.getA(),
                                        SmallVector<ReassociationIndices>{{0, 1}, {2}});
    outShape = {1, plan.m, plan.n};
  } else if (auto conv = dyn_cast_or_null<tosa::Conv2DOp>(contraction)) {
    auto wType = cast<RankedTensorType>(conv.getWeight().getType());
    auto outType = cast<RankedTensorType>(conv.getType());
    auto w = constantInts(conv.getWeight());
    auto b = constantInts(conv.getBias());
    auto inZp = constantScalar(conv.getInputZp());
    if (!isInt(conv.getInput(), 8) || !w || !b || !inZp ||
        constantScalar(conv.getWeightZp()) != 0 || !outType.hasStaticShape())
      return failure();
    int64_t kh = wType.getDimSize(1), kw = wType.getDimSize(2);
    plan.n = wType.getDimSize(0);
    plan.k = kh * kw * wType.getDimSize(3);
    plan.m = outType.getDimSize(0) * outType.getDimSize(1) * outType.getDimSize(2);
    // OHWI weights are [N, KH*KW*C] rows already.
    plan.weights.assign(w->begin(), w->end());
    bias = *b;
    plan.in.zeroPoint = static_cast<int32_t>(*inZp);
    x = packed::im2col(builder, loc, conv.getInput(), kh, kw, outType.getDimSize(1),
                       outType.getDimSize(2), conv.getPad(), conv.getStride(),
                       conv.getDilation(), *inZp);
    outShape = llvm::to_vector(outType.getShape());
  } else {
    return failure();
  }
  int64_t channels = plan.n;
  auto perColumn = [&](const std::vector<int64_t> &v, int64_t c) {
    return v[v.size() == 1 ? 0 : c];
  };
  if ((multipliers->size() != 1 && int64_t(multipliers->size()) != channels) ||
      shifts->size() != multipliers->size())
    return failure();
  plan.bias.resize(channels);
  plan.colsum.assign(channels, 0);
  plan.m0.resize(channels);
  plan.shift.resize(channels);
  for (int64_t c = 0; c < channels; ++c) {
    plan.bias[c] = bias.empty() ? 0 : static_cast<int32_t>(perColumn(bias, c));
    for (int64_t t = 0; t < plan.k; ++t)
      plan.colsum[c] += plan.weights[c * plan.k + t];
    plan.m0[c] = static_cast<int32_t>(perColumn(*multipliers, c));
    plan.shift[c] = static_cast<int8_t>(perColumn(*shifts, c));
  }
  plan.out.zeroPoint = static_cast<int32_t>(*outZp);
  plan.doubleRound = rescale.getRoundingMode() == tosa::RoundingMode::DOUBLE_ROUND;
  plan.range = {-128, 127};
  // A following i8 clamp narrows the output range.
  Operation *last = rescale;
  if (rescale->hasOneUse())
    if (auto clamp = dyn_cast<tosa::ClampOp>(*rescale->user_begin())) {
      auto lo = dyn_cast<IntegerAttr>(clamp.getMinValAttr());
      auto hi = dyn_cast<IntegerAttr>(clamp.getMaxValAttr());
      if (lo && hi) {
        plan.range.min = std::max<int32_t>(-128, lo.getInt());
        plan.range.max = std::min<int32_t>(127, hi.getInt());
        last = clamp;
      }
    }
  builder.setInsertionPoint(last);
  Value y = kernel.emit(builder, loc, plan, x);
  auto resultType = cast<RankedTensorType>(last->getResult(0).getType());
  if (outShape.size() == 3)
    y = tensor::ExpandShapeOp::create(builder, loc, resultType, y,
                                      SmallVector<ReassociationIndices>{{0, 1}, {2}});
  else
    y = tensor::ExpandShapeOp::create(builder, loc, resultType, y,
                                      SmallVector<ReassociationIndices>{{0, 1, 2}, {3}});
  last->getResult(0).replaceAllUsesWith(y);
  if (last != rescale)
    last->erase();
  rescale->erase();
  if (biasAdd)
    biasAdd->erase();
  contraction->erase();
  return success();
}

struct ConvertTosaInt8ToPackedKernels
    : qopt::impl::ConvertTosaInt8ToPackedKernelsBase<ConvertTosaInt8ToPackedKernels> {
  using ConvertTosaInt8ToPackedKernelsBase::ConvertTosaInt8ToPackedKernelsBase;

  void runOnOperation() override {
    FailureOr<packed::KernelChoice> kernel =
        packed::lookupKernels(isa, getOperation());
    if (failed(kernel))
      return signalPassFailure();
    SmallVector<tosa::RescaleOp> rescales;
    getOperation().walk([&](tosa::RescaleOp op) { rescales.push_back(op); });
    for (tosa::RescaleOp op : rescales)
      (void)lower(op, *kernel); // other forms: upstream's TOSA lowering
  }
};

} // namespace
