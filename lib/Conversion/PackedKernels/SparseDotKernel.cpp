//===- SparseDotKernel.cpp - int8 FC on block-sparse packed weights -*- C++ -*-===//
//
// The dot kernels' layer on pruned weights: of the packed weight registers
// (lanes columns x 4 K values, one dot's operand), only those with a
// non-zero weight are stored, in block-compressed-sparse-row order by
// column block, each with the byte offset of its 4 K values in an input
// row. The K loop of a column block visits only its stored registers, so
// work and weight bytes scale with the blocks pruning left. The
// accumulation is the dense kernel's minus products with zero weights, so
// the result is bit-identical to it and to the reference.
//
//===----------------------------------------------------------------------===//

#include "PackedKernelsCommon.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace qopt;
using namespace qopt::packed;

namespace {

/// The block-sparse form of a plan's weights for `isa`'s register layout.
struct SparseWeights {
  std::vector<int32_t> start;  // [column blocks + 1]: first stored register
  std::vector<int32_t> offset; // [stored]: K offset (bytes) of its 4 K values
  std::vector<int8_t> values;  // [stored][parts][lanes * perPart]
};

SparseWeights packSparse(const FullyConnectedPlan &plan, const DotISA &isa) {
  const int64_t lanes = isa.lanes, perPart = kGroup / isa.parts;
  const int64_t regBytes = lanes * kGroup, partBytes = lanes * perPart;
  int64_t kb = (plan.k + kGroup - 1) / kGroup, nb = (plan.n + lanes - 1) / lanes;
  SparseWeights s;
  s.start.push_back(0);
  std::vector<int8_t> reg(regBytes);
  for (int64_t block = 0; block < nb; ++block) {
    for (int64_t kk = 0; kk < kb; ++kk) {
      std::fill(reg.begin(), reg.end(), 0);
      bool nonZero = false;
      for (int64_t lane = 0; lane < lanes; ++lane) {
        int64_t c = block * lanes + lane;
        for (int64_t i = kk * kGroup; c < plan.n && i < std::min(plan.k, (kk + 1) * kGroup);
             ++i) {
          int8_t w = plan.weights[c * plan.k + i];
          int64_t part = (i % kGroup) / perPart;
          reg[part * partBytes + lane * perPart + i % perPart] = w;
          nonZero |= w != 0;
        }
      }
      if (!nonZero)
        continue;
      s.offset.push_back(static_cast<int32_t>(kk * kGroup));
      s.values.insert(s.values.end(), reg.begin(), reg.end());
    }
    s.start.push_back(static_cast<int32_t>(s.offset.size()));
  }
  return s;
}

} // namespace

