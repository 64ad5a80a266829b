//===- DenseFloatKernel.cpp - float32 FC on packed dense weights -*- C++ -*-===//
//
// y[M,N] = init[N] + x[M,K] * w[N,K]^T with constant weights packed at
// compile time as [column block][K][lanes]: a register tile of rows x
// column blocks accumulates one vector register per (row, block), each
// weight register serving every row and each broadcast input every block.
// Every output lane adds its products in increasing K with one fused
// multiply-add each, as the linalg loops do after qt-fuse-multiply-add, so
// outputs are bit-identical to them (and to the block-sparse kernel on the
// same weights).
//
//===----------------------------------------------------------------------===//

#include "PackedKernelsCommon.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "qopt/Transforms/ParallelLoops.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace qopt;
using namespace qopt::packed;

// Register tile: rows x up to 4 column blocks, enough rows for at least 8
// independent fma chains (2 FMA units x 4 cycles of latency): with 4
// blocks 2 rows (4 with 32 vector registers, AVX-512: 16 accumulators, a
// weight load per 4 fmas), with fewer blocks (narrow layers, the last
// columns) more rows — PP-OCRv4 det's 16- to 32-channel convolutions were
// latency-bound on 4 chains.
constexpr int64_t kTileBlocks = 4;
int64_t tileRows(int64_t blocks, int64_t lanes) {
  if (blocks >= kTileBlocks)
    return lanes >= 16 ? 4 : 2;
  return (8 + blocks - 1) / blocks;
}

Value qopt::packed::emitDenseFloatKernel(OpBuilder &b, Location loc, Value x,
                                         ArrayRef<float> weights, int64_t n,
                                         ArrayRef<float> init, int64_t lanes) {
  auto xType = cast<RankedTensorType>(x.getType());
  int64_t m = xType.getDimSize(0), k = xType.getDimSize(1);
  int64_t nb = (n + lanes - 1) / lanes, nFull = n / lanes;

  // [block][K][lanes]; lanes past N hold zeros (computed, never written).
  std::vector<float> values(nb * k * lanes, 0.0f);
  for (int64_t c = 0; c < n; ++c)
    for (int64_t i = 0; i < k; ++i)
      values[((c / lanes) * k + i) * lanes + c % lanes] = weights[c * k + i];
  Type f32 = b.getF32Type();
  Value valuesC = constantTensor<float>(b, loc, {nb, k, lanes}, f32, values);
  Value initC = constantTensor<float>(b, loc, {n}, f32, init);
  auto vecType = VectorType::get({lanes}, f32);
  Value out = tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{m, n}, f32);

  // `count` column blocks from `block0` (the last one partial when
  // `withTail`), all rows in tiles.
  auto emitGroup = [&](OpBuilder &b1, Location l1, Value block0, int64_t count,
                       bool withTail, Value dest) -> Value {
    auto idx = [&](OpBuilder &bb, int64_t v) {
      return arith::ConstantIndexOp::create(bb, l1, v);
    };
    auto inBounds = [&](int64_t u) { return !(withTail && u == count - 1); };
    Value padF = arith::ConstantOp::create(b1, l1, f32, b1.getF32FloatAttr(0));
    SmallVector<Value> blocks, cols, inits;
    for (int64_t u = 0; u < count; ++u) {
      blocks.push_back(arith::AddIOp::create(b1, l1, block0, idx(b1, u)));
      cols.push_back(arith::MulIOp::create(b1, l1, blocks[u], idx(b1, lanes)));
      inits.push_back(vector::TransferReadOp::create(b1, l1, vecType, initC,
                                                     ValueRange{cols[u]}, padF,
                                                     ArrayRef<bool>{inBounds(u)}));
    }
    auto emitTile = [&](OpBuilder &b2, Location l2, Value row0, int64_t rows,
                        Value tileDest) -> Value {
      SmallVector<Value> rowIdx, accInits;
      for (int64_t r = 0; r < rows; ++r) {
        rowIdx.push_back(arith::AddIOp::create(b2, l2, row0, idx(b2, r)));
        accInits.append(inits.begin(), inits.end());
      }
      ValueRange accs =
          scf::ForOp::create(
              b2, l2, idx(b2, 0), idx(b2, k), idx(b2, 1), accInits,
              [&](OpBuilder &b3, Location l3, Value kk, ValueRange it) {
                SmallVector<Value> w, next;
                for (int64_t u = 0; u < count; ++u)
                  w.push_back(vector::TransferReadOp::create(
                      b3, l3, vecType, valuesC, ValueRange{blocks[u], kk, idx(b3, 0)},
                      padF, ArrayRef<bool>{true}));
                for (int64_t r = 0; r < rows; ++r) {
                  Value xv = vector::BroadcastOp::create(
                      b3, l3, vecType,
                      tensor::ExtractOp::create(b3, l3, x, ValueRange{rowIdx[r], kk}));
                  for (int64_t u = 0; u < count; ++u)
                    next.push_back(
                        math::FmaOp::create(b3, l3, xv, w[u], it[r * count + u]));
                }
                scf::YieldOp::create(b3, l3, next);
              })
              .getResults();
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t u = 0; u < count; ++u)
          tileDest = vector::TransferWriteOp::create(b2, l2, accs[r * count + u], tileDest,
                                                     ValueRange{rowIdx[r], cols[u]},
                                                     ArrayRef<bool>{inBounds(u)})
                         .getResult();
      return tileDest;
    };
    return forEachRowTile(b1, l1, m, std::min(tileRows(count, lanes), std::max<int64_t>(m, 1)),
                          dest, emitTile);
  };

  auto idx = [&](int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); };
  // Column groups outside, rows inside: a group's weights stay in cache
  // while every row streams past them.
  int64_t mainBlocks = nFull / kTileBlocks * kTileBlocks;
  if (mainBlocks > 0)
    out = markParallel(scf::ForOp::create(b, loc, idx(0), idx(mainBlocks), idx(kTileBlocks),
                             ValueRange{out},
                             [&](OpBuilder &b1, Location l1, Value block, ValueRange args) {
                               scf::YieldOp::create(
                                   b1, l1,
                                   emitGroup(b1, l1, block, kTileBlocks, false, args[0]));
                             })
              ).getResult(0);
  if (nb > mainBlocks)
    out = emitGroup(b, loc, idx(mainBlocks), nb - mainBlocks, nb > nFull, out);
  return out;
}
