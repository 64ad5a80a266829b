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

} // namespace

void qopt::qt_to_linalg::populateElementwiseLowerings(const TypeConverter &converter,
                                        RewritePatternSet &patterns) {
  patterns.add<AddLowering, MulLowering>(converter, patterns.getContext());
}
