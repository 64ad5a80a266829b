//===- ExpandExp.cpp - float32 exp as glibc computes it ---------*- C++ -*-===//
//
// `math.exp` on f32 becomes the arithmetic of glibc's expf (2.36,
// sysdeps/ieee754/flt-32/e_expf.c, as its FMA build `__expf_fma` computes
// it): a 32-entry table of 2^(i/32) and a cubic in double precision. The
// same bits as the C library's expf on every x86-64 CPU with FMA (checked
// on all 2^32 inputs, test/Integration/Float/expf.test), but as plain loads and
// arithmetic that LLVM's loop vectorizer turns into vector code, where
// a call to expf stays one call per element.
//
//===----------------------------------------------------------------------===//

#include "qopt/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/SymbolTable.h"

#include <cmath>
#include <cstring>

namespace qopt {
#define GEN_PASS_DEF_QTEXPANDEXP
#include "qopt/Transforms/Passes.h.inc"
} // namespace qopt

using namespace mlir;

namespace {

constexpr int64_t kTableBits = 5, kTableSize = 1 << kTableBits;

/// glibc's __exp2f_data.tab: the bits of 2^(i/32) minus i << 47, so that
/// adding k << 47 for k = i + 32 m gives 2^(k/32).
std::vector<int64_t> expTable() {
  std::vector<int64_t> table;
  for (int64_t i = 0; i < kTableSize; ++i) {
    double v = std::exp2(double(i) / kTableSize);
    uint64_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    table.push_back(int64_t(bits - (uint64_t(i) << (52 - kTableBits))));
  }
  return table;
}

struct QTExpandExp : qopt::impl::QTExpandExpBase<QTExpandExp> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<math::ExpOp> exps;
    module.walk([&](math::ExpOp op) {
      if (op.getType().isF32())
        exps.push_back(op);
    });
    if (exps.empty())
      return;
    OpBuilder mb = OpBuilder::atBlockBegin(module.getBody());
    auto tableType = MemRefType::get({kTableSize}, mb.getI64Type());
    auto tableAttr = DenseElementsAttr::get(
        RankedTensorType::get({kTableSize}, mb.getI64Type()), ArrayRef<int64_t>(expTable()));
    auto table = memref::GlobalOp::create(mb, module.getLoc(), "__qt_expf_table",
                                          mb.getStringAttr("private"), tableType, tableAttr,
                                          /*constant=*/true, mb.getI64IntegerAttr(64));
    SymbolTable(module).insert(table);

    for (math::ExpOp op : exps) {
      OpBuilder b(op);
      Location loc = op.getLoc();
      Type f32 = b.getF32Type(), f64 = b.getF64Type(), i64 = b.getI64Type();
      auto f = [&](double v) {
        return arith::ConstantOp::create(b, loc, f64, b.getF64FloatAttr(v));
      };
      auto i = [&](int64_t v) {
        return arith::ConstantOp::create(b, loc, i64, b.getI64IntegerAttr(v));
      };
      auto fma = [&](Value a, Value x, Value c) {
        return math::FmaOp::create(b, loc, a, x, c).getResult();
      };
      // e_expf.c: InvLn2N = N / ln 2, SHIFT = 1.5 * 2^52 (adding it rounds
      // to an integer), C = the cubic's coefficients scaled by N.
      constexpr double n = kTableSize;
      Value invLn2N = f(0x1.71547652b82fep+0 * n), shift = f(0x1.8p+52);
      Value c0 = f(0x1.c6af84b912394p-5 / n / n / n), c1 = f(0x1.ebfce50fac4f3p-3 / n / n),
            c2 = f(0x1.62e42ff0c52d6p-1 / n);
      Value x = op.getOperand();
      Value xd = arith::ExtFOp::create(b, loc, f64, x);
      // x N / ln 2 = k + r, k an integer, |r| <= 1/2.
      Value z = arith::MulFOp::create(b, loc, invLn2N, xd);
      Value kdShifted = arith::AddFOp::create(b, loc, z, shift);
      Value ki = arith::BitcastOp::create(b, loc, i64, kdShifted);
      Value kd = arith::SubFOp::create(b, loc, kdShifted, shift);
      Value r = fma(invLn2N, xd, arith::NegFOp::create(b, loc, kd));
      // s = 2^(k/N): the table's entry for k mod N with k << 47 added.
      Value index = arith::IndexCastOp::create(
          b, loc, b.getIndexType(), arith::AndIOp::create(b, loc, ki, i(kTableSize - 1)));
      Value tableRef = memref::GetGlobalOp::create(b, loc, tableType, table.getSymName());
      Value t = memref::LoadOp::create(b, loc, tableRef, ValueRange{index});
      t = arith::AddIOp::create(b, loc, t,
                                arith::ShLIOp::create(b, loc, ki, i(52 - kTableBits)));
      Value s = arith::BitcastOp::create(b, loc, f64, t);
      // exp(x) ~= s (C0 r^3 + C1 r^2 + C2 r + 1), in the FMA build's order.
      Value p = fma(c0, r, c1);
      Value r2 = arith::MulFOp::create(b, loc, r, r);
      Value y = fma(c2, r, f(1.0));
      y = fma(p, r2, y);
      y = arith::MulFOp::create(b, loc, y, s);
      Value result = arith::TruncFOp::create(b, loc, f32, y);
      // Overflow to +inf, underflow to +0, NaN quieted (x + x), as expf.
      auto fc = [&](float v) {
        return arith::ConstantOp::create(b, loc, f32, b.getF32FloatAttr(v));
      };
      auto replaceIf = [&](arith::CmpFPredicate pred, Value c, Value with) {
        Value cond = arith::CmpFOp::create(b, loc, pred, x, c);
        result = arith::SelectOp::create(b, loc, cond, with, result);
      };
      replaceIf(arith::CmpFPredicate::OGT, fc(0x1.62e42ep6f), fc(INFINITY));
      replaceIf(arith::CmpFPredicate::OLT, fc(-0x1.9fe368p6f), fc(0.0f));
      replaceIf(arith::CmpFPredicate::UNO, x, arith::AddFOp::create(b, loc, x, x));
      op.replaceAllUsesWith(result);
      op.erase();
    }
  }
};

} // namespace
