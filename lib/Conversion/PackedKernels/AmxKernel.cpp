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
// The kernel works on buffers (the amx ops take memrefs): the input is read
// in place when its rows are whole tiles (M a multiple of 16, K of 64),
// otherwise from a zero-padded copy; the output is a buffer handed back to
// the tensor world with bufferization.to_tensor.
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
} // namespace

// Pattern: fully_connected(x[M,K], const w[N,K] (z_w = 0), b[N])
//   xp = x, or x zero-padded to [M16, K64] (multiples of 16 and 64)
//   for each group of 2 column tiles (parallel), each pair of row tiles:
//     C[2][2] = 0; for kc: C[i][j] += tdpbssd(xp[rows i, kc], Wp[col j, kc])
//     acc32[block] = C; y[row, col] = requantize(acc32 + bias - z_x * colsum)
Value qopt::packed::emitAmxKernel(OpBuilder &b, Location loc,
                                  const FullyConnectedPlan &plan, Value x) {
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
  Value xTiles =
      mPad == m && kc * kTileK == k ? x : paddedInput(b, loc, x, mPad, kc * kTileK);
  Value xBuf = bufferization::ToBufferOp::create(
      b, loc, MemRefType::get({mPad, kc * kTileK}, i8), xTiles, /*read_only=*/true);
  Value corrC = constantTensor<int32_t>(b, loc, {n}, i32, plan.compensation(0));
  Value m0C = constantTensor<int32_t>(b, loc, {n}, i32, plan.m0);
  Value shiftC = constantTensor<int8_t>(b, loc, {n}, i8, plan.shift);
  Value out = memref::AllocOp::create(b, loc, MemRefType::get({m, n}, i8));
  // The int32 tiles go through memory on their way to requantization: each
  // block stores its own part of this buffer (so threads never share one)
  // and reads it back while it is still in the L1 cache.
  Value acc32 =
      memref::AllocOp::create(b, loc, MemRefType::get({mPad, nTiles * kCols}, i32));

  auto accTile = amx::TileType::get({kTileRows, kCols}, i32);
  auto inTile = amx::TileType::get({kTileRows, kTileBytes}, i8);
  auto accVec = VectorType::get({kCols}, i32);

  // One block: `rowTiles` x `colTiles` accumulators from row `row0` and
  // column tile `tile0`, requantized into `out`.
  auto emitBlock = [&](OpBuilder &b1, Value row0, int64_t rowTiles, Value tile0,
                       int64_t colTiles, bool lastColumns) {
    OpBuilder &b2 = b1;
    SmallVector<Value> inits;
    for (int64_t t = 0; t < rowTiles * colTiles; ++t)
      inits.push_back(amx::TileZeroOp::create(b2, loc, accTile));
    SmallVector<Value> rows, tiles;
    for (int64_t r = 0; r < rowTiles; ++r)
      rows.push_back(arith::AddIOp::create(b2, loc, row0, idx(b2, r * kTileRows)));
    for (int64_t c = 0; c < colTiles; ++c)
      tiles.push_back(arith::AddIOp::create(b2, loc, tile0, idx(b2, c)));
    auto kLoop = scf::ForOp::create(
        b2, loc, idx(b2, 0), idx(b2, kc), idx(b2, 1), inits,
        [&](OpBuilder &b3, Location, Value kt, ValueRange accs) {
          Value kOff = arith::MulIOp::create(b3, loc, kt, idx(b3, kTileK));
          SmallVector<Value> a, w;
          for (int64_t r = 0; r < rowTiles; ++r)
            a.push_back(amx::TileLoadOp::create(b3, loc, inTile, xBuf,
                                                ValueRange{rows[r], kOff}));
          for (int64_t c = 0; c < colTiles; ++c)
            w.push_back(amx::TileLoadOp::create(
                b3, loc, inTile, wBuf,
                ValueRange{tiles[c], kt, idx(b3, 0), idx(b3, 0)}));
          SmallVector<Value> next;
          for (int64_t r = 0; r < rowTiles; ++r)
            for (int64_t c = 0; c < colTiles; ++c)
              next.push_back(amx::TileMulIOp::create(b3, loc, accTile, a[r], w[c],
                                                     accs[r * colTiles + c]));
          scf::YieldOp::create(b3, loc, next);
        });
    for (int64_t r = 0; r < rowTiles; ++r)
      for (int64_t c = 0; c < colTiles; ++c)
        amx::TileStoreOp::create(
            b2, loc, acc32,
            ValueRange{rows[r], arith::MulIOp::create(b2, loc, tiles[c],
                                                      idx(b2, kCols))},
            kLoop.getResult(r * colTiles + c));
    // Requantize the block's rows that exist (the padded ones are dropped).
    Value rowEnd = arith::MinSIOp::create(
        b2, loc, arith::AddIOp::create(b2, loc, row0, idx(b2, rowTiles * kTileRows)),
        idx(b2, m));
    scf::ForOp::create(
        b2, loc, row0, rowEnd, idx(b2, 1), ValueRange{},
        [&](OpBuilder &b3, Location, Value row, ValueRange) {
          Value pad32 = arith::ConstantOp::create(b3, loc, i32, b3.getI32IntegerAttr(0));
          Value pad8 = arith::ConstantOp::create(b3, loc, i8, b3.getI8IntegerAttr(1));
          for (int64_t c = 0; c < colTiles; ++c) {
            // Only the model's last column tile may be partial.
            bool inBounds = !(lastColumns && c == colTiles - 1 && n % kCols != 0);
            Value col = arith::MulIOp::create(b3, loc, tiles[c], idx(b3, kCols));
            auto perColumn = [&](Value source, VectorType type, Value pad) {
              return vector::TransferReadOp::create(b3, loc, type, source,
                                                    ValueRange{col}, pad,
                                                    ArrayRef<bool>{inBounds})
                  .getResult();
            };
            Value acc = vector::TransferReadOp::create(
                b3, loc, accVec, acc32, ValueRange{row, col},
                pad32, ArrayRef<bool>{true});
            acc = arith::AddIOp::create(b3, loc, acc, perColumn(corrC, accVec, pad32));
            Value q = requantize(b3, loc, acc, perColumn(m0C, accVec, pad32),
                                 perColumn(shiftC, VectorType::get({kCols}, i8), pad8),
                                 plan.out, plan.range, plan.doubleRound);
            vector::TransferWriteOp::create(b3, loc, q, out, ValueRange{row, col},
                                            ArrayRef<bool>{inBounds});
          }
          scf::YieldOp::create(b3, loc);
        });
  };

  // Column groups outside (a group's packed weights stay in cache while the
  // rows stream past), row blocks inside; both split across threads. Groups
  // of whole column tiles first; the rest (at most 2 tiles, the last maybe
  // partial and written with masks) after them.
  int64_t mainTiles = n / kCols / kBlockTiles * kBlockTiles;
  int64_t mainRows = mPad / (kBlockTiles * kTileRows) * (kBlockTiles * kTileRows);
  auto emitGroup = [&](OpBuilder &b1, Value tile0, int64_t colTiles, bool last) {
    if (mainRows > 0)
      markParallel(scf::ForOp::create(
          b1, loc, idx(b1, 0), idx(b1, mainRows), idx(b1, kBlockTiles * kTileRows),
          ValueRange{}, [&](OpBuilder &b2, Location, Value row, ValueRange) {
            emitBlock(b2, row, kBlockTiles, tile0, colTiles, last);
            scf::YieldOp::create(b2, loc);
          }));
    if (mPad > mainRows)
      emitBlock(b1, idx(b1, mainRows), 1, tile0, colTiles, last);
  };
  if (mainTiles > 0)
    markParallel(scf::ForOp::create(
        b, loc, idx(b, 0), idx(b, mainTiles), idx(b, kBlockTiles), ValueRange{},
        [&](OpBuilder &b1, Location, Value tile, ValueRange) {
          emitGroup(b1, tile, kBlockTiles, /*last=*/false);
          scf::YieldOp::create(b1, loc);
        }));
  if (nTiles > mainTiles)
    emitGroup(b, idx(b, mainTiles), nTiles - mainTiles, /*last=*/true);
  return bufferization::ToTensorOp::create(
      b, loc, RankedTensorType::get({m, n}, i8), out, /*restrict=*/true,
      /*writable=*/true);
}
