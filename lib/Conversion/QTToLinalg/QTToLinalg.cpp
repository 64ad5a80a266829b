//===- QTToLinalg.cpp - qt ops to linalg on integer tensors -----*- C++ -*-===//
//
// Portable lowering of the qt dialect: every op becomes linalg.generic ops on
// storage integer tensors that compute docs/numerics.md exactly. The packed
// kernels of the fast path replace the contractions later; this lowering is
// the semantics they are tested against, together with the C++ reference.
//
//===----------------------------------------------------------------------===//

#include "qopt/Conversion/Passes.h"
#include "qopt/Dialect/QT/IR/QTOps.h"
#include "qopt/Reference/Numerics.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Func/Transforms/FuncConversions.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/Transforms/DialectConversion.h"
#include "llvm/Support/FormatVariadic.h"

#include <cfloat>

namespace qopt {
#define GEN_PASS_DEF_CONVERTQTTOLINALG
#include "qopt/Conversion/Passes.h.inc"
} // namespace qopt

using namespace mlir;
using namespace qopt;

namespace {

//===----------------------------------------------------------------------===//
// Quantization parameters
//===----------------------------------------------------------------------===//

/// The parameters of a quantized tensor, one entry per channel (a single
/// entry when quantized per tensor). Scales are the float32 values kernels
/// use.
struct QParams {
  SmallVector<float> scales;
  SmallVector<int64_t> zeroPoints;
  int32_t axis = -1;
  bool isSigned = true;
  int64_t qmin = -128, qmax = 127;
  unsigned width = 8;

