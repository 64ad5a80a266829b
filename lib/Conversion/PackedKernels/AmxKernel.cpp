//===- AmxKernel.cpp - int8 FC on AMX tiles ------------------------*- C++ -*-===//
//
// qt.fully_connected -> loops of upstream `amx` ops: tdpbssd multiplies a
// 16 x 64 int8 tile of the input by a 16 x 64 tile of weights packed at
// compile time (K in groups of 4 bytes per 32-bit element, the VNNI layout)
// into a 16 x 16 int32 tile. Signed int8 inputs go in as they are (no +128
// shift). The register tile is 2 x 2 accumulators (32 rows x 32 columns)
// fed by 2 input and 2 weight tiles: all 8 tile registers, 4 independent
// tdpbssd chains. Each block's int32 tiles are stored to an int32 buffer
// and requantized from there, still in cache, with the vector code of the
// other kernels (SPEC §5), so the results are those of every other kernel.
//
// The kernel works on buffers (the amx ops take memrefs): the input is
// copied into A-tile order (zero-padded to whole tiles), the output is a
// buffer handed back to the tensor world with bufferization.to_tensor.
// Measurements behind the choices (loop order, packing, overlapped
// requantization, the 2-row threshold): docs/performance.md.
//
//===----------------------------------------------------------------------===//

#include "PackedKernelsCommon.h"
#include "qopt/Transforms/ParallelLoops.h"

#include "mlir/Dialect/AMX/AMXDialect.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace qopt;
using namespace qopt::packed;

namespace {
constexpr int64_t kTileRows = 16;  // rows of every tile
constexpr int64_t kTileBytes = 64; // bytes per tile row
constexpr int64_t kTileK = 64;     // K values per input tile
constexpr int64_t kCols = 16;      // int32 columns per accumulator tile
constexpr int64_t kBlockTiles = 2; // accumulator tiles per block side
/// Packed weights up to this size are read from the L2 cache once per row
/// block (half of the 2 MiB L2 of the Xeons with AMX so far).
constexpr int64_t kL2WeightBytes = 1 << 20;
} // namespace

