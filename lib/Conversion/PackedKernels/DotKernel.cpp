//===- DotKernel.cpp - int8 FC on 4-way dot-product instructions -*- C++ -*-===//
//
// qt.fully_connected (and qt.dynamic_fully_connected, with a float
// epilogue) -> register-tiled loops whose inner step is one 4-way int8 dot
// product per accumulator, on weights packed at compile time:
// vpdpbusd (zmm or ymm) on x86 with VNNI, vpmaddwd pairs on AVX2, sdot on
// AArch64 with dotprod, widening multiplies and pairwise adds on baseline
// NEON.
//
//===----------------------------------------------------------------------===//

#include "PackedKernelsCommon.h"
#include "qopt/Transforms/ParallelLoops.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace qopt;
using namespace qopt::packed;

namespace {

/// The 4 input bytes as one int32 broadcast to every lane, seen as bytes:
/// each lane multiplies them with its column's 4 weights. For u8 x s8
/// (vpdpbusd) each byte is flipped to x + 128 == x ^ 0x80 on the scalar
/// word, so the input is read in place.
SmallVector<Value, 2> broadcastInput(OpBuilder &b, Location l, const DotISA &isa,
                                     Value a4) {
  Type i32 = b.getI32Type();
  Value word = vector::ExtractOp::create(
      b, l, vector::BitCastOp::create(b, l, VectorType::get({1}, i32), a4),
      ArrayRef<int64_t>{0});
  if (isa.unsignedInput)
    word = arith::XOrIOp::create(
        b, l, word,
        arith::ConstantOp::create(b, l, i32,
                                  b.getI32IntegerAttr(int32_t(0x80808080u))));
  Value splat = vector::BroadcastOp::create(
      b, l, VectorType::get({isa.lanes}, i32), word);
  return {vector::BitCastOp::create(
      b, l, VectorType::get({isa.lanes * kGroup}, b.getI8Type()), splat)};
}

/// AVX2: the input's two K pairs as int16 pairs broadcast to every lane,
/// one vector per pair (vpmaddwd multiplies int16 pairs).
SmallVector<Value, 2> pairInput(OpBuilder &b, Location l, const DotISA &isa,
                                Value a4) {
  Type i16 = b.getI16Type(), i32 = b.getI32Type();
  Value wide = arith::ExtSIOp::create(b, l, VectorType::get({4}, i16), a4);
  Value pairs = vector::BitCastOp::create(b, l, VectorType::get({2}, i32), wide);
  SmallVector<Value, 2> out;
  for (int64_t p = 0; p < 2; ++p) {
    Value word = vector::ExtractOp::create(b, l, pairs, ArrayRef<int64_t>{p});
    Value splat = vector::BroadcastOp::create(
        b, l, VectorType::get({isa.lanes}, i32), word);
    out.push_back(vector::BitCastOp::create(
        b, l, VectorType::get({isa.lanes * 2}, i16), splat));
  }
  return out;
}

Value rawWeight(OpBuilder &, Location, Value w) { return w; }
/// vpmovsxbw: int8 weights to int16 once per load, shared by every row.
Value widenWeight(OpBuilder &b, Location l, Value w) {
  auto type = cast<VectorType>(w.getType());
  return arith::ExtSIOp::create(
      b, l, VectorType::get(type.getShape(), b.getI16Type()), w);
}

Value vpdpbusd(OpBuilder &b, Location l, Value acc, ArrayRef<Value> in,
               ArrayRef<Value> w) {
  return qt::X86VpdpbusdOp::create(b, l, acc.getType(), acc, in[0], w[0]);
}
Value sdot(OpBuilder &b, Location l, Value acc, ArrayRef<Value> in,
           ArrayRef<Value> w) {
  return qt::ArmSdotOp::create(b, l, acc.getType(), acc, in[0], w[0]);
}
/// Two vpmaddwd (exact: each int32 lane sums two int8 x int8 products, so
/// nothing saturates, unlike vpmaddubsw) and two adds per 4 K values.
Value pmaddwdPairs(OpBuilder &b, Location l, Value acc, ArrayRef<Value> in,
                   ArrayRef<Value> w) {
  for (int p = 0; p < 2; ++p)
    acc = arith::AddIOp::create(
        b, l, acc, qt::X86VpmaddwdOp::create(b, l, acc.getType(), in[p], w[p]));
  return acc;
}

/// AVX-512 VNNI: 16 lanes of vpdpbusd per zmm; 4 x 4 accumulators of 32 zmm.
constexpr DotISA kAVX512VNNI = {"avx512-vnni", 16, 1, true, 4, 4,
                                broadcastInput, rawWeight, vpdpbusd};
/// AVX-VNNI (or AVX-512 VNNI with VL): 8 lanes per ymm; 4 x 2 accumulators
/// fit the 16 ymm registers of an AVX-VNNI CPU without AVX-512.
constexpr DotISA kAVXVNNI = {"avx-vnni", 8, 1, true, 4, 2,
                             broadcastInput, rawWeight, vpdpbusd};
/// AVX2: K pairs (weights packed [pair][lane][2]), vpmovsxbw + vpmaddwd.
constexpr DotISA kAVX2 = {"avx2", 8, 2, false, 4, 2,
                          pairInput, widenWeight, pmaddwdPairs};

/// Baseline NEON (no dotprod): the AVX2 scheme in plain vector arithmetic,
/// int16 products widened to int32 and added in pairs (smull/smull2 and
/// addp on AArch64).
Value multiplyAddPairs(OpBuilder &b, Location l, Value acc, ArrayRef<Value> in,
                       ArrayRef<Value> w) {
  auto accType = cast<VectorType>(acc.getType());
  int64_t lanes = accType.getNumElements();
  auto wide = VectorType::get({2 * lanes}, accType.getElementType());
  SmallVector<int64_t> even, odd;
  for (int64_t i = 0; i < lanes; ++i) {
    even.push_back(2 * i);
    odd.push_back(2 * i + 1);
  }
  for (int p = 0; p < 2; ++p) {
    Value product = arith::MulIOp::create(b, l, arith::ExtSIOp::create(b, l, wide, in[p]),
                                          arith::ExtSIOp::create(b, l, wide, w[p]));
    Value pairs = arith::AddIOp::create(
        b, l, vector::ShuffleOp::create(b, l, product, product, even),
        vector::ShuffleOp::create(b, l, product, product, odd));
    acc = arith::AddIOp::create(b, l, acc, pairs);
  }
  return acc;
}
constexpr DotISA kNeon = {"neon", 4, 2, false, 4, 4,
                          pairInput, widenWeight, multiplyAddPairs};
/// AArch64 dotprod: 4 lanes of sdot (s8 x s8) per 128-bit register.
constexpr DotISA kNeonDotprod = {"neon-dotprod", 4, 1, false, 4, 4,
                                 broadcastInput, rawWeight, sdot};

} // namespace

