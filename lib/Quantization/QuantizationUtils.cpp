//===- QuantizationUtils.cpp - shared by the quantization passes -*- C++ -*-===//

#include "qopt/Dialect/QT/IR/QTAttributes.h"
#include "qopt/Quantization/QuantizationUtils.h"
#include "qopt/Quantization/Passes.h"
#include "qopt/Dialect/QT/IR/QTOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"

#include <cmath>

using namespace mlir;
using namespace qopt;

/// The calibrated range of a value, if any.
std::optional<std::pair<float, float>> qopt::calibratedRange(Value v) {
  DenseF32ArrayAttr range;
  if (auto arg = dyn_cast<BlockArgument>(v)) {
    if (auto func = dyn_cast<func::FuncOp>(arg.getOwner()->getParentOp()))
      range = func.getArgAttrOfType<DenseF32ArrayAttr>(arg.getArgNumber(),
                                                       kRangeAttrName);
  } else {
    range = v.getDefiningOp()->getAttrOfType<DenseF32ArrayAttr>(kRangeAttrName);
  }
  if (!range || range.size() != 2)
    return std::nullopt;
  return std::make_pair(range[0], range[1]);
}

/// A positive scalar float constant (splat or one element), or 0.
static double scalarConstant(Value v) {
  auto values = constantValues(v);
  if (!values || values->empty() ||
      !llvm::all_of(*values, [&](float x) { return x == (*values)[0]; }))
    return 0.0;
  return (*values)[0];
}

namespace {
/// The values of `v` a chain of ops starting at `op` (a user of `v`) can
/// tell apart: `v * k` (k > 0) and `v + c` steps ending in a clamp [a, b],
/// mapped back to `v`'s terms. `end` is the clamp.
struct SaturatingChain {
  double lo, hi, clampMin;
  Operation *end;
};
} // namespace

static std::optional<SaturatingChain> saturatingChain(Value v, Operation *op) {
  double scale = 1.0, shift = 0.0; // chain value = v * scale + shift
  Value cur = v;
  while (op) {
    if (auto clamp = dyn_cast<tosa::ClampOp>(op)) {
      auto lo = dyn_cast<FloatAttr>(clamp.getMinValAttr());
      auto hi = dyn_cast<FloatAttr>(clamp.getMaxValAttr());
      if (!lo || !hi)
        return std::nullopt;
      double a = lo.getValueAsDouble(), b = hi.getValueAsDouble();
      return SaturatingChain{(a - shift) / scale, (b - shift) / scale, a, clamp};
    }
    Value other;
    if (auto mul = dyn_cast<tosa::MulOp>(op))
      other = mul.getInput1() == cur ? mul.getInput2() : mul.getInput1();
    else if (auto add = dyn_cast<tosa::AddOp>(op))
      other = add.getInput1() == cur ? add.getInput2() : add.getInput1();
    else
      return std::nullopt;
    double k = scalarConstant(other);
    if (isa<tosa::MulOp>(op)) {
      if (!(k > 0.0))
        return std::nullopt;
      scale *= k;
      shift *= k;
    } else {
      if (k == 0.0 && !isZeroConstant(other))
        return std::nullopt;
      shift += k;
    }
    cur = op->getResult(0);
    op = cur.hasOneUse() ? *cur.getUsers().begin() : nullptr;
  }
  return std::nullopt;
}

/// The part of a float activation's range its readers can tell apart:
/// outside it every reader saturates (a clamp after positive scaling and
/// shifting, as in HardSigmoid; HardSwish's x * clamp(...) below the point
/// where the clamp gives 0), so quantization may clip there exactly.
static std::pair<double, double> usefulRange(Value v) {
  double lo = INFINITY, hi = -INFINITY;
  SmallVector<Operation *> users(v.getUsers().begin(), v.getUsers().end());
  if (users.empty())
    return {-INFINITY, INFINITY};
  SmallVector<std::pair<Operation *, SaturatingChain>> chains;
  for (Operation *user : users)
    if (auto chain = saturatingChain(v, user))
      chains.push_back({user, *chain});
  for (Operation *user : users) {
    auto chain = llvm::find_if(chains, [&](auto &c) { return c.first == user; });
    if (chain != chains.end()) {
      lo = std::min(lo, chain->second.lo);
      hi = std::max(hi, chain->second.hi);
      continue;
    }
    // v * s where s is a chain of v whose clamp gives 0 below its low end.
    auto mul = dyn_cast<tosa::MulOp>(user);
    Value other = mul ? (mul.getInput1() == v ? mul.getInput2() : mul.getInput1()) : Value();
    auto gate = llvm::find_if(chains, [&](auto &c) {
      return other && c.second.end->getResult(0) == other && c.second.clampMin == 0.0 &&
             other.hasOneUse();
    });
    if (gate == chains.end() || mul.getInput1() == mul.getInput2())
      return {-INFINITY, INFINITY};
    lo = std::min(lo, gate->second.lo);
    hi = INFINITY;
  }
  return {lo, hi};
}