  bool perTensor() const { return axis < 0; }
  float scale(int64_t c) const { return scales[perTensor() ? 0 : c]; }
  int64_t zeroPoint(int64_t c) const {
    return zeroPoints[perTensor() ? 0 : c];
  }
  ref::QuantParams tensorParams() const {
    return {scales[0], static_cast<int32_t>(zeroPoints[0])};
  }
};

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

SmallVector<utils::IteratorType> iterators(unsigned parallel,
                                           unsigned reduction = 0) {
  SmallVector<utils::IteratorType> it(parallel, utils::IteratorType::parallel);
  it.append(reduction, utils::IteratorType::reduction);
  return it;
}

/// Builds `linalg.generic` writing a fresh tensor of `outType`, all loops
/// parallel (one per result dimension).
Value buildParallel(OpBuilder &b, Location loc, RankedTensorType outType,
                    ValueRange inputs, ArrayRef<AffineMap> inputMaps,
                    function_ref<Value(OpBuilder &, Location, ValueRange)> body) {
  Value init = tensor::EmptyOp::create(b, loc, outType.getShape(),
                                       outType.getElementType());
  SmallVector<AffineMap> maps(inputMaps);
  maps.push_back(b.getMultiDimIdentityMap(outType.getRank()));
  return linalg::GenericOp::create(
             b, loc, TypeRange{outType}, inputs, ValueRange{init}, maps,
             iterators(outType.getRank()),
             [&](OpBuilder &nb, Location nloc, ValueRange args) {
               linalg::YieldOp::create(nb, nloc, body(nb, nloc, args));
             })
      .getResult(0);
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

// Pattern: quantize(x) -> clamp(rne(x / s) + z), NaN -> z
struct QuantizeLowering : OpConversionPattern<qt::QuantizeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(qt::QuantizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    QParams p = getParams(op.getType());
    auto outType = cast<RankedTensorType>(
        getTypeConverter()->convertType(op.getType()));
    unsigned rank = outType.getRank();
    SmallVector<Value> inputs = {adaptor.getInput()};
    SmallVector<AffineMap> maps = {rewriter.getMultiDimIdentityMap(rank)};
    if (!p.perTensor()) {
      SmallVector<int64_t> zps(p.zeroPoints);
      inputs.push_back(constFloatTensor(rewriter, loc,
                                        {int64_t(p.scales.size())}, p.scales));
      inputs.push_back(constTensor(rewriter, loc, {int64_t(zps.size())},
                                   rewriter.getI32Type(), zps));
      maps.append(2, channelMap(rewriter, rank, p.axis));
    }
    Type inElement = op.getInput().getType().getElementType();
    Value result = buildParallel(
        rewriter, loc, outType, inputs, maps,
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Type f32 = b.getF32Type();
          Value x = args[0];
          if (inElement != f32)
            x = arith::ExtFOp::create(b, l, f32, x);
          Value s, z;
          if (p.perTensor()) {
            s = arith::ConstantOp::create(b, l, f32,
                                          b.getF32FloatAttr(p.scales[0]));
            z = constInt(b, l, b.getI32Type(), p.zeroPoints[0]);
          } else {
            s = args[1];
            z = args[2];
          }
          Value q = math::RoundEvenOp::create(
              b, l, arith::DivFOp::create(b, l, x, s));
          Value zf = arith::SIToFPOp::create(b, l, f32, z);
          q = arith::AddFOp::create(b, l, q, zf);
          auto bound = [&](int64_t v) {
            return arith::ConstantOp::create(
                b, l, f32, b.getF32FloatAttr(static_cast<float>(v)));
          };
          q = arith::MaximumFOp::create(b, l, q, bound(p.qmin));
          q = arith::MinimumFOp::create(b, l, q, bound(p.qmax));
          Value isNan = arith::CmpFOp::create(b, l, arith::CmpFPredicate::UNO,
                                              x, x);
          q = arith::SelectOp::create(b, l, isNan, zf, q);
          Value qi = arith::FPToSIOp::create(b, l, b.getI32Type(), q);
          return narrow(b, l, qi, outType.getElementType());
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

// Pattern: dequantize(q) -> sitofp(q - z) * s
struct DequantizeLowering : OpConversionPattern<qt::DequantizeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(qt::DequantizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    QParams p = getParams(op.getInput().getType());
    auto outType = op.getType();
    unsigned rank = outType.getRank();
    SmallVector<Value> inputs = {adaptor.getInput()};
    SmallVector<AffineMap> maps = {rewriter.getMultiDimIdentityMap(rank)};
    if (!p.perTensor()) {
      inputs.push_back(constFloatTensor(rewriter, loc,
                                        {int64_t(p.scales.size())}, p.scales));
      inputs.push_back(constTensor(rewriter, loc, {int64_t(p.zeroPoints.size())},
                                   rewriter.getI32Type(), p.zeroPoints));
      maps.append(2, channelMap(rewriter, rank, p.axis));
    }
    Value result = buildParallel(
        rewriter, loc, outType, inputs, maps,
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Type i32 = b.getI32Type(), f32 = b.getF32Type();
          Value s, z;
          if (p.perTensor()) {
            s = arith::ConstantOp::create(b, l, f32,
                                          b.getF32FloatAttr(p.scales[0]));
            z = constInt(b, l, i32, p.zeroPoints[0]);
          } else {
            s = args[1];
            z = args[2];
          }
          Value q = extend(b, l, args[0], i32, p.isSigned);
          Value x = arith::SIToFPOp::create(
              b, l, f32, arith::SubIOp::create(b, l, q, z));
          x = arith::MulFOp::create(b, l, x, s);
          if (outType.getElementType() != f32)
            x = arith::TruncFOp::create(b, l, outType.getElementType(), x);
          return x;
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

// Pattern: requantize(q) -> clamp(((q - z_in) * M0 + 2^(n-1)) >> n + z_out)
struct RequantizeLowering : OpConversionPattern<qt::RequantizeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(qt::RequantizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    QParams in = getParams(op.getInput().getType());
    QParams out = getParams(op.getType());
    auto outType = cast<RankedTensorType>(
        getTypeConverter()->convertType(op.getType()));
    unsigned rank = outType.getRank();
    size_t channels = in.scales.size();
    SmallVector<int64_t> m0s, shifts;
    for (size_t c = 0; c < channels; ++c) {
      FailureOr<ref::Multiplier> m = multiplierFor(
          op, static_cast<double>(in.scales[c]) / out.scales[0]);
      if (failed(m))
        return failure();
      m0s.push_back(m->m0);
      shifts.push_back(m->shift);
    }
    ref::StorageRange range = outputRange(out, op.getMin(), op.getMax());
    SmallVector<Value> inputs = {adaptor.getInput()};
    SmallVector<AffineMap> maps = {rewriter.getMultiDimIdentityMap(rank)};
    if (!in.perTensor()) {
      Type i64 = rewriter.getI64Type();
      int64_t n = channels;
      inputs.push_back(constTensor(rewriter, loc, {n}, i64, m0s));
      inputs.push_back(constTensor(rewriter, loc, {n}, i64, shifts));
      inputs.push_back(constTensor(rewriter, loc, {n}, i64, in.zeroPoints));
      maps.append(3, channelMap(rewriter, rank, in.axis));
    }
    Value result = buildParallel(
        rewriter, loc, outType, inputs, maps,
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Type i64 = b.getI64Type();
          Value m0, shift, zIn;
          if (in.perTensor()) {
            m0 = constInt(b, l, i64, m0s[0]);
            shift = constInt(b, l, i64, shifts[0]);
            zIn = constInt(b, l, i64, in.zeroPoints[0]);
          } else {
            m0 = args[1];
            shift = args[2];
            zIn = args[3];
          }
          Value acc = arith::SubIOp::create(
              b, l, extend(b, l, args[0], i64, in.isSigned), zIn);
          return requantizeValue(b, l, acc, m0, shift, out.zeroPoints[0],
                                 range.min, range.max,
                                 outType.getElementType());
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Contractions
//===----------------------------------------------------------------------===//

/// What the contraction lowerings share: per-output-channel multipliers,
/// weight zero points and bias, and the requantization of the accumulator.
struct ContractionParams {
  QParams input, weight, output;
  SmallVector<int64_t> m0s, shifts, weightZeroPoints;
  ref::StorageRange range;
};

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

/// Body of the accumulation: acc + (x - zx) * (w - zw), all in i32.
Value macBody(OpBuilder &b, Location l, Value x, Value w, Value zw, Value acc,
              const ContractionParams &c) {
  Type i32 = b.getI32Type();
  Value xi = arith::SubIOp::create(
      b, l, extend(b, l, x, i32, c.input.isSigned),
      constInt(b, l, i32, c.input.zeroPoints[0]));
  Value wi =
      arith::SubIOp::create(b, l, extend(b, l, w, i32, c.weight.isSigned), zw);
  return arith::AddIOp::create(b, l, acc, arith::MulIOp::create(b, l, xi, wi));
}

/// The int32 accumulator tensor of `shape`, initialized with the bias
/// broadcast along `channelMap` (or zeros).
Value initAccumulator(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                      Value bias, AffineMap biasMap) {
  auto type = RankedTensorType::get(shape, b.getI32Type());
  if (!bias) {
    Value empty = tensor::EmptyOp::create(b, loc, shape, b.getI32Type());
    Value zero = constInt(b, loc, b.getI32Type(), 0);
    return linalg::FillOp::create(b, loc, zero, empty).getResult(0);
  }
  return buildParallel(b, loc, type, {bias}, {biasMap},
                       [](OpBuilder &, Location, ValueRange args) {
                         return args[0];
                       });
}

/// Requantizes the accumulator; `channelShape` / `channelMap` index the
/// per-channel multiplier tensors.
Value requantizeAccumulator(OpBuilder &b, Location loc, Value acc,
                            RankedTensorType outType,
                            ArrayRef<int64_t> channelShape,
                            AffineMap channelMap, const ContractionParams &c) {
  // Stored compactly (M0 < 2^31, shift < 64): i32 and i8 per channel.
  Value m0 = constTensor(b, loc, channelShape, b.getI32Type(), c.m0s);
  Value shift = constTensor(b, loc, channelShape, b.getI8Type(), c.shifts);
  unsigned rank = outType.getRank();
  return buildParallel(
      b, loc, outType, {acc, m0, shift},
      {b.getMultiDimIdentityMap(rank), channelMap, channelMap},
      [&](OpBuilder &nb, Location l, ValueRange args) -> Value {
        Type i64 = nb.getI64Type();
        Value a = arith::ExtSIOp::create(nb, l, i64, args[0]);
        return requantizeValue(nb, l, a,
                               arith::ExtSIOp::create(nb, l, i64, args[1]),
                               arith::ExtSIOp::create(nb, l, i64, args[2]),
                               c.output.zeroPoints[0], c.range.min,
                               c.range.max, outType.getElementType());
      });
}

/// linalg.generic accumulating into `init` over `numLoops` loops of which
/// the last `numReductions` reduce.
Value accumulate(OpBuilder &b, Location loc, Value x, Value w, Value zw,
                 Value init, ArrayRef<AffineMap> maps, unsigned numLoops,
                 unsigned numReductions, const ContractionParams &c) {
  return linalg::GenericOp::create(
             b, loc, TypeRange{init.getType()}, ValueRange{x, w, zw},
             ValueRange{init}, maps,
             iterators(numLoops - numReductions, numReductions),
             [&](OpBuilder &nb, Location l, ValueRange args) {
               linalg::YieldOp::create(
                   nb, l, macBody(nb, l, args[0], args[1], args[2], args[3], c));
             })
      .getResult(0);
}

// Pattern: fully_connected(x[M,K], w[N,K], b[N])
//   -> requantize(b[n] + sum_k (x[m,k] - zx) * (w[n,k] - zw[n]))
struct FullyConnectedLowering : OpConversionPattern<qt::FullyConnectedOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(qt::FullyConnectedOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto wType = op.getWeight().getType();
    int64_t n = wType.getDimSize(0);
    FailureOr<ContractionParams> c = contractionParams(
        op, op.getInput().getType(), wType, op.getType(), n, op.getMin(),
        op.getMax());
    if (failed(c))
      return failure();
    auto outType = cast<RankedTensorType>(
        getTypeConverter()->convertType(op.getType()));
    int64_t m = outType.getDimSize(0);
    MLIRContext *ctx = rewriter.getContext();
    AffineExpr dm, dn, dk;
    bindDims(ctx, dm, dn, dk);
    Value zw = constTensor(rewriter, loc, {n}, rewriter.getI32Type(),
                           c->weightZeroPoints);
    Value init = initAccumulator(rewriter, loc, {m, n}, adaptor.getBias(),
                                 AffineMap::get(2, 0, {dn}, ctx));
    SmallVector<AffineMap> maps = {
        AffineMap::get(3, 0, {dm, dk}, ctx), AffineMap::get(3, 0, {dn, dk}, ctx),
        AffineMap::get(3, 0, {dn}, ctx), AffineMap::get(3, 0, {dm, dn}, ctx)};
    Value acc = accumulate(rewriter, loc, adaptor.getInput(),
                           adaptor.getWeight(), zw, init, maps, 3, 1, *c);
    rewriter.replaceOp(op, requantizeAccumulator(
                               rewriter, loc, acc, outType, {n},
                               AffineMap::get(2, 0, {dn}, ctx), *c));
    return success();
  }
};

// Pattern: matmul(x[B,M,K], w[B,K,N]) -> requantize(sum_k (x - zx)(w - zw[n]))
struct MatmulLowering : OpConversionPattern<qt::MatmulOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(qt::MatmulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto rhsType = op.getRhs().getType();
    int64_t n = rhsType.getDimSize(2);
    FailureOr<ContractionParams> c =
        contractionParams(op, op.getLhs().getType(), rhsType, op.getType(), n,
                          op.getMin(), op.getMax());
    if (failed(c))
      return failure();
    auto outType = cast<RankedTensorType>(
        getTypeConverter()->convertType(op.getType()));
    MLIRContext *ctx = rewriter.getContext();
    AffineExpr db, dm, dn, dk;
    bindDims(ctx, db, dm, dn, dk);
    Value zw = constTensor(rewriter, loc, {n}, rewriter.getI32Type(),
                           c->weightZeroPoints);
    Value init =
        initAccumulator(rewriter, loc, outType.getShape(), Value(), AffineMap());
    SmallVector<AffineMap> maps = {AffineMap::get(4, 0, {db, dm, dk}, ctx),
                                   AffineMap::get(4, 0, {db, dk, dn}, ctx),
                                   AffineMap::get(4, 0, {dn}, ctx),
                                   AffineMap::get(4, 0, {db, dm, dn}, ctx)};
    Value acc = accumulate(rewriter, loc, adaptor.getLhs(), adaptor.getRhs(),
                           zw, init, maps, 4, 1, *c);
    rewriter.replaceOp(op, requantizeAccumulator(
                               rewriter, loc, acc, outType, {n},
                               AffineMap::get(3, 0, {dn}, ctx), *c));
    return success();
  }
};

/// Pads an NHWC tensor spatially with the input zero point (zero in the
/// real domain).
Value padSpatially(OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> pad,
                   int64_t zeroPoint) {
  if (llvm::all_of(pad, [](int64_t p) { return p == 0; }))
    return input;
  auto type = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> shape(type.getShape());
  shape[1] += pad[0] + pad[1];
  shape[2] += pad[2] + pad[3];
  SmallVector<OpFoldResult> low = {b.getIndexAttr(0), b.getIndexAttr(pad[0]),
                                   b.getIndexAttr(pad[2]), b.getIndexAttr(0)};
  SmallVector<OpFoldResult> high = {b.getIndexAttr(0), b.getIndexAttr(pad[1]),
                                    b.getIndexAttr(pad[3]), b.getIndexAttr(0)};
  Value padValue = constInt(b, loc, type.getElementType(), zeroPoint);
  return tensor::PadOp::create(b, loc, type.clone(shape), input, low, high,
                               padValue);
}

// Pattern: conv2d(x[N,H,W,C], f[F,KH,KW,C], b[F])
//   -> requantize(b[f] + sum (pad(x) - zx)[n, oh*sh + kh*dh, ow*sw + kw*dw, c]
//                        * (f[f,kh,kw,c] - zw[f]))
struct Conv2DLowering : OpConversionPattern<qt::Conv2DOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(qt::Conv2DOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto fType = op.getFilter().getType();
    int64_t f = fType.getDimSize(0);
    FailureOr<ContractionParams> c =
        contractionParams(op, op.getInput().getType(), fType, op.getType(), f,
                          op.getMin(), op.getMax());
    if (failed(c))
      return failure();
    auto outType = cast<RankedTensorType>(
        getTypeConverter()->convertType(op.getType()));
    MLIRContext *ctx = rewriter.getContext();
    Value input = padSpatially(rewriter, loc, adaptor.getInput(), op.getPad(),
                               c->input.zeroPoints[0]);
    ArrayRef<int64_t> stride = op.getStride(), dilation = op.getDilation();
    // Loops: n, oh, ow, f, kh, kw, c.
    AffineExpr dn, doh, dow, df, dkh, dkw, dc;
    bindDims(ctx, dn, doh, dow, df, dkh, dkw, dc);
    SmallVector<AffineMap> maps = {
        AffineMap::get(7, 0,
                       {dn, doh * stride[0] + dkh * dilation[0],
                        dow * stride[1] + dkw * dilation[1], dc},
                       ctx),
        AffineMap::get(7, 0, {df, dkh, dkw, dc}, ctx),
        AffineMap::get(7, 0, {df}, ctx),
        AffineMap::get(7, 0, {dn, doh, dow, df}, ctx)};
    Value zw = constTensor(rewriter, loc, {f}, rewriter.getI32Type(),
                           c->weightZeroPoints);
    AffineExpr e0, e1, e2, e3;
    bindDims(ctx, e0, e1, e2, e3);
    AffineMap channel = AffineMap::get(4, 0, {e3}, ctx);
    Value init = initAccumulator(rewriter, loc, outType.getShape(),
                                 adaptor.getBias(), channel);
    Value acc = accumulate(rewriter, loc, input, adaptor.getFilter(), zw, init,
                           maps, 7, 3, *c);
    rewriter.replaceOp(op, requantizeAccumulator(rewriter, loc, acc, outType,
                                                 {f}, channel, *c));
    return success();
  }
};

// Pattern: depthwise_conv2d(x[N,H,W,C], f[KH,KW,C*M], b[C*M]): as conv2d, but
//   output channel c*M + m reads only input channel c. Computed on the
//   filter expanded to [KH,KW,C,M] and an [N,OH,OW,C,M] result.
struct DepthwiseConv2DLowering : OpConversionPattern<qt::DepthwiseConv2DOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(qt::DepthwiseConv2DOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto fType = op.getFilter().getType();
    int64_t channels = op.getInput().getType().getDimSize(3);
    int64_t outChannels = fType.getDimSize(2);
    int64_t mult = outChannels / channels;
    FailureOr<ContractionParams> c =
        contractionParams(op, op.getInput().getType(), fType, op.getType(),
                          outChannels, op.getMin(), op.getMax());
    if (failed(c))
      return failure();
    auto outType = cast<RankedTensorType>(
        getTypeConverter()->convertType(op.getType()));
    MLIRContext *ctx = rewriter.getContext();
    Value input = padSpatially(rewriter, loc, adaptor.getInput(), op.getPad(),
                               c->input.zeroPoints[0]);
    auto fStorage = cast<RankedTensorType>(adaptor.getFilter().getType());
    Value filter = tensor::ExpandShapeOp::create(
        rewriter, loc,
        fStorage.clone({fType.getDimSize(0), fType.getDimSize(1), channels, mult}),
        adaptor.getFilter(), SmallVector<ReassociationIndices>{{0}, {1}, {2, 3}});
    ArrayRef<int64_t> stride = op.getStride(), dilation = op.getDilation();
    // Loops: n, oh, ow, c, m, kh, kw.
    AffineExpr dn, doh, dow, dc, dm, dkh, dkw;
    bindDims(ctx, dn, doh, dow, dc, dm, dkh, dkw);
    SmallVector<AffineMap> maps = {
        AffineMap::get(7, 0,
                       {dn, doh * stride[0] + dkh * dilation[0],
                        dow * stride[1] + dkw * dilation[1], dc},
                       ctx),
        AffineMap::get(7, 0, {dkh, dkw, dc, dm}, ctx),
        AffineMap::get(7, 0, {dc, dm}, ctx),
        AffineMap::get(7, 0, {dn, doh, dow, dc, dm}, ctx)};
    Value zw = constTensor(rewriter, loc, {channels, mult},
                           rewriter.getI32Type(), c->weightZeroPoints);
    SmallVector<int64_t> accShape = {outType.getDimSize(0),
                                     outType.getDimSize(1),
                                     outType.getDimSize(2), channels, mult};
    AffineExpr e0, e1, e2, e3, e4;
    bindDims(ctx, e0, e1, e2, e3, e4);
    AffineMap channel = AffineMap::get(5, 0, {e3, e4}, ctx);
    Value bias = adaptor.getBias();
    if (bias)
      bias = tensor::ExpandShapeOp::create(
          rewriter, loc,
          RankedTensorType::get({channels, mult}, rewriter.getI32Type()), bias,
          SmallVector<ReassociationIndices>{{0, 1}});
    Value init = initAccumulator(rewriter, loc, accShape, bias, channel);
    Value acc =
        accumulate(rewriter, loc, input, filter, zw, init, maps, 7, 2, *c);
    auto expandedOut = RankedTensorType::get(accShape, outType.getElementType());
    Value out = requantizeAccumulator(rewriter, loc, acc, expandedOut,
                                      {channels, mult}, channel, *c);
    rewriter.replaceOpWithNewOp<tensor::CollapseShapeOp>(
        op, outType, out,
        SmallVector<ReassociationIndices>{{0}, {1}, {2}, {3, 4}});
    return success();
  }
};

// Pattern: dynamic_fully_connected(x[M,K] f32, w[N,K], b[N] f32)
//   -> s, z = asymmetric params of [min(0, min x), max(0, max x)];
//      float(sum_k (quantize(x, s, z) - z)(w - zw[n])) * (s * sw[n]) + b[n]
struct DynamicFullyConnectedLowering
    : OpConversionPattern<qt::DynamicFullyConnectedOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(qt::DynamicFullyConnectedOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    OpBuilder &b = rewriter;
    Type f32 = b.getF32Type(), i32 = b.getI32Type();
    QParams w = getParams(op.getWeight().getType());
    auto xType = op.getInput().getType();
    int64_t m = xType.getDimSize(0), k = xType.getDimSize(1);
    int64_t n = op.getWeight().getType().getDimSize(0);
    AffineExpr dm, dn, dk;
    bindDims(ctx, dm, dn, dk);
    auto fConst = [&](float v) {
      return arith::ConstantOp::create(b, loc, f32, b.getF32FloatAttr(v));
    };

    // 1. The input's range, widened to include 0 (both start at 0).
    auto scalar = RankedTensorType::get({}, f32);
    Value zero = fConst(0.0f);
    auto filled = [&]() {
      Value e = tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{}, f32);
      return linalg::FillOp::create(b, loc, zero, e).getResult(0);
    };
    auto range = linalg::GenericOp::create(
        b, loc, TypeRange{scalar, scalar}, ValueRange{adaptor.getInput()},
        ValueRange{filled(), filled()},
        ArrayRef<AffineMap>{b.getMultiDimIdentityMap(2),
                            AffineMap::get(2, 0, {}, ctx),
                            AffineMap::get(2, 0, {}, ctx)},
        iterators(0, 2), [&](OpBuilder &nb, Location l, ValueRange args) {
          linalg::YieldOp::create(
              nb, l,
              ValueRange{arith::MinNumFOp::create(nb, l, args[0], args[1]),
                         arith::MaxNumFOp::create(nb, l, args[0], args[2])});
        });
    Value lo = tensor::ExtractOp::create(b, loc, range.getResult(0), ValueRange{});
    Value hi = tensor::ExtractOp::create(b, loc, range.getResult(1), ValueRange{});

    // 2. s and z exactly as ref::chooseAsymmetric.
    Value width = arith::SubFOp::create(b, loc, hi, lo);
    Value isZero = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ,
                                         width, zero);
    Value s = arith::DivFOp::create(b, loc, width, fConst(255.0f));
    s = arith::SelectOp::create(b, loc, isZero, fConst(1.0f), s);
    Value tiny = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, s,
                                       fConst(FLT_MIN));
    s = arith::SelectOp::create(b, loc, tiny, fConst(FLT_MIN), s);
    Value zf = math::RoundEvenOp::create(
        b, loc,
        arith::SubFOp::create(b, loc, fConst(-128.0f),
                              arith::DivFOp::create(b, loc, lo, s)));
    zf = arith::MaximumFOp::create(b, loc, zf, fConst(-128.0f));
    zf = arith::MinimumFOp::create(b, loc, zf, fConst(127.0f));
    zf = arith::SelectOp::create(b, loc, isZero, zero, zf);
    Value z = arith::FPToSIOp::create(b, loc, i32, zf);

    // 3. Quantize the input: clamp(rne(x / s) + z), NaN -> z.
    auto qType = RankedTensorType::get({m, k}, b.getI8Type());
    Value xq = buildParallel(
        b, loc, qType, {adaptor.getInput()}, {b.getMultiDimIdentityMap(2)},
        [&](OpBuilder &nb, Location l, ValueRange args) -> Value {
          Value x = args[0];
          Value q = math::RoundEvenOp::create(
              nb, l, arith::DivFOp::create(nb, l, x, s));
          q = arith::AddFOp::create(nb, l, q, zf);
          q = arith::MaximumFOp::create(nb, l, q, fConst(-128.0f));
          q = arith::MinimumFOp::create(nb, l, q, fConst(127.0f));
          Value isNan =
              arith::CmpFOp::create(nb, l, arith::CmpFPredicate::UNO, x, x);
          q = arith::SelectOp::create(nb, l, isNan, zf, q);
          return arith::TruncIOp::create(
              nb, l, nb.getI8Type(), arith::FPToSIOp::create(nb, l, i32, q));
        });

    // 4. int32 accumulation.
    SmallVector<int64_t> zws, dummy;
    for (int64_t c = 0; c < n; ++c)
      zws.push_back(w.zeroPoint(c));
    Value zw = constTensor(b, loc, {n}, i32, zws);
    Value empty = tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{m, n}, i32);
    Value init = linalg::FillOp::create(b, loc, constInt(b, loc, i32, 0), empty)
                     .getResult(0);
    Value acc =
        linalg::GenericOp::create(
            b, loc, TypeRange{init.getType()}, ValueRange{xq, adaptor.getWeight(), zw},
            ValueRange{init},
            ArrayRef<AffineMap>{AffineMap::get(3, 0, {dm, dk}, ctx),
                                AffineMap::get(3, 0, {dn, dk}, ctx),
                                AffineMap::get(3, 0, {dn}, ctx),
                                AffineMap::get(3, 0, {dm, dn}, ctx)},
            iterators(2, 1),
            [&](OpBuilder &nb, Location l, ValueRange args) {
              Value xi = arith::SubIOp::create(
                  nb, l, arith::ExtSIOp::create(nb, l, i32, args[0]), z);
              Value wi = arith::SubIOp::create(
                  nb, l, extend(nb, l, args[1], i32, w.isSigned), args[2]);
              linalg::YieldOp::create(
                  nb, l,
                  arith::AddIOp::create(nb, l, args[3],
                                        arith::MulIOp::create(nb, l, xi, wi))
                      .getResult());
            })
            .getResult(0);

