//===- Elementwise.cpp - quantized add and mul ---*- C++ -*-===//

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

/// The indexing map of a broadcast operand: dimension d of the result reads
/// index 0 where the operand has size 1 and the result does not.
AffineMap broadcastMap(OpBuilder &b, RankedTensorType operand,
                       RankedTensorType result) {
  SmallVector<AffineExpr> exprs;
  for (int64_t d = 0; d < result.getRank(); ++d)
    exprs.push_back(operand.getDimSize(d) == 1 && result.getDimSize(d) != 1
                        ? b.getAffineConstantExpr(0)
                        : b.getAffineDimExpr(d));
  return AffineMap::get(result.getRank(), 0, exprs, b.getContext());
}

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
    Value result = buildParallel(
        rewriter, op.getLoc(), outType, {adaptor.getLhs(), adaptor.getRhs()},
        {broadcastMap(rewriter, op.getLhs().getType(), outType),
         broadcastMap(rewriter, op.getRhs().getType(), outType)},
        [&](OpBuilder &nb, Location l, ValueRange args) -> Value {
          Type i64 = nb.getI64Type();
          auto term = [&](Value v, const QParams &p, int64_t mult) {
            Value x = arith::SubIOp::create(
                nb, l, extend(nb, l, v, i64, p.isSigned),
                constInt(nb, l, i64, p.zeroPoints[0]));
            return arith::MulIOp::create(nb, l, x, constInt(nb, l, i64, mult));
          };
          Value sum = arith::AddIOp::create(nb, l, term(args[0], a, m->a0),
                                            term(args[1], b, m->b0));
          // The sum already carries the multipliers: M0 = 1 reuses the
          // rounding shift, zero point and clamp of requantization.
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
    Value result = buildParallel(
        rewriter, op.getLoc(), outType, {adaptor.getLhs(), adaptor.getRhs()},
        {broadcastMap(rewriter, op.getLhs().getType(), outType),
         broadcastMap(rewriter, op.getRhs().getType(), outType)},
        [&](OpBuilder &nb, Location l, ValueRange args) -> Value {
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

// Pattern: table(x) -> linalg.generic { tensor.extract %table[x + 128] }
struct TableLowering : OpConversionPattern<qt::TableOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(qt::TableOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto outType = cast<RankedTensorType>(
        getTypeConverter()->convertType(op.getType()));
    // Entries widened to int32: the loop vectorizer turns the lookups into
    // 32-bit gathers (vpgatherdd), where byte loads would stay scalar.
    Type i32Type = rewriter.getI32Type();
    auto tableType = RankedTensorType::get({256}, i32Type);
    SmallVector<int32_t> wide(op.getTable().begin(), op.getTable().end());
    Value table = arith::ConstantOp::create(
        rewriter, loc, tableType,
        DenseElementsAttr::get(tableType, ArrayRef<int32_t>(wide)));
    AffineMap id = rewriter.getMultiDimIdentityMap(outType.getRank());
    Value result = buildParallel(
        rewriter, loc, outType, {adaptor.getInput()}, {id},
        [&](OpBuilder &nb, Location l, ValueRange args) -> Value {
          Type i32 = nb.getI32Type();
          Value index = arith::AddIOp::create(
              nb, l, arith::ExtSIOp::create(nb, l, i32, args[0]),
              constInt(nb, l, i32, 128));
          Value entry = tensor::ExtractOp::create(
              nb, l, table,
              ValueRange{arith::IndexCastOp::create(nb, l, nb.getIndexType(), index)});
          return arith::TruncIOp::create(nb, l, outType.getElementType(), entry);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

// Pattern: avg_pool2d(x) -> requantize(sum over the window of x - z_in)
//   with M = s_in / (s_out * KH * KW): one int32 sum (channels innermost,
//   as the data lies), then one requantization per output.
struct AvgPool2DLowering : OpConversionPattern<qt::AvgPool2DOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(qt::AvgPool2DOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    QParams in = getParams(op.getInput().getType());
    QParams out = getParams(op.getType());
    ArrayRef<int64_t> kernel = op.getKernel(), stride = op.getStride();
    int64_t area = kernel[0] * kernel[1];
    FailureOr<ref::Multiplier> m = multiplierFor(
        op, static_cast<double>(in.scales[0]) /
                (static_cast<double>(out.scales[0]) * static_cast<double>(area)));
    if (failed(m))
      return failure();
    ref::StorageRange range = outputRange(out, op.getMin(), op.getMax());
    auto outType = cast<RankedTensorType>(
        getTypeConverter()->convertType(op.getType()));
    Type i32 = rewriter.getI32Type();
    auto sumType = RankedTensorType::get(outType.getShape(), i32);
    Value zero = arith::ConstantOp::create(rewriter, loc, rewriter.getI32IntegerAttr(0));
    Value init = linalg::FillOp::create(
                     rewriter, loc, zero,
                     ValueRange{tensor::EmptyOp::create(rewriter, loc, sumType.getShape(), i32)})
                     .getResult(0);
    // The window operand only gives the loops their extent (as in
    // linalg.pooling_nhwc_sum).
    Value window = tensor::EmptyOp::create(rewriter, loc, kernel, i32);
    // d0 = n, d1 = oh, d2 = ow, d3 = kh, d4 = kw, d5 = c.
    MLIRContext *ctx = rewriter.getContext();
    auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
    AffineMap inputMap = AffineMap::get(
        6, 0, {d(0), d(1) * stride[0] + d(3), d(2) * stride[1] + d(4), d(5)}, ctx);
    AffineMap windowMap = AffineMap::get(6, 0, {d(3), d(4)}, ctx);
    AffineMap outMap = AffineMap::get(6, 0, {d(0), d(1), d(2), d(5)}, ctx);
    SmallVector<utils::IteratorType> iters = {
        utils::IteratorType::parallel,  utils::IteratorType::parallel,
        utils::IteratorType::parallel,  utils::IteratorType::reduction,
        utils::IteratorType::reduction, utils::IteratorType::parallel};
    Value sum =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{sumType}, ValueRange{adaptor.getInput(), window},
            ValueRange{init}, ArrayRef<AffineMap>{inputMap, windowMap, outMap}, iters,
            [&](OpBuilder &nb, Location l, ValueRange args) {
              Value x = arith::ExtSIOp::create(nb, l, i32, args[0]);
              linalg::YieldOp::create(nb, l,
                                      ValueRange{arith::AddIOp::create(nb, l, args[2], x)});
            })
            .getResult(0);
    // sum(q - z) = sum(q) - KH * KW * z, exact in int32 (the verifier bounds
    // the area).
    AffineMap id = rewriter.getMultiDimIdentityMap(4);
    Value result = buildParallel(
        rewriter, loc, outType, {sum}, {id},
        [&](OpBuilder &nb, Location l, ValueRange args) -> Value {
          Type i64 = nb.getI64Type();
          Value acc = arith::SubIOp::create(
              nb, l, arith::ExtSIOp::create(nb, l, i64, args[0]),
              constInt(nb, l, i64, area * in.zeroPoints[0]));
          return requantizeValue(nb, l, acc, constInt(nb, l, i64, m->m0),
                                 constInt(nb, l, i64, m->shift), out.zeroPoints[0],
                                 range.min, range.max, outType.getElementType());
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void qopt::qt_to_linalg::populateElementwiseLowerings(const TypeConverter &converter,
                                        RewritePatternSet &patterns) {
  patterns.add<AddLowering, MulLowering, TableLowering, AvgPool2DLowering>(converter, patterns.getContext());
}
