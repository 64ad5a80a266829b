//===- AmxKernel.cpp - int8 and bf16 FC on AMX tiles ---------------*- C++ -*-===//
//
// Fully connected layers (and convolutions through im2col) as loops of
// upstream `amx` ops. int8: tdpbssd multiplies a 16 x 64 int8 tile of the
// input by a 16 x 64 tile of weights packed at compile time (K in groups of
// 4 bytes per 32-bit element, the VNNI layout) into a 16 x 16 int32 tile;
// signed int8 inputs go in as they are (no +128 shift). bf16: tdpbf16ps on
// 16 x 32 bf16 tiles (K in pairs) into float32 tiles that start at the
// bias, so each output adds its products to the bias in increasing K, the
// order of the linalg loops (docs/numerics.md).
//
// The register tile is 2 x 2 accumulators (32 rows x 32 columns) fed by 2
// input and 2 weight tiles: all 8 tile registers, 4 independent chains.
// Each block's accumulator tiles are stored to a buffer and finished from
// there, still in cache (int8: requantized with the vector code of the
// other kernels, SPEC §5; bf16: rounded), during the next block's K loop.
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
constexpr int64_t kCols = 16;      // 32-bit columns per accumulator tile
constexpr int64_t kBlockTiles = 2; // accumulator tiles per block side
/// Packed weights up to this size are read from the L2 cache once per row
/// block (the Xeons with AMX so far have 2 MiB of L2): int8 measured best
/// up to half of it, bf16 up to all of it (1024^3: 488 -> 600 GFLOPS).
constexpr int64_t kL2WeightBytesInt8 = 1 << 20, kL2WeightBytesBf16 = 2 << 20;
/// With columns outside, a column group's weights for this many K tiles
/// (2 x 16 KiB) stay in the L1 cache while every row block of a chunk of
/// kChunkRowBlocks passes over them; longer K goes in blocks of it, the
/// accumulators kept between them in the group's slots (see emitTileLoops).
constexpr int64_t kKBlockTiles = 16, kChunkRowBlocks = 8;

/// The shape of one tile multiply's operands: `bytes` per input element
/// (1: int8, 2: bf16), 4 / bytes K values per 32-bit element of a weight
/// tile row, kTileBytes / bytes K values per input tile.
struct TileGeometry {
  int64_t m, k, n, bytes;
  int64_t rowsOutsideUpTo; // weight bytes up to which row blocks go outside
  int64_t tileK() const { return kTileBytes / bytes; }
  int64_t group() const { return 4 / bytes; }
  int64_t kTiles() const { return (k + tileK() - 1) / tileK(); }
  int64_t mTiles() const { return (m + kTileRows - 1) / kTileRows; }
  int64_t nTiles() const { return (n + kCols - 1) / kCols; }
  int64_t weightBytes() const { return nTiles() * kTiles() * kTileRows * kTileBytes; }
};

/// Which layers read their input tiles from x's rows in place instead of a
/// copy in tile order (rows outside only): up to 4 column tiles, each input
/// tile is read once or twice and a copy costs as much as the K loop; up to
/// 16 when K is not a whole number of tiles (rows apart by an odd number of
/// cache lines spread over the L1 sets). One thread, GOPS in place / copied:
/// 6400 x 24 x 864 885 / 491, 6400 x 96 x 864 1534 / 1217, 6400 x 256 x 864
/// 2178 / 1960, 1600 x 96 x 864 1831 / 1200; but 400 x 192 x 192 1319 /
/// 1411, 1024^3 2833 / 3446, 256 x 1024^2 2944 / 3880 (rows 1 KiB apart,
/// all in a few L1 sets).
bool readsInPlace(const TileGeometry &g) {
  return g.nTiles() <= 4 || (g.nTiles() <= 16 && g.k % g.tileK() != 0);
}

/// Weights [n, k] as B tiles: [column tile][K tile][K / group row][column][group].
template <typename T>
std::vector<T> packWeights(const TileGeometry &g, ArrayRef<T> weights) {
  int64_t kc = g.kTiles(), tileK = g.tileK(), group = g.group();
  std::vector<T> packed(g.nTiles() * kc * kTileRows * kCols * group, T(0));
  for (int64_t c = 0; c < g.n; ++c)
    for (int64_t i = 0; i < g.k; ++i) {
      int64_t tile = c / kCols, col = c % kCols;
      int64_t kt = i / tileK, row = (i % tileK) / group, part = i % group;
      packed[(((tile * kc + kt) * kTileRows + row) * kCols + col) * group + part] =
          weights[c * g.k + i];
    }
  return packed;
}

/// The input x [M, K] in A-tile order, [M/16][K/tileK][16][tileK],
/// zero-padded to whole tiles: each tile load reads 1 KiB in a row (for
/// wide layers 15-50% faster than strided loads of the rows in place, the
/// copy included; narrow ones read in place, readsInPlace). The tile loops
/// fill it a row block at a time, just before
/// they read it (copying all of it first cost 15% of the 1024^3 GEMM, the
/// copy just before the block's K loops 3%).
struct InputTiles {
  Value xRows, xBuf; // x as a buffer; xBuf in A-tile order
  Type element;      // of the tiles
};

