//===- PackedKernelsCommon.cpp - shared by the packed int8 kernels -*- C++ -*-===//

#include "PackedKernelsCommon.h"
#include "qopt/Transforms/ParallelLoops.h"
#include "qopt/Conversion/Padding.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace qopt;
using namespace qopt::packed;

std::optional<std::vector<int8_t>> qopt::packed::constantWeights(Value weight) {
  auto cast = weight.getDefiningOp<quant::StorageCastOp>();
  DenseElementsAttr attr;
  if (!cast || !matchPattern(cast.getInput(), m_Constant(&attr)) ||
      !attr.getElementType().isInteger(8))
    return std::nullopt;
  return std::vector<int8_t>(attr.getValues<int8_t>().begin(),
                             attr.getValues<int8_t>().end());
}

ref::QuantParams qopt::packed::tensorParams(Type type) {
  auto q = cast<quant::UniformQuantizedType>(
      cast<ShapedType>(type).getElementType());
  return {static_cast<float>(q.getScale()),
          static_cast<int32_t>(q.getZeroPoint())};
}

std::optional<std::vector<float>> qopt::packed::symmetricWeightScales(Type weightType) {
  Type wq = cast<ShapedType>(weightType).getElementType();
  std::vector<float> scales;
  if (!cast<quant::QuantizedType>(wq).isSigned() ||
      cast<quant::QuantizedType>(wq).getStorageTypeIntegralWidth() != 8)
    return std::nullopt;
  if (auto perAxis = dyn_cast<quant::UniformQuantizedPerAxisType>(wq)) {
    if (llvm::any_of(perAxis.getZeroPoints(), [](int64_t z) { return z != 0; }))
      return std::nullopt;
    for (double s : perAxis.getScales())
      scales.push_back(static_cast<float>(s));
    return scales;
  }
  auto uniform = cast<quant::UniformQuantizedType>(wq);
  if (uniform.getZeroPoint() != 0)
    return std::nullopt;
  scales.push_back(static_cast<float>(uniform.getScale()));
  return scales;
}

ref::StorageRange qopt::packed::outputRange(ref::QuantParams out,
                                            std::optional<APFloat> min,
                                            std::optional<APFloat> max) {
  auto toFloat = [](std::optional<APFloat> v) -> std::optional<float> {
    if (!v)
      return std::nullopt;
    return v->convertToFloat();
  };
  return ref::activationRange(out, toFloat(min), toFloat(max));
}

std::vector<int32_t>
FullyConnectedPlan::compensation(int64_t inputShift) const {
  std::vector<int32_t> corr(n);
  for (int64_t c = 0; c < n; ++c)
    corr[c] = static_cast<int32_t>(bias[c] -
                                   (inputShift + int64_t(in.zeroPoint)) * colsum[c]);
  return corr;
}

FailureOr<FullyConnectedPlan> qopt::packed::planFullyConnected(qt::FullyConnectedOp op) {
  auto weights = constantWeights(op.getWeight());
  auto wScales = symmetricWeightScales(op.getWeight().getType());
  if (!weights || !wScales)
    return failure();
  auto wType = op.getWeight().getType();
  auto inElem = cast<quant::QuantizedType>(op.getInput().getType().getElementType());
  auto outElem = cast<quant::QuantizedType>(op.getType().getElementType());
  if (!inElem.isSigned() || inElem.getStorageTypeIntegralWidth() != 8 ||
      !outElem.isSigned() || outElem.getStorageTypeIntegralWidth() != 8)
    return failure();

  FullyConnectedPlan p;
  p.in = tensorParams(op.getInput().getType());
  p.out = tensorParams(op.getType());
  p.m = op.getInput().getType().getDimSize(0);
  p.k = wType.getDimSize(1);
  p.n = wType.getDimSize(0);
  p.weights = std::move(*weights);
  p.bias.assign(p.n, 0);
  if (Value b = op.getBias()) {
    DenseElementsAttr attr;
    if (!matchPattern(b, m_Constant(&attr)))
      return failure();
    p.bias.assign(attr.getValues<int32_t>().begin(), attr.getValues<int32_t>().end());
  }
  p.colsum.assign(p.n, 0);
  p.m0.assign(p.n, 0);
  p.shift.assign(p.n, 1);
  for (int64_t c = 0; c < p.n; ++c) {
    for (int64_t i = 0; i < p.k; ++i)
      p.colsum[c] += p.weights[c * p.k + i];
    float sw = (*wScales)[wScales->size() == 1 ? 0 : c];
    auto mult = ref::quantizeMultiplier(double(p.in.scale) * sw / p.out.scale);
    if (!mult)
      return failure(); // convert-qt-to-linalg reports it
    if (!mult->roundsToZero) {
      p.m0[c] = mult->m0;
      p.shift[c] = mult->shift;
    }
  }
  p.range = outputRange(p.out, op.getMin(), op.getMax());
  return p;
}

