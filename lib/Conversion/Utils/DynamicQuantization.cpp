//===- DynamicQuantization.cpp - int8 inputs quantized at run time -*- C++ -*-===//

#include "qopt/Conversion/DynamicQuantization.h"
#include "qopt/Conversion/LinalgBuilders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <cfloat>

using namespace mlir;
using namespace qopt;

DynamicInput qopt::quantizeDynamicInput(OpBuilder &b, Location loc, Value x) {
  MLIRContext *ctx = b.getContext();
  Type f32 = b.getF32Type(), i32 = b.getI32Type();
  auto xType = cast<RankedTensorType>(x.getType());
  int64_t m = xType.getDimSize(0), k = xType.getDimSize(1);
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
      b, loc, TypeRange{scalar, scalar}, ValueRange{x},
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
      b, loc, qType, {x}, {b.getMultiDimIdentityMap(2)},
      [&](OpBuilder &nb, Location l, ValueRange args) -> Value {
        Value v = args[0];
        Value q = math::RoundEvenOp::create(
            nb, l, arith::DivFOp::create(nb, l, v, s));
        q = arith::AddFOp::create(nb, l, q, zf);
        q = arith::MaximumFOp::create(nb, l, q, fConst(-128.0f));
        q = arith::MinimumFOp::create(nb, l, q, fConst(127.0f));
        Value isNan =
            arith::CmpFOp::create(nb, l, arith::CmpFPredicate::UNO, v, v);
        q = arith::SelectOp::create(nb, l, isNan, zf, q);
        return arith::TruncIOp::create(
            nb, l, nb.getI8Type(), arith::FPToSIOp::create(nb, l, i32, q));
      });
  return {xq, s, z};
}