InputTiles allocInputTiles(OpBuilder &b, Location loc, const TileGeometry &g, Value x,
                           Type element) {
  auto type = cast<RankedTensorType>(x.getType());
  Value xRows = bufferization::ToBufferOp::create(
      b, loc, MemRefType::get(type.getShape(), type.getElementType()), x, /*read_only=*/true);
  Value xBuf = memref::AllocOp::create(
      b, loc, MemRefType::get({g.mTiles(), g.kTiles(), kTileRows, g.tileK()}, element));
  return {xRows, xBuf, element};
}

/// Copies row tiles [first, first + count) of x into xBuf. One 64-byte row
/// of a tile per move (a transpose through linalg copied element by
/// element: a sixth of the int8 GEMM's time at 1024^3), in the order the
/// tiles are written; the padding is done here too (a partial last K tile
/// read with a mask, rows past M as zeros), not by a zero-filled copy
/// first. A float32 `x` for bf16 tiles is rounded on the way (nearest even,
/// as arith.truncf).
void copyInputTiles(OpBuilder &b, Location loc, const TileGeometry &g, const InputTiles &in,
                    Value first, int64_t count, bool parallel) {
  Value xRows = in.xRows, xBuf = in.xBuf;
  Type element = in.element;
  Type source = cast<MemRefType>(xRows.getType()).getElementType();
  auto idx = [&](OpBuilder &bb, int64_t v) {
    return arith::ConstantIndexOp::create(bb, loc, v).getResult();
  };
  int64_t m = g.m, tileK = g.tileK(), kc = g.kTiles();
  int64_t kFull = g.k / tileK;
  bool padded = g.mTiles() * kTileRows > m;
  auto type = VectorType::get({tileK}, element);
  auto rowLoop = [&](OpBuilder &b1, Value mt, Value kt, bool whole) {
    scf::ForOp::create(
        b1, loc, idx(b1, 0), idx(b1, kTileRows), idx(b1, 1), ValueRange{},
        [&](OpBuilder &b2, Location, Value r, ValueRange) {
          Value row = arith::AddIOp::create(
              b2, loc, arith::MulIOp::create(b2, loc, mt, idx(b2, kTileRows)), r);
          // Rows past M (only in a padded last tile) read row M - 1 and
          // write zeros.
          Value exists, readRow = row;
          if (padded) {
            exists =
                arith::CmpIOp::create(b2, loc, arith::CmpIPredicate::slt, row, idx(b2, m));
            readRow = arith::MinSIOp::create(b2, loc, row, idx(b2, m - 1));
          }
          Value pad = arith::ConstantOp::create(b2, loc, source, b2.getZeroAttr(source));
          Value v = vector::TransferReadOp::create(
              b2, loc, VectorType::get({tileK}, source), xRows,
              ValueRange{readRow, arith::MulIOp::create(b2, loc, kt, idx(b2, tileK))}, pad,
              ArrayRef<bool>{whole});
          if (source != element)
            v = arith::TruncFOp::create(b2, loc, type, v);
          if (padded)
            v = arith::SelectOp::create(
                b2, loc, exists, v,
                arith::ConstantOp::create(b2, loc, type, cast<TypedAttr>(b2.getZeroAttr(type))));
          vector::TransferWriteOp::create(b2, loc, v, xBuf, ValueRange{mt, kt, r, idx(b2, 0)},
                                          ArrayRef<bool>{true});
          scf::YieldOp::create(b2, loc);
        });
  };
  auto loop = scf::ForOp::create(
      b, loc, first, arith::AddIOp::create(b, loc, first, idx(b, count)), idx(b, 1),
      ValueRange{}, [&](OpBuilder &b1, Location, Value mt, ValueRange) {
        if (kFull > 0)
          scf::ForOp::create(b1, loc, idx(b1, 0), idx(b1, kFull), idx(b1, 1), ValueRange{},
                             [&](OpBuilder &b2, Location, Value kt, ValueRange) {
                               rowLoop(b2, mt, kt, /*whole=*/true);
                               scf::YieldOp::create(b2, loc);
                             });
        if (kc > kFull)
          rowLoop(b1, mt, idx(b1, kFull), /*whole=*/false);
        scf::YieldOp::create(b1, loc);
      });
  if (parallel)
    markParallel(loop);
}

/// A block of rowTiles x colTiles accumulator tiles from row `row0` and
/// column tile `tile0`; `lastColumns`: it holds the model's last columns.
struct BlockRef {
  Value slot; // the block's accumulator buffer: one per outer iteration
  Value row0;
  int64_t rowTiles;
  Value tile0;
  int64_t colTiles;
  bool lastColumns;
  bool inPlace = false; // its input tiles read from x's rows, not xBuf
  /// The K tiles [kFrom, kFrom + kLen) (null / 0: all of them); `resume`:
  /// the accumulators start from the slot (an earlier K block), not afresh.
  Value kFrom = nullptr;
  int64_t kLen = 0;
  bool resume = false;
  /// K-blocked: the group's next K block of weights is fetched into L1
  /// while this pass runs (a pass's first block used to wait on L3 for
  /// it): from K tile `prefetchK`, `prefetchPerStep` of its 64-byte lines
  /// per K step, from line `prefetchLine0` on.
  Value prefetchK = nullptr, prefetchLine0 = nullptr;
  int64_t prefetchPerStep = 0;
};