const DotISA *qopt::packed::lookupDotISA(StringRef name) {
  for (const DotISA *isa : {&kAVX512VNNI, &kAVXVNNI, &kAVX2, &kNeonDotprod, &kNeon})
    if (isa->name == name)
      return isa;
  return nullptr;
}

// Pattern: fully_connected(x[M,K], const w[N,K] (z_w = 0), b[N])
//   -> for each group of column blocks, for each tile of rows:
//        acc = corr[block] (bias - (shift + z_x) * colsum)
//        for kb: acc = dot(acc, input(x[m, 4kb:4kb+4]), Wp[block, kb])
//        y[m, block] = requantize(acc)
// With a float epilogue (qt.dynamic_fully_connected): the accumulator
// starts at -(shift + z) * colsum, z known at run time, and
//        y[m, block] = float(acc) * (s * s_w[block]) + bias[block], clamped.
Value qopt::packed::emitDotKernel(OpBuilder &b, Location loc,
                                  const FullyConnectedPlan &plan, Value x,
                                  const DotISA &isa, const FloatEpilogue *epilogue) {
  const int64_t kLanes = isa.lanes;
  const int64_t perPart = kGroup / isa.parts; // K values per lane per part
  const int64_t partBytes = kLanes * perPart;
  int64_t m = plan.m, k = plan.k, n = plan.n;
  int64_t kb = (k + kGroup - 1) / kGroup, nb = (n + kLanes - 1) / kLanes;

  // Compile-time packing. Full blocks of kLanes columns are packed as
  // [block][kb][part][lane][perPart]; the last, partial block is kept at
  // its real width [kb][part][column][perPart] and read with masked loads,
  // and per-channel data is not padded: the object holds no bytes for
  // columns that do not exist.
  int64_t nFull = n / kLanes, tail = n % kLanes;
  std::vector<int8_t> packed(nFull * kb * kLanes * kGroup, 0);
  std::vector<int8_t> packedTail(kb * tail * kGroup, 0);
  for (int64_t c = 0; c < n; ++c) {
    int64_t block = c / kLanes, lane = c % kLanes;
    for (int64_t i = 0; i < k; ++i) {
      int64_t kk = i / kGroup, part = (i % kGroup) / perPart;
      int64_t within = lane * perPart + i % perPart;
      int8_t w = plan.weights[c * k + i];
      if (block < nFull)
        packed[((block * kb + kk) * isa.parts + part) * partBytes + within] = w;
      else
        packedTail[(kk * isa.parts + part) * tail * perPart + within] = w;
    }
  }

  Type i8 = b.getI8Type(), i32 = b.getI32Type(), f32 = b.getF32Type();
  Value wPacked, wTail;
  if (nFull > 0)
    wPacked = constantTensor<int8_t>(b, loc, {nFull, kb, isa.parts, partBytes},
                                     i8, packed);
  if (tail > 0)
    wTail = constantTensor<int8_t>(b, loc, {kb, isa.parts, tail * perPart}, i8,
                                   packedTail);
  int64_t inputShift = isa.unsignedInput ? 128 : 0;
  ColumnConstants columns = columnConstants(b, loc, plan, epilogue, inputShift);
  ShiftBounds shifts = shiftBounds(plan.m0, plan.shift);
  Value corrC = columns.corr, m0C = columns.m0, shiftC = columns.shift;
  Value colsumC = columns.colsum, weightScalesC = columns.weightScales;
  Value negShiftZ = columns.negShiftZ;
  // The input and the output are used in place: a partial last group of K
  // values is read with a masked load (zeros past K meet zero weights, even
  // flipped to 128), and partial column blocks are stored with masks.
  int64_t kFull = k / kGroup;

  auto accType = VectorType::get({kLanes}, i32);
  auto partType = VectorType::get({partBytes}, i8);
  Value outInit =
      tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{m, n}, epilogue ? f32 : i8);

  // Emits, for `rowCount` rows from `firstRow` and `count` consecutive
  // column blocks from `firstBlock` (the last one the partial block when
  // `withTail`), the K loop with one accumulator per (row, block):
  // independent chains hide the instruction's latency, each packed weight
  // register serves every row and each input every block. Then requantizes
  // and stores each tile.
  auto emitTile = [&](OpBuilder &b2, Location l2, Value firstRow,
                      int64_t rowCount, Value firstBlock, int64_t count,
                      bool withTail, Value dest) -> Value {
    auto idx = [&](int64_t v) { return arith::ConstantIndexOp::create(b2, l2, v); };
    // Only the partial block reads past the end of the per-channel arrays.
    auto isTail = [&](int64_t u) { return withTail && u == count - 1; };
    Value pad32 = arith::ConstantOp::create(b2, l2, i32, b2.getI32IntegerAttr(0));
    Value pad8 = arith::ConstantOp::create(b2, l2, i8, b2.getI8IntegerAttr(0));
    Value pad1 = arith::ConstantOp::create(b2, l2, i8, b2.getI8IntegerAttr(1));
    SmallVector<Value> blocks, cols, rowsV, inits;
    for (int64_t u = 0; u < count; ++u) {
      Value block = arith::AddIOp::create(b2, l2, firstBlock, idx(u));
      blocks.push_back(block);
      cols.push_back(arith::MulIOp::create(b2, l2, block, idx(kLanes)));
    }
    auto readColumns = [&](int64_t u, Value source, Type type, Value pad) {
      return vector::TransferReadOp::create(b2, l2, cast<VectorType>(type), source,
                                            ValueRange{cols[u]}, pad,
                                            ArrayRef<bool>{!isTail(u)});
    };
    for (int64_t r = 0; r < rowCount; ++r) {
      rowsV.push_back(arith::AddIOp::create(b2, l2, firstRow, idx(r)));
      for (int64_t u = 0; u < count; ++u)
        inits.push_back(
            epilogue ? arith::MulIOp::create(
                           b2, l2, readColumns(u, colsumC, accType, pad32),
                           vector::BroadcastOp::create(b2, l2, accType, negShiftZ))
                           .getResult()
                     : readColumns(u, corrC, accType, pad32).getResult());
    }
    // One step of 4 K values for every (row, block) accumulator; `partial`:
    // the last group of K values, fewer than 4, read with a mask.
    auto step = [&](OpBuilder &b3, Location l3, Value kk, ValueRange accs,
                    bool partial) {
      Value kOff = arith::MulIOp::create(
          b3, l3, kk, arith::ConstantIndexOp::create(b3, l3, kGroup));
      auto cIdx = [&](int64_t v) {
        return arith::ConstantIndexOp::create(b3, l3, v);
      };
      SmallVector<SmallVector<Value, 2>> weights(count);
      for (int64_t u = 0; u < count; ++u)
        for (int64_t p = 0; p < isa.parts; ++p) {
          Value raw =
              isTail(u)
                  ? vector::TransferReadOp::create(
                        b3, l3, partType, wTail, ValueRange{kk, cIdx(p), cIdx(0)},
                        pad8, ArrayRef<bool>{false})
                  : vector::TransferReadOp::create(
                        b3, l3, partType, wPacked,
                        ValueRange{blocks[u], kk, cIdx(p), cIdx(0)}, pad8,
                        ArrayRef<bool>{true});
          weights[u].push_back(isa.weight(b3, l3, raw));
        }
      SmallVector<Value> next;
      for (int64_t r = 0; r < rowCount; ++r) {
        Value a4 = vector::TransferReadOp::create(
            b3, l3, VectorType::get({kGroup}, i8), x, ValueRange{rowsV[r], kOff},
            pad8, ArrayRef<bool>{!partial});
        SmallVector<Value, 2> in = isa.input(b3, l3, isa, a4);
        for (int64_t u = 0; u < count; ++u)
          next.push_back(isa.dot(b3, l3, accs[r * count + u], in, weights[u]));
      }
      return next;
    };
    SmallVector<Value> accs = inits;
    if (kFull > 0)
      accs = scf::ForOp::create(
                 b2, l2, idx(0), idx(kFull), idx(1), inits,
                 [&](OpBuilder &b3, Location l3, Value kk, ValueRange iter) {
                   scf::YieldOp::create(b3, l3, step(b3, l3, kk, iter, false));
                 })
                 .getResults();
    if (kb > kFull)
      accs = step(b2, l2, idx(kFull), accs, true);
    auto floatType = VectorType::get({kLanes}, f32);
    Value padF = arith::ConstantOp::create(b2, l2, f32, b2.getF32FloatAttr(0.0f));
    // float(acc) * (s * s_w) [+ bias], clamped: the portable lowering's
    // operations in its order.
    auto toFloat = [&](Value acc, int64_t u) -> Value {
      auto splat = [&](Value scalar) {
        return vector::BroadcastOp::create(b2, l2, floatType, scalar).getResult();
      };
      auto splatConst = [&](float v) {
        return splat(arith::ConstantOp::create(b2, l2, f32, b2.getF32FloatAttr(v)));
      };
      Value scale = arith::MulFOp::create(b2, l2, splat(epilogue->scale),
                                          readColumns(u, weightScalesC, floatType, padF));
      Value v = arith::MulFOp::create(
          b2, l2, arith::SIToFPOp::create(b2, l2, floatType, acc), scale);
      if (epilogue->bias)
        v = arith::AddFOp::create(b2, l2, v,
                                  readColumns(u, epilogue->bias, floatType, padF));
      if (epilogue->min)
        v = arith::MaxNumFOp::create(b2, l2, v, splatConst(*epilogue->min));
      if (epilogue->max)
        v = arith::MinNumFOp::create(b2, l2, v, splatConst(*epilogue->max));
      return v;
    };
    for (int64_t t = 0; t < rowCount * count; ++t) {
      int64_t row = t / count, u = t % count;
      Value q = epilogue
                    ? toFloat(accs[t], u)
                    : requantize(b2, l2, accs[t], readColumns(u, m0C, accType, pad32),
                                 readColumns(u, shiftC, VectorType::get({kLanes}, i8), pad1),
                                 plan.out, plan.range, plan.doubleRound,
                                 shifts);
      dest = vector::TransferWriteOp::create(b2, l2, q, dest,
                                             ValueRange{rowsV[row], cols[u]},
                                             ArrayRef<bool>{!isTail(u)})
                 .getResult();
    }
    return dest;
  };

  int64_t mainBlocks = nFull / isa.blocks * isa.blocks;
  int64_t mainRows = m / isa.rows * isa.rows;
  // Column groups outside, rows inside: a group's packed weights stay in
  // cache while every row streams past them.
  auto emitGroup = [&](OpBuilder &b1, Location l, Value block, int64_t count,
                       bool withTail, Value out) -> Value {
    auto cIdx = [&](int64_t v) { return arith::ConstantIndexOp::create(b1, l, v); };
    auto rowLoop = [&](int64_t from, int64_t to, int64_t step) {
      out = markParallel(scf::ForOp::create(
                b1, l, cIdx(from), cIdx(to), cIdx(step), ValueRange{out},
                [&](OpBuilder &b2, Location l2, Value row, ValueRange args) {
                  scf::YieldOp::create(b2, l2,
                                       emitTile(b2, l2, row, step, block, count,
                                                withTail, args[0]));
                })
                ).getResult(0);
    };
    if (mainRows > 0)
      rowLoop(0, mainRows, isa.rows);
    if (m > mainRows)
      rowLoop(mainRows, m, 1);
    return out;
  };
  auto idx = [&](int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); };
  Value result = outInit;
  if (mainBlocks > 0)
    result = markParallel(scf::ForOp::create(
                 b, loc, idx(0), idx(mainBlocks), idx(isa.blocks), ValueRange{result},
                 [&](OpBuilder &b1, Location l, Value block, ValueRange args) {
                   scf::YieldOp::create(b1, l,
                                        emitGroup(b1, l, block, isa.blocks,
                                                  /*withTail=*/false, args[0]));
                 })
                 ).getResult(0);
  if (nb > mainBlocks)
    result = emitGroup(b, loc, idx(mainBlocks), nb - mainBlocks, tail > 0, result);
  return result;
}