Value qopt::packed::paddedInput(OpBuilder &b, Location loc, Value x,
                                int64_t rows, int64_t cols) {
  Type i8 = b.getI8Type();
  auto type = cast<RankedTensorType>(x.getType());
  int64_t m = type.getDimSize(0), k = type.getDimSize(1);
  if (rows == m && cols == k)
    return x;
  Value zero = arith::ConstantOp::create(b, loc, i8, b.getI8IntegerAttr(0));
  Value padded = tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{rows, cols}, i8);
  padded = linalg::FillOp::create(b, loc, zero, padded).getResult(0);
  SmallVector<OpFoldResult> offsets(2, b.getIndexAttr(0)),
      sizes = {b.getIndexAttr(m), b.getIndexAttr(k)}, strides(2, b.getIndexAttr(1));
  return tensor::InsertSliceOp::create(b, loc, x, padded, offsets, sizes, strides);
}

/// im2col of the padded x as vector copies of each tap's C channels (64
/// bytes at a time, then the rest): rows[(n OH + y) OW + x, (i KW + j) C +
/// c] = x[n, y sh + i dh, x sw + j dw, c]; output rows of images split
/// across threads. The 6-D linalg copy it replaces ran as scalar-indexed
/// loops: 14% of PP-OCRv4 det int8 at batch 8, 17% of det float32.
static Value im2colCopies(OpBuilder &b, Location loc, Value x, int64_t kh, int64_t kw,
                          int64_t oh, int64_t ow, ArrayRef<int64_t> stride,
                          ArrayRef<int64_t> dilation) {
  auto inType = cast<RankedTensorType>(x.getType());
  Type element = inType.getElementType();
  int64_t n = inType.getDimSize(0), c = inType.getDimSize(3);
  int64_t lanes = 64 / (element.getIntOrFloatBitWidth() / 8);
  auto idx = [&](OpBuilder &bb, int64_t v) {
    return arith::ConstantIndexOp::create(bb, loc, v).getResult();
  };
  Value in = bufferization::ToBufferOp::create(
      b, loc, MemRefType::get(inType.getShape(), element), x, /*read_only=*/true);
  auto rowsType = MemRefType::get({n * oh * ow, kh * kw * c}, element);
  Value rows = memref::AllocOp::create(b, loc, rowsType);
  Value pad = arith::ConstantOp::create(b, loc, element, b.getZeroAttr(element));
  // Copies x[img, yy, xx, from : from + width) to rows[row, col0 + from ...).
  auto copy = [&](OpBuilder &bb, Value img, Value yy, Value xx, Value row, Value col0,
                  Value from, int64_t width) {
    auto type = VectorType::get({width}, element);
    Value v = vector::TransferReadOp::create(bb, loc, type, in, ValueRange{img, yy, xx, from},
                                             pad, ArrayRef<bool>{true});
    vector::TransferWriteOp::create(bb, loc, v, rows,
                                    ValueRange{row, arith::AddIOp::create(bb, loc, col0, from)},
                                    ArrayRef<bool>{true});
  };
  markParallel(scf::ForOp::create(
      b, loc, idx(b, 0), idx(b, n * oh), idx(b, 1), ValueRange{},
      [&](OpBuilder &b1, Location, Value r, ValueRange) {
        Value img = arith::DivUIOp::create(b1, loc, r, idx(b1, oh));
        Value y = arith::RemUIOp::create(b1, loc, r, idx(b1, oh));
        Value y0 = arith::MulIOp::create(b1, loc, y, idx(b1, stride[0]));
        scf::ForOp::create(
            b1, loc, idx(b1, 0), idx(b1, ow), idx(b1, 1), ValueRange{},
            [&](OpBuilder &b2, Location, Value ox, ValueRange) {
              Value row = arith::AddIOp::create(
                  b2, loc, arith::MulIOp::create(b2, loc, r, idx(b2, ow)), ox);
              Value x0 = arith::MulIOp::create(b2, loc, ox, idx(b2, stride[1]));
              for (int64_t i = 0; i < kh; ++i)
                for (int64_t j = 0; j < kw; ++j) {
                  Value yy = arith::AddIOp::create(b2, loc, y0, idx(b2, i * dilation[0]));
                  Value xx = arith::AddIOp::create(b2, loc, x0, idx(b2, j * dilation[1]));
                  Value col0 = idx(b2, (i * kw + j) * c);
                  int64_t whole = c / lanes * lanes;
                  if (whole > 0)
                    scf::ForOp::create(b2, loc, idx(b2, 0), idx(b2, whole), idx(b2, lanes),
                                       ValueRange{},
                                       [&](OpBuilder &b3, Location, Value from, ValueRange) {
                                         copy(b3, img, yy, xx, row, col0, from, lanes);
                                         scf::YieldOp::create(b3, loc);
                                       });
                  if (c > whole)
                    copy(b2, img, yy, xx, row, col0, idx(b2, whole), c - whole);
                }
              scf::YieldOp::create(b2, loc);
            });
        scf::YieldOp::create(b1, loc);
      }));
  return bufferization::ToTensorOp::create(b, loc,
                                           RankedTensorType::get(rowsType.getShape(), element),
                                           rows, /*restrict=*/true, /*writable=*/true);
}