std::optional<ref::ChosenParams> qopt::activationParams(Value v, bool symmetric) {
  auto range = calibratedRange(v);
  if (!range)
    return std::nullopt;
  // Values no reader can tell apart need no resolution: clip the range to
  // the useful part (keeping 0, which the parameters always represent).
  auto [lo, hi] = usefulRange(v);
  if (lo < hi) {
    range->first = float(std::max<double>(range->first, std::min(lo, 0.0)));
    range->second = float(std::min<double>(range->second, std::max(hi, 0.0)));
  }
  return symmetric ? ref::chooseSymmetric(range->first, range->second)
                   : ref::chooseAsymmetric(range->first, range->second);
}

quant::UniformQuantizedType qopt::perTensorType(MLIRContext *ctx, ref::QuantParams p) {
  return quant::UniformQuantizedType::get(
      quant::QuantizationFlags::Signed, IntegerType::get(ctx, 8),
      Float32Type::get(ctx), p.scale, p.zeroPoint, -128, 127);
}

/// A float constant operand, if it is one.
std::optional<std::vector<float>> qopt::constantValues(Value v) {
  DenseElementsAttr attr;
  if (!matchPattern(v, m_Constant(&attr)) || !attr.getElementType().isF32())
    return std::nullopt;
  return std::vector<float>(attr.getValues<float>().begin(),
                            attr.getValues<float>().end());
}

bool qopt::allFinite(llvm::ArrayRef<float> values) {
  return llvm::all_of(values, [](float x) { return std::isfinite(x); });
}

bool qopt::isZeroConstant(Value v) {
  auto values = constantValues(v);
  return values && llvm::all_of(*values, [](float x) { return x == 0.0f; });
}


/// `channelOf(i)` gives the output channel of flat weight index i.
QuantizedWeights qopt::quantizeWeights(const std::vector<float> &w, int64_t channels,
                                 llvm::function_ref<int64_t(size_t)> channelOf,
                                 llvm::ArrayRef<float> fileScales) {
  QuantizedWeights q;
  q.channels = channels;
  if (int64_t(fileScales.size()) == channels) {
    // The file's integers, recovered exactly: w = q * s in float32.
    q.fromFile = true;
    q.scales.assign(fileScales.begin(), fileScales.end());
    for (size_t i = 0; i < w.size(); ++i)
      q.values.push_back(static_cast<int8_t>(
          ref::quantize(w[i], {q.scales[channelOf(i)], 0}, {-128, 127})));
    return q;
  }
  std::vector<float> amax(channels, 0.0f);
  for (size_t i = 0; i < w.size(); ++i)
    amax[channelOf(i)] = std::max(amax[channelOf(i)], std::fabs(w[i]));
  for (int64_t c = 0; c < channels; ++c)
    q.scales.push_back(ref::chooseSymmetric(-amax[c], amax[c]).params.scale);
  q.values.resize(w.size());
  for (size_t i = 0; i < w.size(); ++i)
    q.values[i] = static_cast<int8_t>(
        ref::quantize(w[i], {q.scales[channelOf(i)], 0}, {-127, 127}));
  return q;
}