/// What differs between the int8 and the bf16 kernel.
struct TileKernel {
  amx::TileType inTile, accTile;
  /// The accumulator tile of column `col` before the first K step.
  function_ref<Value(OpBuilder &, Value col)> start;
  /// acc + a * w on the tile unit.
  function_ref<Value(OpBuilder &, Value a, Value w, Value acc)> multiply;
  /// What finishing a column tile needs, loaded once per block at `col`;
  /// `inBounds`: the tile holds no column past N.
  function_ref<SmallVector<Value>(OpBuilder &, Value col, bool inBounds)> columnData;
  /// Writes `acc`, the accumulators of row `row`, columns [col, col + 16),
  /// to the output.
  function_ref<void(OpBuilder &, Value acc, Value row, Value col, ArrayRef<Value> data,
                    bool inBounds)>
      finish;
};

// The loops shared by both kernels:
//   for each row block of 2 row tiles (parallel; columns outside instead
//   when the weights exceed rowsOutsideUpTo), each group of 2 column tiles:
//     C[2][2] = start; for kt: C[i][j] += X[rows i, kt] * W[cols j, kt]
//     accBuf[slot] = C
//     (during the next block's K loop) finish the block's rows
void emitTileLoops(OpBuilder &b, Location loc, const TileGeometry &g, const InputTiles &in,
                   Value wBuf, const TileKernel &kernel) {
  Value xBuf = in.xBuf;
  int64_t m = g.m, n = g.n, kc = g.kTiles(), mTiles = g.mTiles(), nTiles = g.nTiles();
  auto idx = [&](OpBuilder &bb, int64_t v) {
    return arith::ConstantIndexOp::create(bb, loc, v).getResult();
  };
  using StepFn = function_ref<void(OpBuilder &, Value kt)>;
  // The loop order keeps one operand in the L1 cache while the other
  // streams from L2 (below); the streamed one is loaded past L1.
  bool rowsOutside = g.weightBytes() <= g.rowsOutsideUpTo;
  int64_t groups = n / kCols / kBlockTiles, mainTiles = groups * kBlockTiles;
  int64_t rowBlocks = mTiles / kBlockTiles, mainRows = rowBlocks * kBlockTiles * kTileRows;
  // Each iteration of the outer loop (and its tail) stores its blocks'
  // accumulators into a 32 x 32 buffer of its own and reads them back from
  // there, in L1 (threads never share one). A buffer the shape of the
  // output put the 32 rows of a block 4 KiB apart (one L1 set) and streamed
  // M x N x 4 bytes through the caches: with it, the 1024^3 tile loop
  // measured 3,611 GOPS, with the small one 4,447.
  // Columns outside with a long K: K blocks (kKBlockTiles) within chunks
  // of row blocks, each group's chunk accumulating in a slot per row block.
  // Without them both operands of every tile multiply came from L2
  // (int8 256 x 4096^2, one thread: 2,800 GOPS without, 3,150 with; bf16
  // 256 x 4096^2 measured 4% slower with them, so int8 only).
  bool kBlocked = g.bytes == 1 && !rowsOutside && kc > kKBlockTiles && rowBlocks > 1;
  int64_t chunk = std::min(rowBlocks, kChunkRowBlocks);
  int64_t slots = rowsOutside ? rowBlocks + 1
                  : kBlocked  ? (groups + 1) * (chunk + 1)
                              : groups + 1;
  int64_t blockSide = kBlockTiles * kTileRows;
  Value accBuf = memref::AllocOp::create(
      b, loc,
      MemRefType::get({slots, blockSide, blockSide}, kernel.accTile.getElementType()));
  auto accVec = VectorType::get({kCols}, kernel.accTile.getElementType());
  // The K steps of a block's loop: its K block's, or all of K.
  auto kSteps = [&](const BlockRef &blk) { return blk.kLen ? blk.kLen : kc; };

  // Lines [line0 + ki * perStep, + perStep) of the panel of K tiles
  // [prefetchK, + kKBlockTiles) of the block's column tiles (clamped to
  // the weights; a prefetch of a line twice is harmless).
  auto prefetchWeights = [&](OpBuilder &b2, const BlockRef &blk, Value ki) {
    constexpr int64_t panelLines = kKBlockTiles * kTileRows;
    for (int64_t j = 0; j < blk.prefetchPerStep; ++j) {
      Value line = arith::AddIOp::create(
          b2, loc, blk.prefetchLine0,
          arith::AddIOp::create(
              b2, loc, arith::MulIOp::create(b2, loc, ki, idx(b2, blk.prefetchPerStep)),
              idx(b2, j)));
      Value c = arith::MinUIOp::create(
          b2, loc, arith::DivUIOp::create(b2, loc, line, idx(b2, panelLines)),
          idx(b2, blk.colTiles - 1));
      Value inPanel = arith::RemUIOp::create(b2, loc, line, idx(b2, panelLines));
      Value kt = arith::MinUIOp::create(
          b2, loc,
          arith::AddIOp::create(b2, loc, blk.prefetchK,
                                arith::DivUIOp::create(b2, loc, inPanel, idx(b2, kTileRows))),
          idx(b2, kc - 1));
      Value r = arith::RemUIOp::create(b2, loc, inPanel, idx(b2, kTileRows));
      Value tile = arith::AddIOp::create(b2, loc, blk.tile0, c);
      memref::PrefetchOp::create(b2, loc, wBuf, ValueRange{tile, kt, r, idx(b2, 0)},
                                 /*isWrite=*/false, /*localityHint=*/3, /*isDataCache=*/true);
    }
  };

  // The block's K loop into accBuf; `step` adds work to every K step.
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
    for (int64_t r = 0; r < blk.rowTiles; ++r)
      for (int64_t c = 0; c < blk.colTiles; ++c)
        inits.push_back(blk.resume ? amx::TileLoadOp::create(
                                         b1, loc, kernel.accTile, accBuf,
                                         ValueRange{blk.slot, idx(b1, r * kTileRows),
                                                    idx(b1, c * kCols)})
                                         .getResult()
                                   : kernel.start(b1, cols[c]));
    auto kLoop = scf::ForOp::create(
        b1, loc, idx(b1, 0), idx(b1, kSteps(blk)), idx(b1, 1), inits,
        [&](OpBuilder &b2, Location, Value ki, ValueRange accs) {
          Value zero = idx(b2, 0);
          Value kt = blk.kFrom ? arith::AddIOp::create(b2, loc, blk.kFrom, ki).getResult()
                               : ki;
          SmallVector<Value> a, w;
          auto load = [&](Value buf, ValueRange at, bool streamed) {
            auto op = amx::TileLoadOp::create(b2, loc, kernel.inTile, buf, at);
            if (streamed)
              op->setAttr(kStreamLoadAttr, b2.getUnitAttr());
            return op.getResult();
          };
          for (int64_t r = 0; r < blk.rowTiles; ++r) {
            if (blk.inPlace) // rows 16 apart in x, K apart each
              a.push_back(load(
                  in.xRows,
                  ValueRange{arith::AddIOp::create(b2, loc, blk.row0, idx(b2, r * kTileRows)),
                             arith::MulIOp::create(b2, loc, kt, idx(b2, g.tileK()))},
                  !rowsOutside));
            else
              a.push_back(load(xBuf, ValueRange{rowTiles[r], kt, zero, zero}, !rowsOutside));
          }
          for (int64_t c = 0; c < blk.colTiles; ++c)
            w.push_back(load(wBuf, ValueRange{tiles[c], kt, zero, zero}, rowsOutside));
          SmallVector<Value> next;
          for (int64_t r = 0; r < blk.rowTiles; ++r)
            for (int64_t c = 0; c < blk.colTiles; ++c)
              next.push_back(
                  kernel.multiply(b2, a[r], w[c], accs[r * blk.colTiles + c]));
          if (blk.prefetchK)
            prefetchWeights(b2, blk, ki);
          if (step)
            step(b2, ki);
          scf::YieldOp::create(b2, loc, next);
        });
    for (int64_t r = 0; r < blk.rowTiles; ++r)
      for (int64_t c = 0; c < blk.colTiles; ++c)
        amx::TileStoreOp::create(
            b1, loc, accBuf,
            ValueRange{blk.slot, idx(b1, r * kTileRows), idx(b1, c * kCols)},
            kLoop.getResult(r * blk.colTiles + c));
  };

  // Only the model's last column tile may be partial.
  auto inBoundsAt = [&](const BlockRef &blk, int64_t c) {
    return !(blk.lastColumns && c == blk.colTiles - 1 && n % kCols != 0);
  };
  // Per column tile of a block: its first column and the kernel's data,
  // loaded once per block (outside the row loops and the K loop they are
  // spread over).
  struct ColumnData {
    SmallVector<Value> col;
    SmallVector<SmallVector<Value>> data;
  };
  auto loadColumns = [&](OpBuilder &b1, const BlockRef &blk) {
    ColumnData cd;
    for (int64_t c = 0; c < blk.colTiles; ++c) {
      Value col = arith::MulIOp::create(
          b1, loc, arith::AddIOp::create(b1, loc, blk.tile0, idx(b1, c)), idx(b1, kCols));
      cd.col.push_back(col);
      cd.data.push_back(kernel.columnData(b1, col, inBoundsAt(blk, c)));
    }
    return cd;
  };
  // Finishes rows [row0 + lo, row0 + hi) of the block (those below M).
  auto finishRowsWith = [&](OpBuilder &b1, const BlockRef &blk, const ColumnData &cd,
                            Value lo, Value hi) {
    Value from = arith::AddIOp::create(b1, loc, blk.row0, lo);
    Value to = arith::MinSIOp::create(
        b1, loc, arith::AddIOp::create(b1, loc, blk.row0, hi), idx(b1, m));
    scf::ForOp::create(b1, loc, from, to, idx(b1, 1), ValueRange{},
                       [&](OpBuilder &b2, Location, Value row, ValueRange) {
                         Value r = arith::SubIOp::create(b2, loc, row, blk.row0);
                         Value pad = arith::ConstantOp::create(
                             b2, loc, accVec.getElementType(),
                             b2.getZeroAttr(accVec.getElementType()));
                         for (int64_t c = 0; c < blk.colTiles; ++c) {
                           Value acc = vector::TransferReadOp::create(
                               b2, loc, accVec, accBuf,
                               ValueRange{blk.slot, r, idx(b2, c * kCols)}, pad,
                               ArrayRef<bool>{true});
                           kernel.finish(b2, acc, row, cd.col[c], cd.data[c],
                                         inBoundsAt(blk, c));
                         }
                         scf::YieldOp::create(b2, loc);
                       });
  };
  auto finishRows = [&](OpBuilder &b1, const BlockRef &blk, Value lo, Value hi) {
    finishRowsWith(b1, blk, loadColumns(b1, blk), lo, hi);
  };

  // The K loop of `blk` with the finishing of `prev` spread over its K
  // steps (`step` gets the step's number, from 0), a few rows per step:
  // the vector units finish one block while the tile unit multiplies the
  // next (requantizing after each block left the tile unit idle for about
  // a fifth of the time).
  auto computeOverlapped = [&](OpBuilder &b1, const BlockRef &blk,
                               const BlockRef *prev) {
    if (!prev)
      return compute(b1, blk, nullptr);
    int64_t rows = prev->rowTiles * kTileRows;
    int64_t perStep = (rows + kSteps(blk) - 1) / kSteps(blk);
    BlockRef p = *prev;
    ColumnData columns = loadColumns(b1, p);
    compute(b1, blk, [&](OpBuilder &b2, Value kt) {
      Value lo = arith::MinSIOp::create(
          b2, loc, arith::MulIOp::create(b2, loc, kt, idx(b2, perStep)), idx(b2, rows));
      Value hi = arith::MinSIOp::create(
          b2, loc, arith::AddIOp::create(b2, loc, lo, idx(b2, perStep)), idx(b2, rows));
      finishRowsWith(b2, p, columns, lo, hi);
    });
  };

  // Blocks `count` uniform blocks (blockAt(v), v in [0, count)) and then
  // `tail` one after the other, each block's finishing overlapped with the
  // next one's K loop.
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
      finishRows(b1, *last, idx(b1, 0), idx(b1, last->rowTiles * kTileRows));
  };

  // The loop order keeps one operand in the L1 cache while the other
  // streams from L2: with weights that fit in L2, row blocks outside (a
  // block's 32 input rows are reused by every column group); with larger
  // weights, column groups outside (a group's weights are reused by every
  // row block, and the input streams). Column groups of whole tiles first,
  // then the rest (at most 2 tiles, the last maybe partial and written with
  // masks); row blocks of 2 tiles, then at most one of 1 tile. The outer
  // loop is split across threads; the inner one is a sequence.
  if (rowsOutside) {
    auto columnsOf = [&](OpBuilder &b1, Value row0, int64_t rowTiles, bool inPlace) {
      Value slot = arith::DivUIOp::create(b1, loc, row0, idx(b1, blockSide));
      std::optional<BlockRef> tail;
      if (nTiles > mainTiles)
        tail = BlockRef{slot, row0, rowTiles, idx(b1, mainTiles), nTiles - mainTiles, true,
                        inPlace};
      sequence(b1, groups,
               [&](OpBuilder &b2, Value gr) {
                 return BlockRef{slot,        row0,  rowTiles,
                                 arith::MulIOp::create(b2, loc, gr, idx(b2, kBlockTiles)),
                                 kBlockTiles, false, inPlace};
               },
               tail);
    };
    // Row blocks of a layer readsInPlace accepts load their tiles from x's
    // rows (stride K). Only blocks whose reads stay inside x: a partial last
    // K tile reads into the next row (its weights are zero there), so such
    // a block needs one more row after it.
    int64_t inPlaceBlocks = 0;
    if (in.element == cast<MemRefType>(in.xRows.getType()).getElementType() &&
        readsInPlace(g)) {
      int64_t end = m - (g.k % g.tileK() ? 1 : 0);
      inPlaceBlocks = std::min(rowBlocks, std::max<int64_t>(end, 0) / blockSide);
    }
    auto rowBlockLoop = [&](int64_t from, int64_t to, bool inPlace) {
      if (from >= to)
        return;
      markParallel(scf::ForOp::create(
          b, loc, idx(b, from * blockSide), idx(b, to * blockSide), idx(b, blockSide),
          ValueRange{}, [&](OpBuilder &b1, Location, Value row, ValueRange) {
            if (!inPlace)
              copyInputTiles(b1, loc, g, in,
                             arith::DivUIOp::create(b1, loc, row, idx(b1, kTileRows)),
                             kBlockTiles, /*parallel=*/false);
            columnsOf(b1, row, kBlockTiles, inPlace);
            scf::YieldOp::create(b1, loc);
          }));
    };
    rowBlockLoop(0, inPlaceBlocks, /*inPlace=*/true);
    rowBlockLoop(inPlaceBlocks, rowBlocks, /*inPlace=*/false);
    if (mTiles > rowBlocks * kBlockTiles) {
      copyInputTiles(b, loc, g, in, idx(b, rowBlocks * kBlockTiles), 1, /*parallel=*/false);
      columnsOf(b, idx(b, mainRows), 1, /*inPlace=*/false);
    }
  } else {
    // Every column group reads every row: all of x first.
    copyInputTiles(b, loc, g, in, idx(b, 0), mTiles, /*parallel=*/true);
    auto rowsOf = [&](OpBuilder &b1, Value tile0, int64_t colTiles, bool last) {
      Value slot = arith::DivUIOp::create(b1, loc, tile0, idx(b1, kBlockTiles));
      std::optional<BlockRef> tail;
      if (mTiles > rowBlocks * kBlockTiles)
        tail = BlockRef{slot, idx(b1, mainRows), 1, tile0, colTiles, last};
      sequence(b1, rowBlocks,
               [&](OpBuilder &b2, Value r) {
                 return BlockRef{slot, arith::MulIOp::create(b2, loc, r, idx(b2, blockSide)),
                                 kBlockTiles, tile0, colTiles, last};
               },
               tail);
    };
    // K-blocked: per chunk of row blocks, every block's first K block,
    // then the middle ones resuming from the slots, then the last with each
    // block's finishing overlapped with the next one's.
    auto rowsOfKBlocked = [&](OpBuilder &b1, Value tile0, int64_t colTiles, bool last) {
      Value base = arith::MulIOp::create(
          b1, loc, arith::DivUIOp::create(b1, loc, tile0, idx(b1, kBlockTiles)),
          idx(b1, chunk + 1));
      int64_t kBlocks = (kc + kKBlockTiles - 1) / kKBlockTiles;
      int64_t lastFrom = (kBlocks - 1) * kKBlockTiles, lastLen = kc - lastFrom;
      // `blocks` row blocks of 2 tiles from row0, then with `tail` the 1-tile one.
      auto chunkAt = [&](OpBuilder &b2, Value row0, int64_t blocks, bool tail) {
        auto blockAt = [&](OpBuilder &b3, Value i, int64_t rowTiles, Value kFrom,
                           int64_t kLen, bool resume) {
          return BlockRef{arith::AddIOp::create(b3, loc, base, i),
                          arith::AddIOp::create(
                              b3, loc, row0, arith::MulIOp::create(b3, loc, i, idx(b3, blockSide))),
                          rowTiles, tile0, colTiles, last, /*inPlace=*/false, kFrom, kLen,
                          resume};
        };
        // The next K block's weights spread over this pass's K steps.
        int64_t passSteps = (blocks + (tail ? 1 : 0)) * kKBlockTiles;
        int64_t perStep = (kKBlockTiles * kTileRows * colTiles + passSteps - 1) / passSteps;
        auto withPrefetch = [&](OpBuilder &b4, BlockRef blk, Value i) {
          blk.prefetchK = arith::AddIOp::create(b4, loc, blk.kFrom, idx(b4, kKBlockTiles));
          blk.prefetchLine0 =
              arith::MulIOp::create(b4, loc, i, idx(b4, kKBlockTiles * perStep));
          blk.prefetchPerStep = perStep;
          return blk;
        };
        auto pass = [&](OpBuilder &b3, Value kFrom, bool resume) {
          if (blocks > 0)
            scf::ForOp::create(b3, loc, idx(b3, 0), idx(b3, blocks), idx(b3, 1), ValueRange{},
                               [&](OpBuilder &b4, Location, Value i, ValueRange) {
                                 compute(b4,
                                         withPrefetch(b4,
                                                      blockAt(b4, i, kBlockTiles, kFrom,
                                                              kKBlockTiles, resume),
                                                      i),
                                         nullptr);
                                 scf::YieldOp::create(b4, loc);
                               });
          if (tail)
            compute(b3,
                    withPrefetch(b3, blockAt(b3, idx(b3, blocks), 1, kFrom, kKBlockTiles, resume),
                                 idx(b3, blocks)),
                    nullptr);
        };
        pass(b2, idx(b2, 0), /*resume=*/false);
        if (kBlocks > 2)
          scf::ForOp::create(
              b2, loc, idx(b2, kKBlockTiles), idx(b2, lastFrom), idx(b2, kKBlockTiles),
              ValueRange{}, [&](OpBuilder &b3, Location, Value kFrom, ValueRange) {
                pass(b3, kFrom, /*resume=*/true);
                scf::YieldOp::create(b3, loc);
              });
        Value from = idx(b2, lastFrom);
        std::optional<BlockRef> tailBlock;
        if (tail)
          tailBlock = blockAt(b2, idx(b2, blocks), 1, from, lastLen, true);
        sequence(b2, blocks,
                 [&](OpBuilder &b3, Value i) {
                   return blockAt(b3, i, kBlockTiles, from, lastLen, true);
                 },
                 tailBlock);
      };
      // The 1-tile row block joins the last chunk.
      bool hasTail = mTiles > rowBlocks * kBlockTiles;
      int64_t rem = rowBlocks % chunk, loopChunks = rowBlocks / chunk;
      if (rem == 0 && hasTail) {
        --loopChunks;
        rem = chunk;
      }
      if (loopChunks > 0)
        scf::ForOp::create(b1, loc, idx(b1, 0), idx(b1, loopChunks * chunk * blockSide),
                           idx(b1, chunk * blockSide), ValueRange{},
                           [&](OpBuilder &b2, Location, Value row0, ValueRange) {
                             chunkAt(b2, row0, chunk, false);
                             scf::YieldOp::create(b2, loc);
                           });
      if (rem > 0 || hasTail)
        chunkAt(b1, idx(b1, loopChunks * chunk * blockSide), rem, hasTail);
    };
    auto columnsOf = [&](OpBuilder &b1, Value tile0, int64_t colTiles, bool last) {
      if (kBlocked)
        rowsOfKBlocked(b1, tile0, colTiles, last);
      else
        rowsOf(b1, tile0, colTiles, last);
    };
    if (groups > 0)
      markParallel(scf::ForOp::create(
          b, loc, idx(b, 0), idx(b, mainTiles), idx(b, kBlockTiles), ValueRange{},
          [&](OpBuilder &b1, Location, Value tile, ValueRange) {
            columnsOf(b1, tile, kBlockTiles, /*last=*/false);
            scf::YieldOp::create(b1, loc);
          }));
    if (nTiles > mainTiles)
      columnsOf(b, idx(b, mainTiles), nTiles - mainTiles, /*last=*/true);
  }
}