Value qopt::packed::im2col(OpBuilder &b, Location loc, Value x, int64_t kh,
                           int64_t kw, int64_t oh, int64_t ow, ArrayRef<int64_t> pad,
                           ArrayRef<int64_t> stride, ArrayRef<int64_t> dilation,
                           int64_t padValue) {
  MLIRContext *ctx = b.getContext();
  auto inType = cast<RankedTensorType>(x.getType());
  Type element = inType.getElementType();
  int64_t n = inType.getDimSize(0), c = inType.getDimSize(3);
  x = padSpatially(b, loc, x, pad, padValue);
  if (element.isInteger(8) || element.isF32())
    return im2colCopies(b, loc, x, kh, kw, oh, ow, stride, dilation);
  // patches[n, oh, ow, kh, kw, c] = x[n, oh*sh + kh*dh, ow*sw + kw*dw, c]
  AffineExpr dn, doh, dow, dkh, dkw, dc;
  bindDims(ctx, dn, doh, dow, dkh, dkw, dc);
  auto patchType = RankedTensorType::get({n, oh, ow, kh, kw, c}, element);
  Value empty = tensor::EmptyOp::create(b, loc, patchType.getShape(), element);
  Value patches =
      linalg::GenericOp::create(
          b, loc, TypeRange{patchType}, ValueRange{x}, ValueRange{empty},
          ArrayRef<AffineMap>{
              AffineMap::get(6, 0,
                             {dn, doh * stride[0] + dkh * dilation[0],
                              dow * stride[1] + dkw * dilation[1], dc},
                             ctx),
              b.getMultiDimIdentityMap(6)},
          SmallVector<utils::IteratorType>(6, utils::IteratorType::parallel),
          [](OpBuilder &nb, Location l, ValueRange args) {
            linalg::YieldOp::create(nb, l, args[0]);
          })
          .getResult(0);
  return tensor::CollapseShapeOp::create(
      b, loc, patches, SmallVector<ReassociationIndices>{{0, 1, 2}, {3, 4, 5}});
}

ShiftBounds qopt::packed::shiftBounds(ArrayRef<int32_t> m0, ArrayRef<int8_t> shift) {
  ShiftBounds bounds{63, 0};
  for (auto [m, n] : llvm::zip_equal(m0, shift))
    if (m != 0) {
      bounds.min = std::min<int>(bounds.min, n);
      bounds.max = std::max<int>(bounds.max, n);
    }
  if (bounds.min > bounds.max) // every column rounds to 0: any form gives z_out
    bounds = {32, 32};
  return bounds;
}

/// `v` in every lane of the integer vector `type`.
static Value splat(OpBuilder &b, Location loc, VectorType type, int64_t v) {
  return arith::ConstantOp::create(
      b, loc, type, DenseElementsAttr::get(type, b.getIntegerAttr(type.getElementType(), v)));
}

