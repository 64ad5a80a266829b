//===- Conversions.cpp - quantize, dequantize, requantize ---*- C++ -*-===//

#include "QTToLinalgCommon.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <cfloat>

using namespace mlir;
using namespace qopt;
using namespace qopt::qt_to_linalg;

namespace {

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

} // namespace

void qopt::qt_to_linalg::populateConversionLowerings(const TypeConverter &converter,
                                        RewritePatternSet &patterns) {
  patterns.add<QuantizeLowering, DequantizeLowering, RequantizeLowering,
               ObserveLowering, StorageCastLowering>(converter, patterns.getContext());
}
