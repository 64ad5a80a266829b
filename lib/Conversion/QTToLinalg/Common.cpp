//===- Common.cpp - helpers of the qt-to-linalg lowerings -------*- C++ -*-===//

#include "QTToLinalgCommon.h"
#include "qopt/Conversion/Padding.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/Support/FormatVariadic.h"

using namespace mlir;

namespace qopt::qt_to_linalg {

QParams getParams(Type type) {
  auto element = cast<ShapedType>(type).getElementType();
  QParams p;
  auto q = cast<quant::QuantizedType>(element);
  p.isSigned = q.isSigned();
  p.qmin = q.getStorageTypeMin();
  p.qmax = q.getStorageTypeMax();
  p.width = q.getStorageTypeIntegralWidth();
  if (auto uniform = dyn_cast<quant::UniformQuantizedType>(q)) {
    p.scales.push_back(static_cast<float>(uniform.getScale()));
    p.zeroPoints.push_back(uniform.getZeroPoint());
  } else {
    auto perAxis = cast<quant::UniformQuantizedPerAxisType>(q);
    p.axis = perAxis.getQuantizedDimension();
    for (double s : perAxis.getScales())
      p.scales.push_back(static_cast<float>(s));
    llvm::append_range(p.zeroPoints, perAxis.getZeroPoints());
  }
  return p;
}

//===----------------------------------------------------------------------===//
// IR building helpers
//===----------------------------------------------------------------------===//

Value constInt(OpBuilder &b, Location loc, Type type, int64_t v) {
  return arith::ConstantOp::create(b, loc, type, b.getIntegerAttr(type, v));
}

/// A 1-D (or shaped) integer constant tensor.
Value constTensor(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                  Type element, ArrayRef<int64_t> values) {
  auto type = RankedTensorType::get(shape, element);
  SmallVector<APInt> bits;
  for (int64_t v : values)
    bits.push_back(APInt(element.getIntOrFloatBitWidth(), v, /*isSigned=*/true));
  return arith::ConstantOp::create(b, loc, type,
                                   DenseElementsAttr::get(type, bits));
}

Value constFloatTensor(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                       ArrayRef<float> values) {
  auto type = RankedTensorType::get(shape, b.getF32Type());
  return arith::ConstantOp::create(b, loc, type,
                                   DenseElementsAttr::get(type, values));
}

/// Sign- or zero-extends a storage integer to `to`.
Value extend(OpBuilder &b, Location loc, Value v, Type to, bool isSigned) {
  if (v.getType() == to)
    return v;
  if (isSigned)
    return arith::ExtSIOp::create(b, loc, to, v);
  return arith::ExtUIOp::create(b, loc, to, v);
}

/// Narrows an i64 known to be in range to the storage type.
Value narrow(OpBuilder &b, Location loc, Value v, Type to) {
  if (v.getType() == to)
    return v;
  return arith::TruncIOp::create(b, loc, to, v);
}

/// Fixed-point requantization of an i64 accumulator with a multiplier and
/// shift (i64 values), then zero point and clamp (docs/numerics.md).
Value requantizeValue(OpBuilder &b, Location loc, Value acc, Value m0,
                      Value shift, int64_t zOut, int64_t lo, int64_t hi,
                      Type outType) {
  Type i64 = b.getI64Type();
  Value one = constInt(b, loc, i64, 1);
  Value product = arith::MulIOp::create(b, loc, acc, m0);
  Value half = arith::ShLIOp::create(
      b, loc, one, arith::SubIOp::create(b, loc, shift, one));
  Value r = arith::ShRSIOp::create(
      b, loc, arith::AddIOp::create(b, loc, product, half), shift);
  r = arith::AddIOp::create(b, loc, r, constInt(b, loc, i64, zOut));
  r = arith::MaxSIOp::create(b, loc, r, constInt(b, loc, i64, lo));
  r = arith::MinSIOp::create(b, loc, r, constInt(b, loc, i64, hi));
  return narrow(b, loc, r, outType);
}

/// The fixed-point form of a multiplier, or a diagnostic at `op`.
FailureOr<ref::Multiplier> multiplierFor(Operation *op, double m) {
  std::string error;
  std::optional<ref::Multiplier> mult = ref::quantizeMultiplier(m, &error);
  if (!mult) {
    op->emitOpError() << "requantization multiplier "
                      << llvm::formatv("{0:g}", m).str()
                      << " has no fixed-point form: " << error;
    return failure();
  }
  if (mult->roundsToZero)
    return ref::Multiplier{0, 1, true}; // (acc * 0 + 1) >> 1 = 0
  return *mult;
}

/// The output clamp of an op with optional fused activation bounds.
ref::StorageRange outputRange(const QParams &out, std::optional<APFloat> min,
                              std::optional<APFloat> max) {
  auto toFloat = [](std::optional<APFloat> v) -> std::optional<float> {
    if (!v)
      return std::nullopt;
    return v->convertToFloat();
  };
  return ref::activationRange(
      out.tensorParams(), toFloat(min), toFloat(max),
      {static_cast<int32_t>(out.qmin), static_cast<int32_t>(out.qmax)});
}

//===----------------------------------------------------------------------===//
// quantize / dequantize / requantize
//===----------------------------------------------------------------------===//

/// Per-channel inputs of an elementwise op: a tensor of the channel's values
/// indexed by the quantized axis, or nothing when quantized per tensor.
AffineMap channelMap(OpBuilder &b, unsigned rank, int32_t axis) {
  return AffineMap::get(rank, 0, b.getAffineDimExpr(axis));
}

//===----------------------------------------------------------------------===//
// Contractions
//===----------------------------------------------------------------------===//


FailureOr<ContractionParams>
contractionParams(Operation *op, Type input, Type weight, Type output,
                  int64_t channels, std::optional<APFloat> min,
                  std::optional<APFloat> max) {
  ContractionParams c;
  c.input = getParams(input);
  c.weight = getParams(weight);
  c.output = getParams(output);
  for (int64_t ch = 0; ch < channels; ++ch) {
    double m = static_cast<double>(c.input.scales[0]) *
               static_cast<double>(c.weight.scale(ch)) /
               static_cast<double>(c.output.scales[0]);
    FailureOr<ref::Multiplier> mult = multiplierFor(op, m);
    if (failed(mult))
      return failure();
    c.m0s.push_back(mult->m0);
    c.shifts.push_back(mult->shift);
    c.weightZeroPoints.push_back(c.weight.zeroPoint(ch));
  }
  c.range = outputRange(c.output, min, max);
  return c;
}


} // namespace qopt::qt_to_linalg
