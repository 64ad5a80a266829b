//===- Contractions.cpp - matmul, fully connected, convolutions ---*- C++ -*-===//

#include "QTToLinalgCommon.h"
#include "qopt/Conversion/DynamicQuantization.h"
#include "qopt/Conversion/Padding.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <cfloat>

using namespace mlir;
using namespace qopt;
using namespace qopt::qt_to_linalg;

namespace {

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
    Value input = qopt::padSpatially(rewriter, loc, adaptor.getInput(), op.getPad(),
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
    Value input = qopt::padSpatially(rewriter, loc, adaptor.getInput(), op.getPad(),
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

} // namespace


namespace {

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
    int64_t m = op.getInput().getType().getDimSize(0);
    int64_t n = op.getWeight().getType().getDimSize(0);
    AffineExpr dm, dn, dk;
    bindDims(ctx, dm, dn, dk);
    auto fConst = [&](float v) {
      return arith::ConstantOp::create(b, loc, f32, b.getF32FloatAttr(v));
    };

    // 1.-3. The input quantized with its run-time scale and zero point.
    DynamicInput in = quantizeDynamicInput(b, loc, adaptor.getInput());
    Value xq = in.values, s = in.scale, z = in.zeroPoint;

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

} // namespace

void qopt::qt_to_linalg::populateContractionLowerings(const TypeConverter &converter,
                                        RewritePatternSet &patterns) {
  patterns.add<FullyConnectedLowering, DynamicFullyConnectedLowering,
               MatmulLowering, Conv2DLowering, DepthwiseConv2DLowering>(converter, patterns.getContext());
}