// Pattern: fully_connected(x[M,K], const w[N,K] with zero blocks, b[N])
//   -> for each column block j:
//        for each tile of rows:
//          acc = corr[j]; for e in start[j] .. start[j+1]:
//            acc = dot(acc, input(x[m, offset[e] : +4]), values[e])
//          y[m, block j] = requantize(acc)
// with the stored registers of a block split over `unroll` accumulator sets
// (added at the end) so that the dot chains are independent.
Value qopt::packed::emitSparseDotKernel(OpBuilder &b, Location loc,
                                        const FullyConnectedPlan &plan, Value x,
                                        const DotISA &isa) {
  const int64_t lanes = isa.lanes, perPart = kGroup / isa.parts;
  const int64_t partBytes = lanes * perPart;
  int64_t m = plan.m, k = plan.k, n = plan.n;
  int64_t kb = (k + kGroup - 1) / kGroup, nb = (n + lanes - 1) / lanes;
  SparseWeights s = packSparse(plan, isa);
  int64_t stored = static_cast<int64_t>(s.offset.size());
  // Tensors hold at least one element; nothing reads it when none is stored.
  if (stored == 0) {
    s.offset.push_back(0);
    s.values.assign(isa.parts * partBytes, 0);
  }

  Type i8 = b.getI8Type(), i32 = b.getI32Type();
  Value startC = constantTensor<int32_t>(b, loc, {nb + 1}, i32, s.start);
  Value offsetC = constantTensor<int32_t>(
      b, loc, {static_cast<int64_t>(s.offset.size())}, i32, s.offset);
  Value valuesC = constantTensor<int8_t>(
      b, loc, {std::max<int64_t>(stored, 1), isa.parts, partBytes}, i8, s.values);
  Value corrC = constantTensor<int32_t>(
      b, loc, {n}, i32, plan.compensation(isa.unsignedInput ? 128 : 0));
  Value m0C = constantTensor<int32_t>(b, loc, {n}, i32, plan.m0);
  ShiftBounds shifts = shiftBounds(plan.m0, plan.shift);
  Value shiftC = constantTensor<int8_t>(b, loc, {n}, i8, plan.shift);
  // Every stored register reads 4 whole input bytes: pad K to a multiple of
  // 4 (the padding meets zero weights).
  x = paddedInput(b, loc, x, m, kb * kGroup);

  auto accType = VectorType::get({lanes}, i32);
  auto partType = VectorType::get({partBytes}, i8);
  Value out = tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{m, n}, i8);

  // One column block: its per-channel data (masked for the partial last
  // block), then rows in tiles over its range of stored registers.
  return forEachSparseColumnBlock(b, loc, n, lanes, startC, out, [&](OpBuilder &b1, Location l1,
                                                                    const SparseColumnBlock &cb,
                                                                    Value dest) {
    auto idx = [&](OpBuilder &bb, int64_t v) {
      return arith::ConstantIndexOp::create(bb, l1, v);
    };
    auto readColumns = [&](Value source, VectorType type, Value pad) {
      return vector::TransferReadOp::create(b1, l1, type, source, ValueRange{cb.col}, pad,
                                            ArrayRef<bool>{!cb.partial});
    };
    Value pad32 = arith::ConstantOp::create(b1, l1, i32, b1.getI32IntegerAttr(0));
    Value pad8 = arith::ConstantOp::create(b1, l1, i8, b1.getI8IntegerAttr(0));
    Value pad1 = arith::ConstantOp::create(b1, l1, i8, b1.getI8IntegerAttr(1));
    Value corr = readColumns(corrC, accType, pad32);
    Value m0 = readColumns(m0C, accType, pad32);
    Value shift = readColumns(shiftC, VectorType::get({lanes}, i8), pad1);
    Value zeros = arith::ConstantOp::create(
        b1, l1, accType, DenseElementsAttr::get(accType, b1.getI32IntegerAttr(0)));

    // `rows` rows from `row0`, the stored registers in `unroll` sets: 2 for
    // a tile of the ISA's rows, 4 for a single row (so that it still has 4
    // independent dot chains).
    auto emitTile = [&](OpBuilder &b2, Location l2, Value row0, int64_t rows,
                        Value tileDest) -> Value {
      int64_t unroll = rows == 1 ? 4 : 2;
      SmallVector<Value> rowIdx, inits;
      for (int64_t r = 0; r < rows; ++r)
        rowIdx.push_back(arith::AddIOp::create(b2, l2, row0, idx(b2, r)));
      for (int64_t u = 0; u < unroll; ++u)
        for (int64_t r = 0; r < rows; ++r)
          inits.push_back(u == 0 ? corr : zeros);
      // `count` consecutive stored registers from `e`, into sets 0..count-1.
      auto step = [&](OpBuilder &b3, Location l3, Value e, ValueRange accs,
                      int64_t count) {
        SmallVector<Value> next(accs.begin(), accs.end());
        for (int64_t u = 0; u < count; ++u) {
          Value entry = arith::AddIOp::create(b3, l3, e, idx(b3, u));
          Value kOff = extractIndex(b3, l3, offsetC, entry);
          SmallVector<Value, 2> weights;
          for (int64_t p = 0; p < isa.parts; ++p)
            weights.push_back(isa.weight(
                b3, l3,
                vector::TransferReadOp::create(b3, l3, partType, valuesC,
                                               ValueRange{entry, idx(b3, p), idx(b3, 0)},
                                               pad8, ArrayRef<bool>{true})));
          for (int64_t r = 0; r < rows; ++r) {
            Value a4 = vector::TransferReadOp::create(
                b3, l3, VectorType::get({kGroup}, i8), x, ValueRange{rowIdx[r], kOff},
                pad8, ArrayRef<bool>{true});
            SmallVector<Value, 2> in = isa.input(b3, l3, isa, a4);
            next[u * rows + r] = isa.dot(b3, l3, next[u * rows + r], in, weights);
          }
        }
        return next;
      };
      Value count = arith::SubIOp::create(b2, l2, cb.last, cb.first);
      Value mainEnd = arith::AddIOp::create(
          b2, l2, cb.first,
          arith::MulIOp::create(b2, l2,
                                arith::DivUIOp::create(b2, l2, count, idx(b2, unroll)),
                                idx(b2, unroll)));
      SmallVector<Value> accs =
          scf::ForOp::create(b2, l2, cb.first, mainEnd, idx(b2, unroll), inits,
                             [&](OpBuilder &b3, Location l3, Value e, ValueRange it) {
                               scf::YieldOp::create(b3, l3, step(b3, l3, e, it, unroll));
                             })
              .getResults();
      SmallVector<Value> firstSet(accs.begin(), accs.begin() + rows);
      ValueRange rest = scf::ForOp::create(
                            b2, l2, mainEnd, cb.last, idx(b2, 1), firstSet,
                            [&](OpBuilder &b3, Location l3, Value e, ValueRange it) {
                              scf::YieldOp::create(b3, l3, step(b3, l3, e, it, 1));
                            })
                            .getResults();
      std::copy(rest.begin(), rest.end(), accs.begin());
      for (int64_t r = 0; r < rows; ++r) {
        Value acc = accs[r];
        for (int64_t u = 1; u < unroll; ++u)
          acc = arith::AddIOp::create(b2, l2, acc, accs[u * rows + r]);
        Value q = requantize(b2, l2, acc, m0, shift, plan.out, plan.range,
                             plan.doubleRound, shifts);
        tileDest = vector::TransferWriteOp::create(b2, l2, q, tileDest,
                                                   ValueRange{rowIdx[r], cb.col},
                                                   ArrayRef<bool>{!cb.partial})
                       .getResult();
      }
      return tileDest;
    };
    return forEachRowTile(b1, l1, m, isa.rows, dest, emitTile);
  });
}