/// Follows `op` through a constant bias add of `channels` values (when
/// `allowBias`) and a clamp, each only if it is the sole user.
Epilogue qopt::fuseEpilogue(Operation *op, int64_t channels, bool allowBias) {
  Epilogue e{op, {op}, std::nullopt, std::nullopt, std::nullopt};
  auto soleUser = [](Operation *o) -> Operation * {
    if (!o->getResult(0).hasOneUse())
      return nullptr;
    return *o->getResult(0).getUsers().begin();
  };
  if (allowBias)
    if (auto add = dyn_cast_or_null<tosa::AddOp>(soleUser(e.last))) {
      Value other = add.getInput1() == e.last->getResult(0) ? add.getInput2()
                                                            : add.getInput1();
      auto values = constantValues(other);
      // A NaN or infinite bias stays a float add after the layer.
      if (values && allFinite(*values) &&
          static_cast<int64_t>(values->size()) == channels &&
          cast<ShapedType>(other.getType()).getShape().back() == channels) {
        e.bias = values;
        e.last = add;
        e.chain.push_back(add);
      }
    }
  if (auto clamp = dyn_cast_or_null<tosa::ClampOp>(soleUser(e.last))) {
    auto lo = dyn_cast<FloatAttr>(clamp.getMinValAttr());
    auto hi = dyn_cast<FloatAttr>(clamp.getMaxValAttr());
    if (lo && hi) {
      e.min = lo.getValueAsDouble();
      if (hi.getValueAsDouble() < 1e30)
        e.max = hi.getValueAsDouble();
      e.last = clamp;
      e.chain.push_back(clamp);
    }
  }
  return e;
}


FailureOr<FullyConnectedMatch> qopt::matchFullyConnected(Operation *matmul,
                                                        std::string &why) {
  auto op = cast<tosa::MatMulOp>(matmul);
  auto aType = cast<RankedTensorType>(op.getA().getType());
  auto bType = cast<RankedTensorType>(op.getB().getType());
  auto w = constantValues(op.getB());
  if (!w) {
    why = "its right operand is not a constant weight";
    return failure();
  }
  if (aType.getDimSize(0) != 1 || !aType.getElementType().isF32()) {
    why = "only batch-1 float matmuls become fully connected layers";
    return failure();
  }
  if (!isZeroConstant(op.getAZp()) || !isZeroConstant(op.getBZp())) {
    why = "its zero points are not zero";
    return failure();
  }
  if (!allFinite(*w)) {
    why = kNonFiniteWeights;
    return failure();
  }
  FullyConnectedMatch match;
  match.m = aType.getDimSize(1);
  int64_t k = match.k = aType.getDimSize(2);
  int64_t n = match.n = bType.getDimSize(2);
  std::vector<float> wt(n * k);
  for (int64_t i = 0; i < k; ++i)
    for (int64_t j = 0; j < n; ++j)
      wt[j * k + i] = (*w)[i * n + j];
  std::vector<float> fileScales;
  if (auto scales = matmul->getAttrOfType<DenseF32ArrayAttr>(qopt::kWeightScalesAttrName))
    fileScales.assign(scales.asArrayRef().begin(), scales.asArrayRef().end());
  match.weights = quantizeWeights(
      wt, n, [k](size_t i) { return static_cast<int64_t>(i) / k; }, fileScales);
  return match;
}

// Pattern: max_pool2d / reshape / transpose / gather / collapse / expand(dequantize(q))
//   -> dequantize(the same op on q) on the storage type,
//      with q's scale and zero point (as TFLite): exact, since both are
//      monotonic or move values, and the next int8 op's quantize folds away.
LogicalResult qopt::moveOntoInt8Storage(Operation *op) {
  auto dq = op->getOperand(0).getDefiningOp<qt::DequantizeOp>();
  if (!dq || !isa<quant::UniformQuantizedType>(dq.getInput().getType().getElementType()))
    return failure();
  OpBuilder b(op);
  Location loc = op->getLoc();
  Type i8 = b.getI8Type();
  auto qType = dq.getInput().getType();
  IRMapping mapping;
  mapping.map(op->getOperand(0),
              quant::StorageCastOp::create(b, loc, qType.clone(i8), dq.getInput()));
  Operation *onStorage = b.clone(*op, mapping);
  onStorage->removeAttr(kRangeAttrName);
  auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
  onStorage->getResult(0).setType(resultType.clone(i8));
  Value q = quant::StorageCastOp::create(
      b, loc, resultType.clone(qType.getElementType()), onStorage->getResult(0));
  auto result = qt::DequantizeOp::create(b, loc, resultType, q);
  // Consumers quantize with the range of the values they read: q's.
  if (Attribute range = dq->getAttr(kRangeAttrName))
    result->setAttr(kRangeAttrName, range);
  op->getResult(0).replaceAllUsesWith(result.getResult());
  op->erase();
  return success();
}
