//===- TableKernel.cpp - int8 lookup tables on byte shuffles ----*- C++ -*-===//
//
// qt.table maps each int8 value through 256 entries. The portable lowering
// loads them with 32-bit gathers; on x86 a vector of 32 or 64 bytes instead
// looks up all its elements in registers: vpshufb indexes 16 entries by the
// low nibble, so sixteen of them (one per high nibble, each with its 16
// entries in every 128-bit lane) and a select on the high nibble cover the
// table. AVX-512 merges each shuffle under a compare mask (two instructions
// per 16 entries); AVX2 blends. With AVX-512 VBMI, vpermi2b looks up 128
// entries in two registers: two of them and a select on the index's top bit
// cover the table. AArch64's tbl looks up 64 entries at once (four
// registers): four of them cover the table.
//
//===----------------------------------------------------------------------===//

#include "PackedKernelsCommon.h"
#include "qopt/Transforms/ParallelLoops.h"

#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace qopt;

// Pattern: table(x[...]) -> for each block of `bytes` elements of the
// flattened x (the last one masked):
//   u = x ^ 0x80 (the entry's index); lo = u & 15; hi = u >> 4
//   y = pshufb(T_0, lo); for h in 1..15: y = hi == h ? pshufb(T_h, lo) : y
// where T_h holds entries 16h..16h+15 in every 16-byte lane. VBMI (64
// bytes), indexed by x itself, whose bits 0..6 vpermi2b reads:
//   y = x < 0 ? vpermi2b(E[128..191], x, E[192..255])
//             : vpermi2b(E[0..63], x, E[64..127])
// where E[r] is the entry of the byte r (x's entry: the table at u). AArch64 (16
// bytes): y = tbl4(entries 0..63, u) | tbl4(64..127, u - 64) | ... (tbl
// gives 0 for an index past its 64 bytes).
LogicalResult qopt::packed::lowerTable(qt::TableOp op, int64_t bytes, bool arm,
                                       bool vbmi) {
  auto inType = cast<RankedTensorType>(op.getInput().getType());
  auto outType = cast<RankedTensorType>(op.getType());
  auto storage = [](RankedTensorType t) {
    auto q = dyn_cast<quant::QuantizedType>(t.getElementType());
    return q && q.isSigned() && q.getStorageTypeIntegralWidth() == 8;
  };
  if (!storage(inType) || !storage(outType) || inType.getRank() == 0 ||
      op.getTable().size() != 256)
    return failure();
  OpBuilder b(op);
  Location loc = op.getLoc();
  Type i8 = b.getI8Type();
  int64_t n = inType.getNumElements();
  auto vec = VectorType::get({bytes}, i8);
  auto splat = [&](OpBuilder &bb, Location l, int8_t v) {
    return arith::ConstantOp::create(bb, l, vec,
                                     DenseElementsAttr::get(vec, bb.getI8IntegerAttr(v)))
        .getResult();
  };
  ArrayRef<int8_t> table = op.getTable();
  SmallVector<ReassociationIndices> all(1);
  for (int64_t d = 0; d < inType.getRank(); ++d)
    all[0].push_back(d);

  Value x = quant::StorageCastOp::create(b, loc, inType.clone(i8), op.getInput());
  if (inType.getRank() != 1)
    x = tensor::CollapseShapeOp::create(b, loc, x, all);
  Value pad = arith::ConstantOp::create(b, loc, i8, b.getI8IntegerAttr(0));

  // The 256 entries looked up for the indices `u` (0..255 as bytes).
  auto constant = [&](OpBuilder &bb, Location l, ArrayRef<int8_t> bytesOf) {
    return arith::ConstantOp::create(bb, l, vec, DenseElementsAttr::get(vec, bytesOf))
        .getResult();
  };
  auto lookupTbl4 = [&](OpBuilder &bb, Location l, Value u) {
    // Four 64-entry lookups of u - 64q: an index outside [0, 64) gives 0.
    Value y;
    for (int64_t q = 0; q < 4; ++q) {
      SmallVector<Value, 5> operands;
      for (int64_t r = 0; r < 4; ++r)
        operands.push_back(constant(bb, l, table.slice(64 * q + 16 * r, 16)));
      operands.push_back(
          q == 0 ? u : arith::SubIOp::create(bb, l, u, splat(bb, l, int8_t(64 * q))).getResult());
      Value found = qt::ArmTbl4Op::create(bb, l, vec, operands);
      y = q == 0 ? found : arith::OrIOp::create(bb, l, y, found).getResult();
    }
    return y;
  };
  auto lookupPshufb = [&](OpBuilder &bb, Location l, Value u) {
    Value lo = arith::AndIOp::create(bb, l, u, splat(bb, l, 15));
    Value hi = arith::ShRUIOp::create(bb, l, u, splat(bb, l, 4));
    Value y;
    for (int64_t h = 0; h < 16; ++h) {
      SmallVector<int8_t> lanes(bytes);
      for (int64_t i = 0; i < bytes; ++i)
        lanes[i] = table[16 * h + i % 16];
      Value found = qt::X86PshufbOp::create(bb, l, vec, constant(bb, l, lanes), lo);
      y = h == 0 ? found
                 : arith::SelectOp::create(
                       bb, l,
                       arith::CmpIOp::create(bb, l, arith::CmpIPredicate::eq, hi,
                                             splat(bb, l, int8_t(h))),
                       found, y)
                       .getResult();
    }
    return y;
  };
  auto lookupVpermi2b = [&](OpBuilder &bb, Location l, Value v) {
    // The entries by the stored byte r: the table's index is r ^ 0x80.
    auto entries = [&](int64_t first) {
      SmallVector<int8_t> lanes(64);
      for (int64_t r = 0; r < 64; ++r)
        lanes[r] = table[(first + r) ^ 0x80];
      return constant(bb, l, lanes);
    };
    Value e0 = entries(0), e64 = entries(64);
    Value low = qt::X86Vpermi2bOp::create(bb, l, vec, e0, v, e64);
    Value e128 = entries(128), e192 = entries(192);
    Value high = qt::X86Vpermi2bOp::create(bb, l, vec, e128, v, e192);
    Value negative =
        arith::CmpIOp::create(bb, l, arith::CmpIPredicate::slt, v, splat(bb, l, 0));
    return arith::SelectOp::create(bb, l, negative, high, low).getResult();
  };
  vbmi = vbmi && !arm && bytes == 64;
  auto emitBlock = [&](OpBuilder &bb, Location l, Value at, bool inBounds,
                       Value dest) -> Value {
    Value v = vector::TransferReadOp::create(bb, l, vec, x, ValueRange{at}, pad,
                                             ArrayRef<bool>{inBounds});
    Value y;
    if (vbmi) {
      y = lookupVpermi2b(bb, l, v);
    } else {
      Value u = arith::XOrIOp::create(bb, l, v, splat(bb, l, int8_t(0x80)));
      y = arm ? lookupTbl4(bb, l, u) : lookupPshufb(bb, l, u);
    }
    return vector::TransferWriteOp::create(bb, l, y, dest, ValueRange{at},
                                           ArrayRef<bool>{inBounds})
        .getResult();
  };

  auto idx = [](OpBuilder &bb, Location l, int64_t v) {
    return arith::ConstantIndexOp::create(bb, l, v).getResult();
  };
  Value y = tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{n}, i8);
  int64_t full = n / bytes;
  if (full > 0)
    y = markParallel(scf::ForOp::create(
            b, loc, idx(b, loc, 0), idx(b, loc, full * bytes), idx(b, loc, bytes),
            ValueRange{y},
            [&](OpBuilder &b1, Location l, Value at, ValueRange args) {
              scf::YieldOp::create(b1, l, emitBlock(b1, l, at, true, args[0]));
            }))
            .getResult(0);
  if (n % bytes != 0)
    y = emitBlock(b, loc, idx(b, loc, full * bytes), false, y);
  if (outType.getRank() != 1)
    y = tensor::ExpandShapeOp::create(b, loc, outType.clone(i8), y, all);
  op.replaceAllUsesWith(quant::StorageCastOp::create(b, loc, outType, y).getResult());
  op.erase();
  return success();
}
