//===- SparseFloatKernel.cpp - float32 FC on block-sparse weights -*- C++ -*-===//
//
// y[M,N] = init[N] + x[M,K] * w[N,K]^T on weights stored block-sparse:
// blocks of `lanes` output columns x 1 K value (one vector register of
// float32), only those with a non-zero weight, in K order per column block.
// Each output lane accumulates its products in increasing K with a separate
// multiply and add, as the dense linalg lowering does, so skipping products
// with zero weights leaves every output bit-identical to it (an infinite or
// NaN input that meets only zero weights is the exception: the dense loops
// turn it into NaN, this kernel never reads it).
//
//===----------------------------------------------------------------------===//

#include "PackedKernelsCommon.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace qopt;
using namespace qopt::packed;

Value qopt::packed::emitSparseFloatKernel(OpBuilder &b, Location loc, Value x,
                                          ArrayRef<float> weights, int64_t n,
                                          ArrayRef<float> init, int64_t lanes) {
  auto xType = cast<RankedTensorType>(x.getType());
  int64_t m = xType.getDimSize(0), k = xType.getDimSize(1);
  int64_t nb = (n + lanes - 1) / lanes, nFull = n / lanes;

  // Compile-time packing: [stored][lanes] values, their K, block starts.
  std::vector<int32_t> start{0}, offset;
  std::vector<float> values;
  for (int64_t block = 0; block < nb; ++block) {
    for (int64_t i = 0; i < k; ++i) {
      bool nonZero = false;
      for (int64_t lane = 0; lane < lanes; ++lane) {
        int64_t c = block * lanes + lane;
        float w = c < n ? weights[c * k + i] : 0.0f;
        nonZero |= w != 0.0f;
      }
      if (!nonZero)
        continue;
      offset.push_back(static_cast<int32_t>(i));
      for (int64_t lane = 0; lane < lanes; ++lane) {
        int64_t c = block * lanes + lane;
        values.push_back(c < n ? weights[c * k + i] : 0.0f);
      }
    }
    start.push_back(static_cast<int32_t>(offset.size()));
  }
  int64_t stored = static_cast<int64_t>(offset.size());
  if (stored == 0) { // tensors hold at least one element; none is read
    offset.push_back(0);
    values.assign(lanes, 0.0f);
  }

  Type f32 = b.getF32Type(), i32 = b.getI32Type();
  Value startC = constantTensor<int32_t>(b, loc, {nb + 1}, i32, start);
  Value offsetC = constantTensor<int32_t>(
      b, loc, {static_cast<int64_t>(offset.size())}, i32, offset);
  Value valuesC = constantTensor<float>(
      b, loc, {std::max<int64_t>(stored, 1), lanes}, f32, values);
  Value initC = constantTensor<float>(b, loc, {n}, f32, init);
  auto vecType = VectorType::get({lanes}, f32);
  Value out = tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{m, n}, f32);

  auto emitColumnBlock = [&](OpBuilder &b1, Location l1, Value block, bool partial,
                             Value dest) -> Value {
    auto idx = [&](OpBuilder &bb, int64_t v) {
      return arith::ConstantIndexOp::create(bb, l1, v);
    };
    auto extractIndex = [&](OpBuilder &bb, Location l, Value tensor, Value at) {
      Value v = tensor::ExtractOp::create(bb, l, tensor, ValueRange{at});
      return arith::IndexCastOp::create(bb, l, bb.getIndexType(), v);
    };
    Value first = extractIndex(b1, l1, startC, block);
    Value last = extractIndex(
        b1, l1, startC, arith::AddIOp::create(b1, l1, block, idx(b1, 1)));
    Value col = arith::MulIOp::create(b1, l1, block, idx(b1, lanes));
    Value padF = arith::ConstantOp::create(b1, l1, f32, b1.getF32FloatAttr(0));
    Value initV = vector::TransferReadOp::create(b1, l1, vecType, initC, ValueRange{col},
                                                 padF, ArrayRef<bool>{!partial});
    // `rows` rows from `row0`: one accumulator per row, K in order.
    auto emitTile = [&](OpBuilder &b2, Location l2, Value row0, int64_t rows,
                        Value tileDest) -> Value {
      SmallVector<Value> rowIdx;
      for (int64_t r = 0; r < rows; ++r)
        rowIdx.push_back(arith::AddIOp::create(b2, l2, row0, idx(b2, r)));
      SmallVector<Value> inits(rows, initV);
      ValueRange accs =
          scf::ForOp::create(
              b2, l2, first, last, idx(b2, 1), inits,
              [&](OpBuilder &b3, Location l3, Value e, ValueRange it) {
                Value kk = extractIndex(b3, l3, offsetC, e);
                Value w = vector::TransferReadOp::create(
                    b3, l3, vecType, valuesC, ValueRange{e, idx(b3, 0)}, padF,
                    ArrayRef<bool>{true});
                SmallVector<Value> next;
                for (int64_t r = 0; r < rows; ++r) {
                  Value xv = tensor::ExtractOp::create(b3, l3, x,
                                                       ValueRange{rowIdx[r], kk});
                  Value product = arith::MulFOp::create(
                      b3, l3, vector::BroadcastOp::create(b3, l3, vecType, xv), w);
                  next.push_back(arith::AddFOp::create(b3, l3, it[r], product));
                }
                scf::YieldOp::create(b3, l3, next);
              })
              .getResults();
      for (int64_t r = 0; r < rows; ++r)
        tileDest = vector::TransferWriteOp::create(b2, l2, accs[r], tileDest,
                                                   ValueRange{rowIdx[r], col},
                                                   ArrayRef<bool>{!partial})
                       .getResult();
      return tileDest;
    };
    // Tiles of 4 rows: 4 independent add chains share each weight load.
    int64_t tileRows = 4, mainRows = m / tileRows * tileRows;
    auto rowLoop = [&](int64_t from, int64_t to, int64_t rows) {
      dest = scf::ForOp::create(
                 b1, l1, idx(b1, from), idx(b1, to), idx(b1, rows), ValueRange{dest},
                 [&](OpBuilder &b2, Location l2, Value row, ValueRange args) {
                   scf::YieldOp::create(b2, l2, emitTile(b2, l2, row, rows, args[0]));
                 })
                 .getResult(0);
    };
    if (mainRows > 0)
      rowLoop(0, mainRows, tileRows);
    if (m > mainRows)
      rowLoop(mainRows, m, 1);
    return dest;
  };

  auto idx = [&](int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); };
  if (nFull > 0)
    out = scf::ForOp::create(
              b, loc, idx(0), idx(nFull), idx(1), ValueRange{out},
              [&](OpBuilder &b1, Location l1, Value block, ValueRange args) {
                scf::YieldOp::create(
                    b1, l1, emitColumnBlock(b1, l1, block, /*partial=*/false, args[0]));
              })
              .getResult(0);
  if (nb > nFull)
    out = emitColumnBlock(b, loc, idx(nFull), /*partial=*/true, out);
  return out;
}