    // 5. Back to float with s * s_w[n], bias and clamp.
    SmallVector<float> sws;
    for (int64_t c = 0; c < n; ++c)
      sws.push_back(w.scale(c));
    SmallVector<Value> inputs = {acc, constFloatTensor(b, loc, {n}, sws)};
    AffineExpr e0, e1;
    bindDims(ctx, e0, e1);
    SmallVector<AffineMap> maps = {b.getMultiDimIdentityMap(2),
                                   AffineMap::get(2, 0, {e1}, ctx)};
    if (adaptor.getBias()) {
      inputs.push_back(adaptor.getBias());
      maps.push_back(AffineMap::get(2, 0, {e1}, ctx));
    }
    std::optional<APFloat> min = op.getMin(), max = op.getMax();
    Value result = buildParallel(
        b, loc, op.getType(), inputs, maps,
        [&](OpBuilder &nb, Location l, ValueRange args) -> Value {
          Value v = arith::MulFOp::create(
              nb, l, arith::SIToFPOp::create(nb, l, f32, args[0]),
              arith::MulFOp::create(nb, l, s, args[1]));
          if (args.size() > 3)
            v = arith::AddFOp::create(nb, l, v, args[2]);
          if (min)
            v = arith::MaxNumFOp::create(nb, l, v, fConst(min->convertToFloat()));
          if (max)
            v = arith::MinNumFOp::create(nb, l, v, fConst(max->convertToFloat()));
          return v;
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

// Pattern: add(a, b) -> clamp((((a - za)A0 + (b - zb)B0 + 2^(n-1)) >> n) + zo)
struct AddLowering : OpConversionPattern<qt::AddOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(qt::AddOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    QParams a = getParams(op.getLhs().getType());
    QParams b = getParams(op.getRhs().getType());
    QParams out = getParams(op.getType());
    std::string error;
    std::optional<ref::AddMultipliers> m = ref::quantizeAddMultipliers(
        a.scales[0], b.scales[0], out.scales[0], &error);
    if (!m)
      return op.emitOpError() << "has no fixed-point form: " << error;
    ref::StorageRange range = outputRange(out, op.getMin(), op.getMax());
    auto outType = cast<RankedTensorType>(
        getTypeConverter()->convertType(op.getType()));
    unsigned rank = outType.getRank();
    AffineMap id = rewriter.getMultiDimIdentityMap(rank);
    Value result = buildParallel(
        rewriter, op.getLoc(), outType, {adaptor.getLhs(), adaptor.getRhs()},
        {id, id}, [&](OpBuilder &nb, Location l, ValueRange args) -> Value {
          Type i64 = nb.getI64Type();
          auto term = [&](Value v, const QParams &p, int64_t mult) {
            Value x = arith::SubIOp::create(
                nb, l, extend(nb, l, v, i64, p.isSigned),
                constInt(nb, l, i64, p.zeroPoints[0]));
            return arith::MulIOp::create(nb, l, x, constInt(nb, l, i64, mult));
          };
          Value sum = arith::AddIOp::create(nb, l, term(args[0], a, m->a0),
                                            term(args[1], b, m->b0));
          // A multiplier of 1 and shift 0 reuses the requantization tail.
          return requantizeValue(nb, l, sum, constInt(nb, l, i64, 1),
                                 constInt(nb, l, i64, m->shift),
                                 out.zeroPoints[0], range.min, range.max,
                                 outType.getElementType());
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

// Pattern: mul(a, b) -> requantize((a - za)(b - zb)) with M = sa * sb / so
struct MulLowering : OpConversionPattern<qt::MulOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(qt::MulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    QParams a = getParams(op.getLhs().getType());
    QParams b = getParams(op.getRhs().getType());
    QParams out = getParams(op.getType());
    FailureOr<ref::Multiplier> m = multiplierFor(
        op, static_cast<double>(a.scales[0]) * b.scales[0] / out.scales[0]);
    if (failed(m))
      return failure();
    ref::StorageRange range = outputRange(out, op.getMin(), op.getMax());
    auto outType = cast<RankedTensorType>(
        getTypeConverter()->convertType(op.getType()));
    AffineMap id = rewriter.getMultiDimIdentityMap(outType.getRank());
    Value result = buildParallel(
        rewriter, op.getLoc(), outType, {adaptor.getLhs(), adaptor.getRhs()},
        {id, id}, [&](OpBuilder &nb, Location l, ValueRange args) -> Value {
          Type i64 = nb.getI64Type();
          auto centered = [&](Value v, const QParams &p) {
            return arith::SubIOp::create(nb, l, extend(nb, l, v, i64, p.isSigned),
                                         constInt(nb, l, i64, p.zeroPoints[0]));
          };
          Value acc = arith::MulIOp::create(nb, l, centered(args[0], a),
                                            centered(args[1], b));
          return requantizeValue(nb, l, acc, constInt(nb, l, i64, m->m0),
                                 constInt(nb, l, i64, m->shift),
                                 out.zeroPoints[0], range.min, range.max,
                                 outType.getElementType());
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

// Pattern: observe(x) -> x (outside calibration a probe does nothing)
struct ObserveLowering : OpConversionPattern<qt::ObserveOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(qt::ObserveOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, adaptor.getInput());
    return success();
  }
};

// Pattern: quant.scast(x) -> x (storage and quantized views are one value)
struct StorageCastLowering : OpConversionPattern<quant::StorageCastOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(quant::StorageCastOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Type target = getTypeConverter()->convertType(op.getType());
    if (target != adaptor.getInput().getType())
      return rewriter.notifyMatchFailure(op, "not a storage-type view");
    rewriter.replaceOp(op, adaptor.getInput());
    return success();
  }
};

/// Reports every op whose parameters have no fixed-point form, before any
/// rewriting, so that each problem is diagnosed once and at its op.
LogicalResult checkFixedPointForms(ModuleOp module) {
  bool ok = true;
  auto contraction = [&](Operation *op, Type in, Type w, Type out,
                         int64_t channels) {
    ok &= succeeded(contractionParams(op, in, w, out, channels, std::nullopt,
                                      std::nullopt));
  };
  module.walk([&](Operation *op) {
    if (auto r = dyn_cast<qt::RequantizeOp>(op)) {
      QParams in = getParams(r.getInput().getType());
      QParams out = getParams(r.getType());
      for (float s : in.scales)
        ok &= succeeded(
            multiplierFor(op, static_cast<double>(s) / out.scales[0]));
    } else if (auto fc = dyn_cast<qt::FullyConnectedOp>(op)) {
      contraction(op, fc.getInput().getType(), fc.getWeight().getType(),
                  fc.getType(), fc.getWeight().getType().getDimSize(0));
    } else if (auto mm = dyn_cast<qt::MatmulOp>(op)) {
      contraction(op, mm.getLhs().getType(), mm.getRhs().getType(),
                  mm.getType(), mm.getRhs().getType().getDimSize(2));
    } else if (auto conv = dyn_cast<qt::Conv2DOp>(op)) {
      contraction(op, conv.getInput().getType(), conv.getFilter().getType(),
                  conv.getType(), conv.getFilter().getType().getDimSize(0));
    } else if (auto dw = dyn_cast<qt::DepthwiseConv2DOp>(op)) {
      contraction(op, dw.getInput().getType(), dw.getFilter().getType(),
                  dw.getType(), dw.getFilter().getType().getDimSize(2));
    } else if (auto add = dyn_cast<qt::AddOp>(op)) {
      std::string error;
      if (!ref::quantizeAddMultipliers(getParams(add.getLhs().getType()).scales[0],
                                       getParams(add.getRhs().getType()).scales[0],
                                       getParams(add.getType()).scales[0],
                                       &error)) {
        op->emitOpError() << "has no fixed-point form: " << error;
        ok = false;
      }
    } else if (auto mul = dyn_cast<qt::MulOp>(op)) {
      double m = static_cast<double>(getParams(mul.getLhs().getType()).scales[0]) *
                 getParams(mul.getRhs().getType()).scales[0] /
                 getParams(mul.getType()).scales[0];
      ok &= succeeded(multiplierFor(op, m));
    }
  });
  return success(ok);
}

struct ConvertQTToLinalg
    : qopt::impl::ConvertQTToLinalgBase<ConvertQTToLinalg> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    if (failed(checkFixedPointForms(getOperation())))
      return signalPassFailure();
    TypeConverter converter;
    addQuantStorageTypeConversions(converter);

    ConversionTarget target(*ctx);
    target.addLegalDialect<arith::ArithDialect, linalg::LinalgDialect,
                           math::MathDialect, tensor::TensorDialect>();
    target.addIllegalDialect<qt::QTDialect>();
    target.addIllegalOp<quant::StorageCastOp>();
    target.addDynamicallyLegalOp<func::FuncOp>([&](func::FuncOp op) {
      return converter.isSignatureLegal(op.getFunctionType()) &&
             converter.isLegal(&op.getBody());
    });
    target.addDynamicallyLegalOp<func::ReturnOp, func::CallOp>(
        [&](Operation *op) { return converter.isLegal(op); });
    target.markUnknownOpDynamicallyLegal(
        [&](Operation *op) { return converter.isLegal(op); });

    RewritePatternSet patterns(ctx);
    populateQTToLinalgPatterns(converter, patterns);
    populateFunctionOpInterfaceTypeConversionPattern<func::FuncOp>(patterns,
                                                                   converter);
    populateReturnOpTypeConversionPattern(patterns, converter);
    populateCallOpTypeConversionPattern(patterns, converter);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      return signalPassFailure();
    // Calibrated ranges and tensor names were consumed by quantization and
    // by the entry-point record; LLVM has no use for them (and warns about
    // unknown argument attributes).
    getOperation().walk([](Operation *op) {
      op->removeAttr("qt.range");
      auto func = dyn_cast<func::FuncOp>(op);
      if (!func)
        return;
      auto strip = [](DictionaryAttr attrs) {
        SmallVector<NamedAttribute> kept;
        for (NamedAttribute a : attrs)
          if (!a.getName().strref().starts_with("qt."))
            kept.push_back(a);
        return kept;
      };
      auto orEmpty = [&](DictionaryAttr d) {
        return d ? d : DictionaryAttr::get(func.getContext());
      };
      for (unsigned i = 0; i < func.getNumArguments(); ++i)
        func.setArgAttrs(i, strip(orEmpty(func.getArgAttrDict(i))));
      for (unsigned i = 0; i < func.getNumResults(); ++i)
        func.setResultAttrs(i, strip(orEmpty(func.getResultAttrDict(i))));
    });
  }
};

} // namespace

void qopt::addQuantStorageTypeConversions(TypeConverter &converter) {
  converter.addConversion([](Type type) { return type; });
  converter.addConversion([](RankedTensorType type) -> Type {
    if (auto q = dyn_cast<quant::QuantizedType>(type.getElementType()))
      return type.clone(q.getStorageType());
    return type;
  });
}

void qopt::populateQTToLinalgPatterns(const TypeConverter &converter,
                                      RewritePatternSet &patterns) {
  patterns.add<QuantizeLowering, DequantizeLowering, RequantizeLowering,
               FullyConnectedLowering, DynamicFullyConnectedLowering,
               MatmulLowering, Conv2DLowering,
               DepthwiseConv2DLowering, AddLowering, MulLowering,
               ObserveLowering, StorageCastLowering>(converter,
                                                     patterns.getContext());
}