/// constantTensor as a read-only buffer (the amx ops take memrefs).
template <typename T>
Value constantBuffer(OpBuilder &b, Location loc, ArrayRef<int64_t> shape, Type element,
                     ArrayRef<T> values) {
  return bufferization::ToBufferOp::create(b, loc, MemRefType::get(shape, element),
                                           constantTensor<T>(b, loc, shape, element, values),
                                           /*read_only=*/true);
}

/// Weights [n, k] packed as B tiles, as the buffer the tile loads read.
template <typename T>
Value weightBuffer(OpBuilder &b, Location loc, const TileGeometry &g, Type element,
                   ArrayRef<T> weights) {
  return constantBuffer<T>(b, loc, {g.nTiles(), g.kTiles(), kTileRows, kCols * g.group()},
                           element, packWeights<T>(g, weights));
}
} // namespace

// Pattern: fully_connected(x[M,K], const w[N,K] (z_w = 0), b[N])
//   Xp = x in A-tile order, W packed as B tiles
//   C = tdpbssd products from 0 (stored block by block, read back as acc)
//   y = requantize(acc + bias - z_x * colsum)
//   (float epilogue: float(acc - z_x * colsum) * (s * s_w) + bias, clamped)
Value qopt::packed::emitAmxKernel(OpBuilder &b, Location loc,
                                  const FullyConnectedPlan &plan, Value x,
                                  const FloatEpilogue *epilogue) {
  TileGeometry g{plan.m, plan.k, plan.n, /*bytes=*/1, kL2WeightBytesInt8};
  int64_t m = g.m, n = g.n;
  Type i8 = b.getI8Type(), i32 = b.getI32Type(), f32 = b.getF32Type();
  Value wBuf = weightBuffer<int8_t>(b, loc, g, i8, plan.weights);
  InputTiles in = allocInputTiles(b, loc, g, x, i8);
  // Signed inputs go in unshifted: sum (x - z) * w = sum x * w - z * colsum,
  // which the epilogue adds (in int32, where the order of adds is free).
  ColumnConstants columns = columnConstants(b, loc, plan, epilogue, /*inputShift=*/0);
  ShiftBounds shifts = shiftBounds(plan.m0, plan.shift);
  Value out =
      memref::AllocOp::create(b, loc, MemRefType::get({m, n}, epilogue ? f32 : i8));

  auto accTile = amx::TileType::get({kTileRows, kCols}, i32);
  auto accVec = VectorType::get({kCols}, i32);
  auto floatType = VectorType::get({kCols}, f32);
  auto start = [&](OpBuilder &b1, Value) -> Value {
    return amx::TileZeroOp::create(b1, loc, accTile);
  };
  auto multiply = [&](OpBuilder &b1, Value a, Value w, Value acc) -> Value {
    return amx::TileMulIOp::create(b1, loc, accTile, a, w, acc);
  };
  // int8: the compensation, multiplier and shift of each column; float: -z
  // * colsum, s * s_w and the bias.
  auto columnData = [&](OpBuilder &b1, Value col, bool inBounds) {
    Value pad32 = arith::ConstantOp::create(b1, loc, i32, b1.getI32IntegerAttr(0));
    Value pad8 = arith::ConstantOp::create(b1, loc, i8, b1.getI8IntegerAttr(1));
    Value padF = arith::ConstantOp::create(b1, loc, f32, b1.getF32FloatAttr(0.0f));
    auto perColumn = [&](Value source, VectorType type, Value pad) {
      return vector::TransferReadOp::create(b1, loc, type, source, ValueRange{col}, pad,
                                            ArrayRef<bool>{inBounds})
          .getResult();
    };
    if (!epilogue)
      return SmallVector<Value>{perColumn(columns.corr, accVec, pad32),
                                perColumn(columns.m0, accVec, pad32),
                                perColumn(columns.shift, VectorType::get({kCols}, i8), pad8)};
    Value startV = arith::MulIOp::create(
        b1, loc, perColumn(columns.colsum, accVec, pad32),
        vector::BroadcastOp::create(b1, loc, accVec, columns.negShiftZ));
    Value scale = arith::MulFOp::create(
        b1, loc, vector::BroadcastOp::create(b1, loc, floatType, epilogue->scale),
        perColumn(columns.weightScales, floatType, padF));
    return SmallVector<Value>{
        startV, scale, epilogue->bias ? perColumn(epilogue->bias, floatType, padF) : Value()};
  };
  auto finish = [&](OpBuilder &b2, Value acc, Value row, Value col, ArrayRef<Value> cd,
                    bool inBounds) {
    acc = arith::AddIOp::create(b2, loc, acc, cd[0]);
    Value result;
    if (!epilogue) {
      result = requantize(b2, loc, acc, cd[1], cd[2], plan.out, plan.range, plan.doubleRound,
                          shifts);
    } else {
      // float(acc) * (s * s_w) [+ bias], clamped: the portable lowering's
      // operations in its order.
      auto splatConst = [&](float v) {
        return vector::BroadcastOp::create(
            b2, loc, floatType, arith::ConstantOp::create(b2, loc, f32, b2.getF32FloatAttr(v)));
      };
      result = arith::MulFOp::create(
          b2, loc, arith::SIToFPOp::create(b2, loc, floatType, acc), cd[1]);
      if (cd[2])
        result = arith::AddFOp::create(b2, loc, result, cd[2]);
      if (epilogue->min)
        result = arith::MaxNumFOp::create(b2, loc, result, splatConst(*epilogue->min));
      if (epilogue->max)
        result = arith::MinNumFOp::create(b2, loc, result, splatConst(*epilogue->max));
    }
    vector::TransferWriteOp::create(b2, loc, result, out, ValueRange{row, col},
                                    ArrayRef<bool>{inBounds});
  };
  TileKernel kernel{amx::TileType::get({kTileRows, kTileBytes}, i8), accTile, start,
                    multiply, columnData, finish};
  emitTileLoops(b, loc, g, in, wBuf, kernel);
  return bufferization::ToTensorOp::create(
      b, loc, RankedTensorType::get({m, n}, epilogue ? f32 : i8), out, /*restrict=*/true,
      /*writable=*/true);
}