/// acc * M0 rounded and shifted right by n >= 32, in 32-bit lanes. With
/// x = acc * M0 = hi * 2^32 + lo (lo unsigned), adding 2^(n-1) and shifting
/// by 32 first is exact for arithmetic shifts:
///   n > 32:  (x + 2^(n-1)) >> n = (hi + 2^(n-33)) >> (n - 32)
///   n = 32:  (x + 2^31) >> 32  = hi + (lo >> 31, unsigned)
/// |hi| <= 2^30 and 2^(n-33) <= 2^29, so nothing overflows. Lanes with
/// M0 = 0 (and tail padding) may carry any shift: s is clamped at 0, and
/// hi = lo = 0 there gives 0 for every s.
static Value roundedHighProduct(OpBuilder &b, Location loc, Value acc, Value m0,
                                Value shift, ShiftBounds shifts) {
  auto v32 = cast<VectorType>(acc.getType());
  auto splat = [&](int64_t v) { return ::splat(b, loc, v32, v); };
  auto product = arith::MulSIExtendedOp::create(b, loc, acc, m0);
  Value hi = product.getHigh();
  auto carry = [&] { return arith::ShRUIOp::create(b, loc, product.getLow(), splat(31)); };
  if (shifts.max == 32)
    return arith::AddIOp::create(b, loc, hi, carry());
  Value s = arith::MaxSIOp::create(
      b, loc, arith::SubIOp::create(b, loc, arith::ExtSIOp::create(b, loc, v32, shift), splat(32)),
      splat(0));
  Value round = arith::ShRUIOp::create(b, loc, arith::ShLIOp::create(b, loc, splat(1), s),
                                       splat(1)); // 2^(s-1), 0 when s = 0
  if (shifts.min == 32)
    round = arith::SelectOp::create(
        b, loc, arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, s, splat(0)), carry(),
        round);
  return arith::ShRSIOp::create(b, loc, arith::AddIOp::create(b, loc, hi, round), s);
}

/// acc * M0 rounded and shifted right by n in 64-bit lanes (any n in
/// [1, 62]), with TOSA's DOUBLE_ROUND when asked.
static Value roundedProduct64(OpBuilder &b, Location loc, Value acc, Value m0, Value shift,
                              bool doubleRound) {
  auto v64 = VectorType::get({cast<VectorType>(acc.getType()).getNumElements()},
                             b.getI64Type());
  auto splat = [&](int64_t v) { return ::splat(b, loc, v64, v); };
  Value a = arith::ExtSIOp::create(b, loc, v64, acc);
  Value mv = arith::ExtSIOp::create(b, loc, v64, m0);
  Value sv = arith::ExtSIOp::create(b, loc, v64, shift);
  Value one = splat(1);
  Value half = arith::ShLIOp::create(b, loc, one, arith::SubIOp::create(b, loc, sv, one));
  if (doubleRound) {
    // half += n > 31 ? (acc >= 0 ? 2^30 : -2^30) : 0
    Value zero = splat(0);
    Value towardSign = arith::SelectOp::create(
        b, loc, arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, a, zero),
        splat(int64_t(1) << 30), splat(-(int64_t(1) << 30)));
    Value adjust = arith::SelectOp::create(
        b, loc, arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt, sv, splat(31)),
        towardSign, zero);
    half = arith::AddIOp::create(b, loc, half, adjust);
  }
  return arith::ShRSIOp::create(
      b, loc, arith::AddIOp::create(b, loc, arith::MulIOp::create(b, loc, a, mv), half), sv);
}

Value qopt::packed::requantize(OpBuilder &b, Location loc, Value acc, Value m0,
                               Value shift, ref::QuantParams out,
                               ref::StorageRange range, bool doubleRound,
                               ShiftBounds shifts) {
  Value r = !doubleRound && shifts.min >= 32
                ? roundedHighProduct(b, loc, acc, m0, shift, shifts)
                : roundedProduct64(b, loc, acc, m0, shift, doubleRound);
  auto type = cast<VectorType>(r.getType());
  r = arith::AddIOp::create(b, loc, r, splat(b, loc, type, out.zeroPoint));
  r = arith::MaxSIOp::create(b, loc, r, splat(b, loc, type, range.min));
  r = arith::MinSIOp::create(b, loc, r, splat(b, loc, type, range.max));
  return arith::TruncIOp::create(b, loc, type.clone(b.getI8Type()), r);
}

void qopt::packed::replaceWithStorage(qt::FullyConnectedOp op, Value result) {
  OpBuilder b(op);
  op.replaceAllUsesWith(
      quant::StorageCastOp::create(b, op.getLoc(), op.getType(), result).getResult());
  op.erase();
}

FailureOr<KernelChoice> qopt::packed::lookupKernels(StringRef isa, Operation *where) {
  // avx512-vbmi and amx run avx512-vnni's dot kernels; both have VBMI.
  if (isa == "amx")
    return KernelChoice{lookupDotISA("avx512-vnni"), /*amx=*/true, /*vbmi=*/true};
  if (isa == "avx512-vbmi")
    return KernelChoice{lookupDotISA("avx512-vnni"), /*amx=*/false, /*vbmi=*/true};
  KernelChoice kernel{lookupDotISA(isa)};
  if (kernel.dot || isa == "neon-i8mm")
    return kernel;
  return emitError(where->getLoc())
         << "unknown kernel ISA '" << isa
         << "' (expected amx, avx512-vbmi, avx512-vnni, avx-vnni, avx2, neon, neon-dotprod or "
            "neon-i8mm)";
}