// Pattern: fully_connected(x[M,K], const w[N,K] (z_w = 0), b[N])
//   Xp = x in A-tile order [M16][K64][16][64], zero-padded
//   for each row block of 2 row tiles (parallel; columns outside instead
//   when the weights exceed kL2WeightBytes), each group of 2 column tiles:
//     C[2][2] = 0; for kt: C[i][j] += tdpbssd(Xp[rows i, kt], Wp[cols j, kt])
//     acc32[block] = C
//     (during the next block's K loop) y = requantize(acc32 + bias - z_x * colsum)
Value qopt::packed::emitAmxKernel(OpBuilder &b, Location loc,
                                  const FullyConnectedPlan &plan, Value x,
                                  const FloatEpilogue *epilogue) {
  int64_t m = plan.m, k = plan.k, n = plan.n;
  int64_t kc = (k + kTileK - 1) / kTileK;
  int64_t mPad = (m + kTileRows - 1) / kTileRows * kTileRows;
  int64_t nTiles = (n + kCols - 1) / kCols;

  // Weights as B tiles: [column tile][K tile][K/4 row][column][4].
  std::vector<int8_t> packedW(nTiles * kc * kTileRows * kTileBytes, 0);
  for (int64_t c = 0; c < n; ++c)
    for (int64_t i = 0; i < k; ++i) {
      int64_t tile = c / kCols, col = c % kCols;
      int64_t kt = i / kTileK, row = (i % kTileK) / kGroup, byte = i % kGroup;
      packedW[((tile * kc + kt) * kTileRows + row) * kTileBytes + col * kGroup +
              byte] = plan.weights[c * k + i];
    }

  Type i8 = b.getI8Type(), i32 = b.getI32Type();
  auto idx = [&](OpBuilder &bb, int64_t v) {
    return arith::ConstantIndexOp::create(bb, loc, v).getResult();
  };
  Value wTensor = constantTensor<int8_t>(b, loc, {nTiles, kc, kTileRows, kTileBytes},
                                         i8, packedW);
  Value wBuf = bufferization::ToBufferOp::create(
      b, loc, MemRefType::get({nTiles, kc, kTileRows, kTileBytes}, i8), wTensor,
      /*read_only=*/true);
  // The input as A tiles, [M/16][K/64][16][64], zero-padded to whole tiles:
  // each tile load reads 1 KiB in a row (measured 15-50% faster than
  // strided loads of the rows in place, the copy included). One 64-byte
  // row of a tile per move (a transpose through linalg copied byte by byte:
  // a sixth of the GEMM's time at 1024^3); the padding is done here too
  // (a partial last K tile read with a mask, rows past M as zeros), not by a
  // zero-filled copy first.
  int64_t mTiles = mPad / kTileRows, kFull = k / kTileK;
  Value xRows = bufferization::ToBufferOp::create(
      b, loc, MemRefType::get({m, k}, i8), x, /*read_only=*/true);
  Value xBuf =
      memref::AllocOp::create(b, loc, MemRefType::get({mTiles, kc, kTileRows, kTileK}, i8));
  markParallel(scf::ForOp::create(
      b, loc, idx(b, 0), idx(b, mTiles), idx(b, 1), ValueRange{},
      [&](OpBuilder &b1, Location, Value mt, ValueRange) {
        scf::ForOp::create(
            b1, loc, idx(b1, 0), idx(b1, kTileRows), idx(b1, 1), ValueRange{},
            [&](OpBuilder &b2, Location, Value r, ValueRange) {
              Value row = arith::AddIOp::create(
                  b2, loc, arith::MulIOp::create(b2, loc, mt, idx(b2, kTileRows)), r);
              // Rows past M (only in a padded last tile) read row M - 1 and
              // write zeros.
              bool padded = mPad > m;
              Value exists, readRow = row;
              if (padded) {
                exists = arith::CmpIOp::create(b2, loc, arith::CmpIPredicate::slt, row,
                                               idx(b2, m));
                readRow = arith::MinSIOp::create(b2, loc, row, idx(b2, m - 1));
              }
              auto type = VectorType::get({kTileK}, i8);
              auto move = [&](OpBuilder &b3, Value kt, bool whole) {
                Value pad = arith::ConstantOp::create(b3, loc, i8, b3.getI8IntegerAttr(0));
                Value v = vector::TransferReadOp::create(
                    b3, loc, type, xRows,
                    ValueRange{readRow, arith::MulIOp::create(b3, loc, kt, idx(b3, kTileK))},
                    pad, ArrayRef<bool>{whole});
                if (padded)
                  v = arith::SelectOp::create(
                      b3, loc, exists, v,
                      arith::ConstantOp::create(b3, loc, type,
                                                DenseElementsAttr::get(type, int8_t(0))));
                vector::TransferWriteOp::create(b3, loc, v, xBuf,
                                                ValueRange{mt, kt, r, idx(b3, 0)},
                                                ArrayRef<bool>{true});
              };
              if (kFull > 0)
                scf::ForOp::create(b2, loc, idx(b2, 0), idx(b2, kFull), idx(b2, 1),
                                   ValueRange{},
                                   [&](OpBuilder &b3, Location, Value kt, ValueRange) {
                                     move(b3, kt, /*whole=*/true);
                                     scf::YieldOp::create(b3, loc);
                                   });
              if (kc > kFull)
                move(b2, idx(b2, kFull), /*whole=*/false);
              scf::YieldOp::create(b2, loc);
            });
        scf::YieldOp::create(b1, loc);
      }));
  Type f32 = b.getF32Type();
  // Signed inputs go in unshifted: sum (x - z) * w = sum x * w - z * colsum,
  // which the epilogue adds (in int32, where the order of adds is free).
  ColumnConstants columns = columnConstants(b, loc, plan, epilogue, /*inputShift=*/0);
  Value corrC = columns.corr, m0C = columns.m0, shiftC = columns.shift;
  Value colsumC = columns.colsum, weightScalesC = columns.weightScales;
  Value negZ = columns.negShiftZ;
  Value out =
      memref::AllocOp::create(b, loc, MemRefType::get({m, n}, epilogue ? f32 : i8));
  // The int32 tiles go through memory on their way to requantization: each
  // block stores its own part of this buffer (so threads never share one)
  // and reads it back while it is still in cache.
  Value acc32 =
      memref::AllocOp::create(b, loc, MemRefType::get({mPad, nTiles * kCols}, i32));

  auto accTile = amx::TileType::get({kTileRows, kCols}, i32);
  auto inTile = amx::TileType::get({kTileRows, kTileBytes}, i8);
  auto accVec = VectorType::get({kCols}, i32);

  // A block of rowTiles x colTiles accumulator tiles from row `row0` and
  // column tile `tile0`; `lastColumns`: it holds the model's last columns.
  struct BlockRef {
    Value row0;
    int64_t rowTiles;
    Value tile0;
    int64_t colTiles;
    bool lastColumns;
  };
  using StepFn = function_ref<void(OpBuilder &, Value kt)>;

  // The block's K loop into acc32; `step` adds work to every K step.
  auto compute = [&](OpBuilder &b1, const BlockRef &blk, StepFn step) {
    SmallVector<Value> rowTiles, tiles, cols;
    Value firstRowTile = arith::DivUIOp::create(b1, loc, blk.row0, idx(b1, kTileRows));
    for (int64_t r = 0; r < blk.rowTiles; ++r)
      rowTiles.push_back(arith::AddIOp::create(b1, loc, firstRowTile, idx(b1, r)));
    for (int64_t c = 0; c < blk.colTiles; ++c) {
      tiles.push_back(arith::AddIOp::create(b1, loc, blk.tile0, idx(b1, c)));
      cols.push_back(arith::MulIOp::create(b1, loc, tiles[c], idx(b1, kCols)));
    }
    SmallVector<Value> inits;
    for (int64_t t = 0; t < blk.rowTiles * blk.colTiles; ++t)
      inits.push_back(amx::TileZeroOp::create(b1, loc, accTile));
    auto kLoop = scf::ForOp::create(
        b1, loc, idx(b1, 0), idx(b1, kc), idx(b1, 1), inits,
        [&](OpBuilder &b2, Location, Value kt, ValueRange accs) {
          Value zero = idx(b2, 0);
          SmallVector<Value> a, w;
          for (int64_t r = 0; r < blk.rowTiles; ++r)
            a.push_back(amx::TileLoadOp::create(b2, loc, inTile, xBuf,
                                                ValueRange{rowTiles[r], kt, zero, zero}));
          for (int64_t c = 0; c < blk.colTiles; ++c)
            w.push_back(amx::TileLoadOp::create(b2, loc, inTile, wBuf,
                                                ValueRange{tiles[c], kt, zero, zero}));
          SmallVector<Value> next;
          for (int64_t r = 0; r < blk.rowTiles; ++r)
            for (int64_t c = 0; c < blk.colTiles; ++c)
              next.push_back(amx::TileMulIOp::create(b2, loc, accTile, a[r], w[c],
                                                     accs[r * blk.colTiles + c]));
          if (step)
            step(b2, kt);
          scf::YieldOp::create(b2, loc, next);
        });
    for (int64_t r = 0; r < blk.rowTiles; ++r) {
      Value row = arith::AddIOp::create(b1, loc, blk.row0, idx(b1, r * kTileRows));
      for (int64_t c = 0; c < blk.colTiles; ++c)
        amx::TileStoreOp::create(b1, loc, acc32, ValueRange{row, cols[c]},
                                 kLoop.getResult(r * blk.colTiles + c));
    }
  };

  // What requantization needs per column tile of a block, loaded once per
  // block (outside the row loops and the K loop it is spread over): the
  // column offset and, for int8, the compensation, multiplier and shift;
  // for float, -z * colsum, s * s_w and the bias.
  struct ColumnData {
    SmallVector<Value> col;
    SmallVector<std::array<Value, 3>> v;
  };
  auto floatType = VectorType::get({kCols}, f32);
  auto loadColumns = [&](OpBuilder &b1, const BlockRef &blk) {
    ColumnData cd;
    Value pad32 = arith::ConstantOp::create(b1, loc, i32, b1.getI32IntegerAttr(0));
    Value pad8 = arith::ConstantOp::create(b1, loc, i8, b1.getI8IntegerAttr(1));
    Value padF = arith::ConstantOp::create(b1, loc, f32, b1.getF32FloatAttr(0.0f));
    for (int64_t c = 0; c < blk.colTiles; ++c) {
      // Only the model's last column tile may be partial.
      bool inBounds = !(blk.lastColumns && c == blk.colTiles - 1 && n % kCols != 0);
      Value col = arith::MulIOp::create(
          b1, loc, arith::AddIOp::create(b1, loc, blk.tile0, idx(b1, c)), idx(b1, kCols));
      auto perColumn = [&](Value source, VectorType type, Value pad) {
        return vector::TransferReadOp::create(b1, loc, type, source, ValueRange{col}, pad,
                                              ArrayRef<bool>{inBounds})
            .getResult();
      };
      cd.col.push_back(col);
      if (!epilogue) {
        cd.v.push_back({perColumn(corrC, accVec, pad32), perColumn(m0C, accVec, pad32),
                        perColumn(shiftC, VectorType::get({kCols}, i8), pad8)});
        continue;
      }
      Value start = arith::MulIOp::create(
          b1, loc, perColumn(colsumC, accVec, pad32),
          vector::BroadcastOp::create(b1, loc, accVec, negZ));
      Value scale = arith::MulFOp::create(
          b1, loc, vector::BroadcastOp::create(b1, loc, floatType, epilogue->scale),
          perColumn(weightScalesC, floatType, padF));
      cd.v.push_back({start, scale,
                      epilogue->bias ? perColumn(epilogue->bias, floatType, padF) : Value()});
    }
    return cd;
  };

  // Requantizes rows [row0 + lo, row0 + hi) of the block (those below M)
  // from acc32 into `out`.
  auto requantizeRowsWith = [&](OpBuilder &b1, const BlockRef &blk, const ColumnData &cd,
                                Value lo, Value hi) {
    Value from = arith::AddIOp::create(b1, loc, blk.row0, lo);
    Value to = arith::MinSIOp::create(
        b1, loc, arith::AddIOp::create(b1, loc, blk.row0, hi), idx(b1, m));
    scf::ForOp::create(
        b1, loc, from, to, idx(b1, 1), ValueRange{},
        [&](OpBuilder &b2, Location, Value row, ValueRange) {
          Value pad32 = arith::ConstantOp::create(b2, loc, i32, b2.getI32IntegerAttr(0));
          for (int64_t c = 0; c < blk.colTiles; ++c) {
            bool inBounds = !(blk.lastColumns && c == blk.colTiles - 1 && n % kCols != 0);
            Value acc = vector::TransferReadOp::create(
                b2, loc, accVec, acc32, ValueRange{row, cd.col[c]}, pad32,
                ArrayRef<bool>{true});
            Value result;
            if (!epilogue) {
              acc = arith::AddIOp::create(b2, loc, acc, cd.v[c][0]);
              result = requantize(b2, loc, acc, cd.v[c][1], cd.v[c][2], plan.out,
                                  plan.range, plan.doubleRound);
            } else {
              // float(acc) * (s * s_w) [+ bias], clamped: the portable
              // lowering's operations in its order.
              auto splatConst = [&](float v) {
                return vector::BroadcastOp::create(
                    b2, loc, floatType,
                    arith::ConstantOp::create(b2, loc, f32, b2.getF32FloatAttr(v)));
              };
              acc = arith::AddIOp::create(b2, loc, acc, cd.v[c][0]);
              result = arith::MulFOp::create(
                  b2, loc, arith::SIToFPOp::create(b2, loc, floatType, acc), cd.v[c][1]);
              if (cd.v[c][2])
                result = arith::AddFOp::create(b2, loc, result, cd.v[c][2]);
              if (epilogue->min)
                result = arith::MaxNumFOp::create(b2, loc, result, splatConst(*epilogue->min));
              if (epilogue->max)
                result = arith::MinNumFOp::create(b2, loc, result, splatConst(*epilogue->max));
            }
            vector::TransferWriteOp::create(b2, loc, result, out, ValueRange{row, cd.col[c]},
                                            ArrayRef<bool>{inBounds});
          }
          scf::YieldOp::create(b2, loc);
        });
  };
  auto requantizeRows = [&](OpBuilder &b1, const BlockRef &blk, Value lo, Value hi) {
    requantizeRowsWith(b1, blk, loadColumns(b1, blk), lo, hi);
  };

  // The K loop of `blk` with the requantization of `prev` spread over its
  // steps, a few rows per step: the vector units requantize one block while
  // the tile unit multiplies the next (requantizing after each block left
  // the tile unit idle for about a fifth of the time).
  auto computeOverlapped = [&](OpBuilder &b1, const BlockRef &blk,
                               const BlockRef *prev) {
    if (!prev)
      return compute(b1, blk, nullptr);
    int64_t rows = prev->rowTiles * kTileRows;
    int64_t perStep = (rows + kc - 1) / kc;
    BlockRef p = *prev;
    ColumnData columns = loadColumns(b1, p);
    compute(b1, blk, [&](OpBuilder &b2, Value kt) {
      Value lo = arith::MinSIOp::create(
          b2, loc, arith::MulIOp::create(b2, loc, kt, idx(b2, perStep)), idx(b2, rows));
      Value hi = arith::MinSIOp::create(
          b2, loc, arith::AddIOp::create(b2, loc, lo, idx(b2, perStep)), idx(b2, rows));
      requantizeRowsWith(b2, p, columns, lo, hi);
    });
  };

  // Blocks `count` uniform blocks (blockAt(v), v in [0, count)) and then
  // `tail` one after the other, each block's requantization overlapped with
  // the next one's K loop.
  auto sequence = [&](OpBuilder &b1, int64_t count,
                      function_ref<BlockRef(OpBuilder &, Value)> blockAt,
                      std::optional<BlockRef> tail) {
    std::optional<BlockRef> last;
    if (count > 0) {
      computeOverlapped(b1, blockAt(b1, idx(b1, 0)), nullptr);
      if (count > 1)
        scf::ForOp::create(b1, loc, idx(b1, 1), idx(b1, count), idx(b1, 1), ValueRange{},
                           [&](OpBuilder &b2, Location, Value v, ValueRange) {
                             BlockRef prev = blockAt(
                                 b2, arith::SubIOp::create(b2, loc, v, idx(b2, 1)));
                             computeOverlapped(b2, blockAt(b2, v), &prev);
                             scf::YieldOp::create(b2, loc);
                           });
      last = blockAt(b1, idx(b1, count - 1));
    }
    if (tail) {
      computeOverlapped(b1, *tail, last ? &*last : nullptr);
      last = tail;
    }
    if (last)
      requantizeRows(b1, *last, idx(b1, 0), idx(b1, last->rowTiles * kTileRows));
  };

  // The loop order keeps one operand in the L1 cache while the other
  // streams from L2: with weights that fit in L2, row blocks outside (a
  // block's 32 input rows are reused by every column group); with larger
  // weights, column groups outside (a group's weights are reused by every
  // row block, and the input streams). Column groups of whole tiles first,
  // then the rest (at most 2 tiles, the last maybe partial and written with
  // masks); row blocks of 2 tiles, then at most one of 1 tile. The outer
  // loop is split across threads; the inner one is a sequence.
  int64_t groups = n / kCols / kBlockTiles, mainTiles = groups * kBlockTiles;
  int64_t rowBlocks = mTiles / kBlockTiles, mainRows = rowBlocks * kBlockTiles * kTileRows;
  int64_t weightBytes = nTiles * kc * kTileRows * kTileBytes;
  if (weightBytes <= kL2WeightBytes) {
    auto columnsOf = [&](OpBuilder &b1, Value row0, int64_t rowTiles) {
      std::optional<BlockRef> tail;
      if (nTiles > mainTiles)
        tail = BlockRef{row0, rowTiles, idx(b1, mainTiles), nTiles - mainTiles, true};
      sequence(b1, groups,
               [&](OpBuilder &b2, Value g) {
                 return BlockRef{row0, rowTiles,
                                 arith::MulIOp::create(b2, loc, g, idx(b2, kBlockTiles)),
                                 kBlockTiles, false};
               },
               tail);
    };
    if (rowBlocks > 0)
      markParallel(scf::ForOp::create(
          b, loc, idx(b, 0), idx(b, mainRows), idx(b, kBlockTiles * kTileRows),
          ValueRange{}, [&](OpBuilder &b1, Location, Value row, ValueRange) {
            columnsOf(b1, row, kBlockTiles);
            scf::YieldOp::create(b1, loc);
          }));
    if (mTiles > rowBlocks * kBlockTiles)
      columnsOf(b, idx(b, mainRows), 1);
  } else {
    auto rowsOf = [&](OpBuilder &b1, Value tile0, int64_t colTiles, bool last) {
      std::optional<BlockRef> tail;
      if (mTiles > rowBlocks * kBlockTiles)
        tail = BlockRef{idx(b1, mainRows), 1, tile0, colTiles, last};
      sequence(b1, rowBlocks,
               [&](OpBuilder &b2, Value r) {
                 return BlockRef{
                     arith::MulIOp::create(b2, loc, r, idx(b2, kBlockTiles * kTileRows)),
                     kBlockTiles, tile0, colTiles, last};
               },
               tail);
    };
    if (groups > 0)
      markParallel(scf::ForOp::create(
          b, loc, idx(b, 0), idx(b, mainTiles), idx(b, kBlockTiles), ValueRange{},
          [&](OpBuilder &b1, Location, Value tile, ValueRange) {
            rowsOf(b1, tile, kBlockTiles, /*last=*/false);
            scf::YieldOp::create(b1, loc);
          }));
    if (nTiles > mainTiles)
      rowsOf(b, idx(b, mainTiles), nTiles - mainTiles, /*last=*/true);
  }
  return bufferization::ToTensorOp::create(
      b, loc, RankedTensorType::get({m, n}, epilogue ? f32 : i8), out, /*restrict=*/true,
      /*writable=*/true);
}