// Pattern: y[M,N] = init[N] + x[M,K] (bf16) * w[N,K]^T (bf16)
//   Xp = x in A-tile order, W packed as B tiles (K in pairs)
//   C = tdpbf16ps products from init (tiles loaded from 16 copies of init)
//   y = C, or C rounded to bf16
Value qopt::packed::emitAmxBf16Kernel(OpBuilder &b, Location loc, Value x,
                                      ArrayRef<uint16_t> weights, int64_t n,
                                      ArrayRef<float> init, Type outElement) {
  auto xType = cast<RankedTensorType>(x.getType());
  TileGeometry g{xType.getDimSize(0), xType.getDimSize(1), n, /*bytes=*/2,
                 kL2WeightBytesBf16};
  int64_t m = g.m, nPad = g.nTiles() * kCols;
  Type bf16 = b.getBF16Type(), f32 = b.getF32Type();
  Value wBuf = weightBuffer<uint16_t>(b, loc, g, bf16, weights);
  InputTiles in = allocInputTiles(b, loc, g, x, bf16);
  // 16 copies of init (zeros past N): the accumulators' first value.
  bool zeroInit = llvm::all_of(init, [](float v) { return v == 0.0f && !std::signbit(v); });
  Value initRows;
  if (!zeroInit) {
    std::vector<float> rows(kTileRows * nPad, 0.0f);
    for (int64_t r = 0; r < kTileRows; ++r)
      for (int64_t c = 0; c < n; ++c)
        rows[r * nPad + c] = init[c];
    initRows = constantBuffer<float>(b, loc, {kTileRows, nPad}, f32, rows);
  }
  Value out = memref::AllocOp::create(b, loc, MemRefType::get({m, n}, outElement));

  auto accTile = amx::TileType::get({kTileRows, kCols}, f32);
  auto start = [&](OpBuilder &b1, Value col) -> Value {
    if (zeroInit)
      return amx::TileZeroOp::create(b1, loc, accTile);
    Value zero = arith::ConstantIndexOp::create(b1, loc, 0);
    return amx::TileLoadOp::create(b1, loc, accTile, initRows, ValueRange{zero, col});
  };
  auto multiply = [&](OpBuilder &b1, Value a, Value w, Value c) -> Value {
    return amx::TileMulFOp::create(b1, loc, accTile, a, w, c);
  };
  auto columnData = [&](OpBuilder &, Value, bool) { return SmallVector<Value>{}; };
  auto finish = [&](OpBuilder &b2, Value v, Value row, Value col, ArrayRef<Value>,
                    bool inBounds) {
    if (outElement != f32)
      v = arith::TruncFOp::create(b2, loc, VectorType::get({kCols}, outElement), v);
    vector::TransferWriteOp::create(b2, loc, v, out, ValueRange{row, col},
                                    ArrayRef<bool>{inBounds});
  };
  TileKernel kernel{amx::TileType::get({kTileRows, kTileBytes / 2}, bf16), accTile, start,
                    multiply, columnData, finish};
  emitTileLoops(b, loc, g, in, wBuf, kernel);
  return bufferization::ToTensorOp::create(b, loc, RankedTensorType::get({m, n}, outElement),
                                           out, /*restrict=*/true, /*writable=*/true);
}
