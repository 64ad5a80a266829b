//===- SparseFloatKernel.cpp - float32 FC on block-sparse weights -*- C++ -*-===//
//
// y[M,N] = init[N] + x[M,K] * w[N,K]^T on weights stored block-sparse:
// blocks of `lanes` output columns x 1 K value (one vector register of
// float32), only those with a non-zero weight, in K order per column block.
// Each output lane accumulates its products in increasing K with one fused
// multiply-add each, as the dense linalg lowering does, so skipping products
// with zero weights leaves every output bit-identical to it (an infinite or
// NaN input that meets only zero weights is the exception: the dense loops
// turn it into NaN, this kernel never reads it).
//
//===----------------------------------------------------------------------===//

#include "PackedKernelsCommon.h"
#include "mlir/Dialect/Math/IR/Math.h"

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
  int64_t nb = (n + lanes - 1) / lanes;

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

  return forEachSparseColumnBlock(b, loc, n, lanes, startC, out, [&](OpBuilder &b1, Location l1,
                                                                    const SparseColumnBlock &cb,
                                                                    Value dest) {
    auto idx = [&](OpBuilder &bb, int64_t v) {
      return arith::ConstantIndexOp::create(bb, l1, v);
    };
    Value padF = arith::ConstantOp::create(b1, l1, f32, b1.getF32FloatAttr(0));
    Value initV = vector::TransferReadOp::create(b1, l1, vecType, initC, ValueRange{cb.col},
                                                 padF, ArrayRef<bool>{!cb.partial});
    // `rows` rows from `row0` (tiles of 4: 4 independent add chains share
    // each weight load), one accumulator per row, K in order.
    auto emitTile = [&](OpBuilder &b2, Location l2, Value row0, int64_t rows,
                        Value tileDest) -> Value {
      SmallVector<Value> rowIdx;
      for (int64_t r = 0; r < rows; ++r)
        rowIdx.push_back(arith::AddIOp::create(b2, l2, row0, idx(b2, r)));
      SmallVector<Value> inits(rows, initV);
      ValueRange accs =
          scf::ForOp::create(
              b2, l2, cb.first, cb.last, idx(b2, 1), inits,
              [&](OpBuilder &b3, Location l3, Value e, ValueRange it) {
                Value kk = extractIndex(b3, l3, offsetC, e);
                Value w = vector::TransferReadOp::create(
                    b3, l3, vecType, valuesC, ValueRange{e, idx(b3, 0)}, padF,
                    ArrayRef<bool>{true});
                SmallVector<Value> next;
                for (int64_t r = 0; r < rows; ++r) {
                  Value xv = tensor::ExtractOp::create(b3, l3, x,
                                                       ValueRange{rowIdx[r], kk});
                  next.push_back(math::FmaOp::create(
                      b3, l3, vector::BroadcastOp::create(b3, l3, vecType, xv), w, it[r]));
                }
                scf::YieldOp::create(b3, l3, next);
              })
              .getResults();
      for (int64_t r = 0; r < rows; ++r)
        tileDest = vector::TransferWriteOp::create(b2, l2, accs[r], tileDest,
                                                   ValueRange{rowIdx[r], cb.col},
                                                   ArrayRef<bool>{!cb.partial})
                       .getResult();
      return tileDest;
    };
    return forEachRowTile(b1, l1, m, /*tileRows=*/4, dest, emitTile);
  });
}