Value qopt::packed::extractIndex(OpBuilder &b, Location loc, Value tensor, Value at) {
  Value v = tensor::ExtractOp::create(b, loc, tensor, ValueRange{at});
  return arith::IndexCastOp::create(b, loc, b.getIndexType(), v);
}

Value qopt::packed::forEachSparseColumnBlock(
    OpBuilder &b, Location loc, int64_t n, int64_t lanes, Value start, Value dest,
    function_ref<Value(OpBuilder &, Location, const SparseColumnBlock &, Value)> body) {
  auto emit = [&](OpBuilder &b1, Location l1, Value block, bool partial, Value out) {
    Value one = arith::ConstantIndexOp::create(b1, l1, 1);
    SparseColumnBlock cb{
        block, extractIndex(b1, l1, start, block),
        extractIndex(b1, l1, start, arith::AddIOp::create(b1, l1, block, one)),
        arith::MulIOp::create(b1, l1, block, arith::ConstantIndexOp::create(b1, l1, lanes)),
        partial};
    return body(b1, l1, cb, out);
  };
  int64_t nFull = n / lanes, nb = (n + lanes - 1) / lanes;
  auto idx = [&](int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); };
  if (nFull > 0)
    dest = markParallel(scf::ForOp::create(b, loc, idx(0), idx(nFull), idx(1), ValueRange{dest},
                              [&](OpBuilder &b1, Location l1, Value block, ValueRange args) {
                                scf::YieldOp::create(
                                    b1, l1, emit(b1, l1, block, /*partial=*/false, args[0]));
                              })
               ).getResult(0);
  if (nb > nFull)
    dest = emit(b, loc, idx(nFull), /*partial=*/true, dest);
  return dest;
}

Value qopt::packed::forEachRowTile(
    OpBuilder &b, Location loc, int64_t m, int64_t tileRows, Value dest,
    function_ref<Value(OpBuilder &, Location, Value, int64_t, Value)> body) {
  auto idx = [&](int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); };
  auto rowLoop = [&](int64_t from, int64_t to, int64_t rows) {
    dest = markParallel(scf::ForOp::create(b, loc, idx(from), idx(to), idx(rows), ValueRange{dest},
                              [&](OpBuilder &b1, Location l1, Value row, ValueRange args) {
                                scf::YieldOp::create(b1, l1, body(b1, l1, row, rows, args[0]));
                              })
               ).getResult(0);
  };
  int64_t mainRows = m / tileRows * tileRows;
  if (mainRows > 0)
    rowLoop(0, mainRows, tileRows);
  if (m > mainRows)
    rowLoop(mainRows, m, 1);
  return dest;
}

LogicalResult qopt::packed::checkSparseWeights(StringRef value, Operation *where) {
  if (value == "auto" || value == "dense" || value == "sparse")
    return success();
  return emitError(where->getLoc())
         << "unknown sparse-weights '" << value << "' (expected auto, dense or sparse)";
}

ColumnConstants qopt::packed::columnConstants(OpBuilder &b, Location loc,
                                              const FullyConnectedPlan &plan,
                                              const FloatEpilogue *epilogue,
                                              int64_t inputShift) {
  Type i8 = b.getI8Type(), i32 = b.getI32Type(), f32 = b.getF32Type();
  int64_t n = plan.n;
  ColumnConstants cc;
  if (!epilogue) {
    cc.corr = constantTensor<int32_t>(b, loc, {n}, i32, plan.compensation(inputShift));
    cc.m0 = constantTensor<int32_t>(b, loc, {n}, i32, plan.m0);
    cc.shift = constantTensor<int8_t>(b, loc, {n}, i8, plan.shift);
    return cc;
  }
  std::vector<int32_t> colsum(plan.colsum.begin(), plan.colsum.end());
  cc.colsum = constantTensor<int32_t>(b, loc, {n}, i32, colsum);
  cc.weightScales = constantTensor<float>(b, loc, {n}, f32, epilogue->weightScales);
  cc.negShiftZ = arith::SubIOp::create(
      b, loc, arith::ConstantOp::create(b, loc, i32, b.getI32IntegerAttr(0)),
      arith::AddIOp::create(
          b, loc, epilogue->zeroPoint,
          arith::ConstantOp::create(b, loc, i32, b.getI32IntegerAttr(inputShift))));
  return cc;
}
