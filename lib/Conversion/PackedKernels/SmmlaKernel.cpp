//===- SmmlaKernel.cpp - int8 FC on AArch64 i8mm (smmla) ---------*- C++ -*-===//
//
// smmla multiplies a 2x8 int8 block of the input by a 2x8 block of the
// weights (transposed) into a 2x2 int32 tile: twice the MACs of sdot per
// instruction. Weights are packed at compile time in column pairs,
// [pair][K/8][2 columns][8]; two input rows are joined per step.
//
//===----------------------------------------------------------------------===//

#include "PackedKernelsCommon.h"
#include "qopt/Transforms/ParallelLoops.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <numeric>

using namespace mlir;
using namespace qopt;
using namespace qopt::packed;

namespace {
constexpr int64_t kDepth = 8;    // K values per smmla step
constexpr int64_t kRowPairs = 2; // register tile: 2 row pairs x
constexpr int64_t kColPairs = 4; //   4 column pairs = 8 accumulators
constexpr int64_t kGroupCols = 2 * kColPairs;
} // namespace

// Pattern: fully_connected(x[M,K], const w[N,K] (z_w = 0), b[N])
//   -> for each 8-column group, for each tile of 4 rows:
//        acc[rp, cp] (2x2) = 0
//        for kb: acc[rp, cp] = smmla(acc, x[2 rows, 8kb:8kb+8], Wp[cp, kb])
//        rows of the tiles gathered into 8 lanes, + corr, requantized
Value qopt::packed::emitSmmlaKernel(OpBuilder &b, Location loc,
                                    const FullyConnectedPlan &plan, Value x) {
  int64_t m = plan.m, k = plan.k, n = plan.n;
  int64_t kb = (k + kDepth - 1) / kDepth;
  int64_t groups = (n + kGroupCols - 1) / kGroupCols;
  int64_t fullGroups = n / kGroupCols;
  int64_t mPad = (m + 1) / 2 * 2;

  // Columns are padded with zero weights to whole groups; per-channel data
  // is not padded (the last group reads it with masks).
  int64_t pairs = groups * kColPairs;
  std::vector<int8_t> packedW(pairs * kb * 2 * kDepth, 0);
  for (int64_t c = 0; c < n; ++c)
    for (int64_t i = 0; i < k; ++i)
      packedW[(((c / 2) * kb + i / kDepth) * 2 + c % 2) * kDepth + i % kDepth] =
          plan.weights[c * k + i];

  Type i8 = b.getI8Type(), i32 = b.getI32Type();
  Value wPacked =
      constantTensor<int8_t>(b, loc, {pairs, kb, 2 * kDepth}, i8, packedW);
  Value corrC = constantTensor<int32_t>(b, loc, {n}, i32, plan.compensation(0));
  Value m0C = constantTensor<int32_t>(b, loc, {n}, i32, plan.m0);
  ShiftBounds shifts = shiftBounds(plan.m0, plan.shift);
  Value shiftC = constantTensor<int8_t>(b, loc, {n}, i8, plan.shift);
  Value xs = paddedInput(b, loc, x, mPad, kb * kDepth);
  Value outInit =
      tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{mPad, groups * kGroupCols}, i8);

  auto tile4 = VectorType::get({4}, i32);
  auto bytes16 = VectorType::get({2 * kDepth}, i8);
  auto bytes8 = VectorType::get({kDepth}, i8);
  auto lanes8 = VectorType::get({kGroupCols}, i32);

  // One 8-column group (`inBounds`: its per-channel data is all there) for
  // `rowPairs` row pairs from `firstRow`.
  auto emitTile = [&](OpBuilder &b2, Location l2, Value firstRow,
                      int64_t rowPairs, Value group, bool inBounds,
                      Value dest) -> Value {
    auto idx = [&](int64_t v) { return arith::ConstantIndexOp::create(b2, l2, v); };
    Value col = arith::MulIOp::create(b2, l2, group, idx(kGroupCols));
    Value firstPair = arith::MulIOp::create(b2, l2, group, idx(kColPairs));
    Value zeros = arith::ConstantOp::create(b2, l2, tile4,
                                            DenseElementsAttr::get(tile4, b2.getI32IntegerAttr(0)));
    SmallVector<Value> rows, inits;
    for (int64_t r = 0; r < 2 * rowPairs; ++r)
      rows.push_back(arith::AddIOp::create(b2, l2, firstRow, idx(r)));
    inits.assign(rowPairs * kColPairs, zeros);
    auto inner = scf::ForOp::create(
        b2, l2, idx(0), idx(kb), idx(1), inits,
        [&](OpBuilder &b3, Location l3, Value kk, ValueRange accs) {
          auto cIdx = [&](int64_t v) { return arith::ConstantIndexOp::create(b3, l3, v); };
          Value pad8 = arith::ConstantOp::create(b3, l3, i8, b3.getI8IntegerAttr(0));
          Value kOff = arith::MulIOp::create(b3, l3, kk, cIdx(kDepth));
          SmallVector<Value> w;
          for (int64_t cp = 0; cp < kColPairs; ++cp)
            w.push_back(vector::TransferReadOp::create(
                b3, l3, bytes16, wPacked,
                ValueRange{arith::AddIOp::create(b3, l3, firstPair, cIdx(cp)), kk,
                           cIdx(0)},
                pad8, ArrayRef<bool>{true}));
          SmallVector<Value> next;
          for (int64_t rp = 0; rp < rowPairs; ++rp) {
            Value r0 = vector::TransferReadOp::create(
                b3, l3, bytes8, xs, ValueRange{rows[2 * rp], kOff}, pad8,
                ArrayRef<bool>{true});
            Value r1 = vector::TransferReadOp::create(
                b3, l3, bytes8, xs, ValueRange{rows[2 * rp + 1], kOff}, pad8,
                ArrayRef<bool>{true});
            SmallVector<int64_t> both(2 * kDepth);
            std::iota(both.begin(), both.end(), 0);
            Value a = vector::ShuffleOp::create(b3, l3, r0, r1, both);
            for (int64_t cp = 0; cp < kColPairs; ++cp)
              next.push_back(qt::ArmSmmlaOp::create(
                  b3, l3, tile4, accs[rp * kColPairs + cp], a, w[cp]));
          }
          scf::YieldOp::create(b3, l3, next);
        });
    Value pad32 = arith::ConstantOp::create(b2, l2, i32, b2.getI32IntegerAttr(0));
    Value pad1 = arith::ConstantOp::create(b2, l2, i8, b2.getI8IntegerAttr(1));
    auto read = [&](Value source, VectorType type, Value pad) {
      return vector::TransferReadOp::create(b2, l2, type, source, ValueRange{col},
                                            pad, ArrayRef<bool>{inBounds});
    };
    Value corr = read(corrC, lanes8, pad32);
    Value m0 = read(m0C, lanes8, pad32);
    Value shift = read(shiftC, VectorType::get({kGroupCols}, i8), pad1);
    for (int64_t rp = 0; rp < rowPairs; ++rp)
      for (int64_t half = 0; half < 2; ++half) {
        // Tile cp holds [r0 c0, r0 c1, r1 c0, r1 c1] of its column pair.
        auto acc = [&](int64_t cp) { return inner.getResult(rp * kColPairs + cp); };
        int64_t lo = 2 * half;
        Value left = vector::ShuffleOp::create(b2, l2, acc(0), acc(1),
                                               ArrayRef<int64_t>{lo, lo + 1, lo + 4, lo + 5});
        Value right = vector::ShuffleOp::create(b2, l2, acc(2), acc(3),
                                                ArrayRef<int64_t>{lo, lo + 1, lo + 4, lo + 5});
        Value row = vector::ShuffleOp::create(
            b2, l2, left, right, ArrayRef<int64_t>{0, 1, 2, 3, 4, 5, 6, 7});
        row = arith::AddIOp::create(b2, l2, row, corr);
        Value q = requantize(b2, l2, row, m0, shift, plan.out, plan.range,
                             plan.doubleRound, shifts);
        dest = vector::TransferWriteOp::create(b2, l2, q, dest,
                                               ValueRange{rows[2 * rp + half], col},
                                               ArrayRef<bool>{true})
                   .getResult();
      }
    return dest;
  };

  int64_t mainRows = mPad / (2 * kRowPairs) * (2 * kRowPairs);
  auto emitGroup = [&](OpBuilder &b1, Location l, Value group, bool inBounds,
                       Value out) -> Value {
    auto cIdx = [&](int64_t v) { return arith::ConstantIndexOp::create(b1, l, v); };
    auto rowLoop = [&](int64_t from, int64_t to, int64_t rowPairs) {
      out = markParallel(scf::ForOp::create(
                b1, l, cIdx(from), cIdx(to), cIdx(2 * rowPairs), ValueRange{out},
                [&](OpBuilder &b2, Location l2, Value row, ValueRange args) {
                  scf::YieldOp::create(b2, l2, emitTile(b2, l2, row, rowPairs, group,
                                                        inBounds, args[0]));
                })
                ).getResult(0);
    };
    if (mainRows > 0)
      rowLoop(0, mainRows, kRowPairs);
    if (mPad > mainRows)
      rowLoop(mainRows, mPad, 1);
    return out;
  };
  auto idx = [&](int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); };
  Value result = outInit;
  if (fullGroups > 0)
    result = markParallel(scf::ForOp::create(
                 b, loc, idx(0), idx(fullGroups), idx(1), ValueRange{result},
                 [&](OpBuilder &b1, Location l, Value group, ValueRange args) {
                   scf::YieldOp::create(b1, l, emitGroup(b1, l, group, true, args[0]));
                 })
                 ).getResult(0);
  if (groups > fullGroups)
    result = emitGroup(b, loc, idx(fullGroups), false, result);
  if (mPad == m && groups * kGroupCols == n)
    return result;
  SmallVector<OpFoldResult> offsets(2, b.getIndexAttr(0)),
      sizes = {b.getIndexAttr(m), b.getIndexAttr(n)}, strides(2, b.getIndexAttr(1));
  return tensor::ExtractSliceOp::create(b, loc, RankedTensorType::get({m, n}, i8),
                                        result, offsets, sizes, strides);
}
