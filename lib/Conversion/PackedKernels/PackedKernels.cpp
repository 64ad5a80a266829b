//===- PackedKernels.cpp - int8 FC and conv on dot instructions -*- C++ -*-===//
//
// qt.fully_connected (and qt.conv2d through im2col) -> register-tiled loops
// whose inner loop is one 4-way int8 dot instruction (vpdpbusd on x86,
// sdot on AArch64) per accumulator, on weights packed at compile time.
//
//===----------------------------------------------------------------------===//

#include "qopt/Conversion/Passes.h"
#include "qopt/Dialect/QT/IR/QTOps.h"
#include "qopt/Reference/Numerics.h"

#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/Matchers.h"

namespace qopt {
#define GEN_PASS_DEF_CONVERTQTTOPACKEDKERNELS
#include "qopt/Conversion/Passes.h.inc"
} // namespace qopt

using namespace mlir;
using namespace qopt;

namespace {

constexpr int64_t kGroup = 4; // K values per int32 lane per dot instruction

/// The dot-product instruction a kernel is built on.
struct KernelISA {
  int64_t lanes;      // int32 lanes per accumulator register
  bool unsignedInput; // u8 x s8 (vpdpbusd): the input is shifted by +128
  /// Emits acc + dot(a, b) on `lanes` int32 lanes.
  Value (*dot)(OpBuilder &, Location, VectorType, Value, Value, Value);
};

Value x86Dot(OpBuilder &b, Location l, VectorType t, Value acc, Value a, Value w) {
  return qt::X86VpdpbusdOp::create(b, l, t, acc, a, w);
}
Value armDot(OpBuilder &b, Location l, VectorType t, Value acc, Value a, Value w) {
  return qt::ArmSdotOp::create(b, l, t, acc, a, w);
}

/// AVX-512 VNNI: 16 lanes of vpdpbusd (u8 x s8) per zmm.
constexpr KernelISA kAVX512VNNI = {16, true, x86Dot};
/// AArch64 dotprod: 4 lanes of sdot (s8 x s8) per 128-bit register.
constexpr KernelISA kNeonDotprod = {4, false, armDot};

/// The int8 values of a constant weight behind quant.scast, if it is one.
std::optional<std::vector<int8_t>> constantWeights(Value weight) {
  auto cast = weight.getDefiningOp<quant::StorageCastOp>();
  DenseElementsAttr attr;
  if (!cast || !matchPattern(cast.getInput(), m_Constant(&attr)) ||
      !attr.getElementType().isInteger(8))
    return std::nullopt;
  return std::vector<int8_t>(attr.getValues<int8_t>().begin(),
                             attr.getValues<int8_t>().end());
}

/// Float32 scale and zero point of a per-tensor quantized tensor type.
ref::QuantParams tensorParams(Type type) {
  auto q = cast<quant::UniformQuantizedType>(
      cast<ShapedType>(type).getElementType());
  return {static_cast<float>(q.getScale()),
          static_cast<int32_t>(q.getZeroPoint())};
}

template <typename T>
Value constant(OpBuilder &b, Location loc, ArrayRef<int64_t> shape, Type element,
               ArrayRef<T> values) {
  auto type = RankedTensorType::get(shape, element);
  return arith::ConstantOp::create(b, loc, type,
                                   DenseElementsAttr::get(type, values));
}

// Pattern: fully_connected(x[M,K], const w[N,K] (z_w = 0), b[N])
//   -> for m, for 16-column block nb:
//        acc = corr[nb] (bias - (128 + z_x) * colsum)
//        for kb: acc = vpdpbusd(acc, broadcast(x[m, 4kb:4kb+4] + 128), Wp[nb, kb])
//        y[m, nb] = requantize(acc)
LogicalResult lower(qt::FullyConnectedOp op, const KernelISA &isa) {
  const int64_t kLanes = isa.lanes;
  auto weights = constantWeights(op.getWeight());
  if (!weights)
    return failure();
  auto wType = op.getWeight().getType();
  auto wq = wType.getElementType();
  SmallVector<float> wScales;
  if (auto perAxis = dyn_cast<quant::UniformQuantizedPerAxisType>(wq)) {
    if (llvm::any_of(perAxis.getZeroPoints(), [](int64_t z) { return z != 0; }))
      return failure();
    for (double s : perAxis.getScales())
      wScales.push_back(static_cast<float>(s));
  } else {
    auto uniform = cast<quant::UniformQuantizedType>(wq);
    if (uniform.getZeroPoint() != 0)
      return failure();
    wScales.push_back(static_cast<float>(uniform.getScale()));
  }
  auto inElem = cast<quant::QuantizedType>(op.getInput().getType().getElementType());
  auto outElem = cast<quant::QuantizedType>(op.getType().getElementType());
  if (!inElem.isSigned() || inElem.getStorageTypeIntegralWidth() != 8 ||
      !outElem.isSigned() || outElem.getStorageTypeIntegralWidth() != 8 ||
      !cast<quant::QuantizedType>(wq).isSigned())
    return failure();

  ref::QuantParams in = tensorParams(op.getInput().getType());
  ref::QuantParams out = tensorParams(op.getType());
  int64_t m = op.getInput().getType().getDimSize(0);
  int64_t k = wType.getDimSize(1), n = wType.getDimSize(0);
  int64_t kb = (k + kGroup - 1) / kGroup, nb = (n + kLanes - 1) / kLanes;
  int64_t kPad = kb * kGroup, nPad = nb * kLanes;

  // Compile-time packing, compensation and multipliers. Full blocks of
  // kLanes columns are packed as [block][kb][lane][4]; the last, partial
  // block is kept at its real width [kb][column][4] and read with masked
  // loads, and per-channel data is not padded: the object holds no bytes
  // for columns that do not exist.
  int64_t nFull = n / kLanes, tail = n % kLanes;
  std::vector<int8_t> packed(nFull * kb * kLanes * kGroup, 0);
  std::vector<int8_t> packedTail(kb * tail * kGroup, 0);
  std::vector<int32_t> corr(n, 0), m0(n, 0);
  std::vector<int8_t> shift(n, 1); // n <= 62
  std::vector<int32_t> bias(n, 0);
  if (Value b = op.getBias()) {
    DenseElementsAttr attr;
    if (!matchPattern(b, m_Constant(&attr)))
      return failure();
    bias.assign(attr.getValues<int32_t>().begin(), attr.getValues<int32_t>().end());
  }
  for (int64_t c = 0; c < n; ++c) {
    int64_t colsum = 0;
    int64_t block = c / kLanes, lane = c % kLanes;
    for (int64_t i = 0; i < k; ++i) {
      int8_t w = (*weights)[c * k + i];
      colsum += w;
      if (block < nFull)
        packed[((block * kb + i / kGroup) * kLanes + lane) * kGroup + i % kGroup] = w;
      else
        packedTail[((i / kGroup) * tail + lane) * kGroup + i % kGroup] = w;
    }
    // acc = sum (x' - bias_x) w with x' = x (+ 128 for u8 inputs).
    int64_t inputShift = isa.unsignedInput ? 128 : 0;
    corr[c] = static_cast<int32_t>(bias[c] -
                                   (inputShift + int64_t(in.zeroPoint)) * colsum);
    float sw = wScales[wScales.size() == 1 ? 0 : c];
    auto mult = ref::quantizeMultiplier(double(in.scale) * sw / out.scale);
    if (!mult)
      return failure(); // convert-qt-to-linalg reports it
    if (!mult->roundsToZero) {
      m0[c] = mult->m0;
      shift[c] = mult->shift;
    }
  }
  auto toF = [](std::optional<APFloat> v) -> std::optional<float> {
    if (!v)
      return std::nullopt;
    return v->convertToFloat();
  };
  ref::StorageRange range =
      ref::activationRange(out, toF(op.getMin()), toF(op.getMax()));

  OpBuilder b(op);
  Location loc = op.getLoc();
  Type i8 = b.getI8Type(), i32 = b.getI32Type(), i64 = b.getI64Type();
  Value wPacked, wTail;
  if (nFull > 0)
    wPacked = constant<int8_t>(b, loc, {nFull, kb, kLanes * kGroup}, i8, packed);
  if (tail > 0)
    wTail = constant<int8_t>(b, loc, {kb, tail * kGroup}, i8, packedTail);
  Value corrC = constant<int32_t>(b, loc, {n}, i32, corr);
  Value m0C = constant<int32_t>(b, loc, {n}, i32, m0);
  Value shiftC = constant<int8_t>(b, loc, {n}, i8, shift);

  // The input as storage, made unsigned (x + 128 == x ^ 0x80), padded in K.
  Value x = quant::StorageCastOp::create(
      b, loc, op.getInput().getType().clone(i8), op.getInput());
  auto xType = RankedTensorType::get({m, kPad}, i8);
  Value xu = tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{m, kPad}, i8);
  Value zero8 = arith::ConstantOp::create(b, loc, i8, b.getI8IntegerAttr(0));
  xu = linalg::FillOp::create(b, loc, zero8, xu).getResult(0);
  {
    Value flip = tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{m, k}, i8);
    AffineMap id = b.getMultiDimIdentityMap(2);
    Value flipped =
        linalg::GenericOp::create(
            b, loc, TypeRange{flip.getType()}, ValueRange{x}, ValueRange{flip},
            ArrayRef<AffineMap>{id, id},
            SmallVector<utils::IteratorType>(2, utils::IteratorType::parallel),
            [&](OpBuilder &nb2, Location l, ValueRange args) {
              Value v = args[0];
              if (isa.unsignedInput) // x + 128 == x ^ 0x80 as u8
                v = arith::XOrIOp::create(
                    nb2, l, v,
                    arith::ConstantOp::create(nb2, l, i8,
                                              nb2.getI8IntegerAttr(-128)));
              linalg::YieldOp::create(nb2, l, v);
            })
            .getResult(0);
    SmallVector<OpFoldResult> offsets(2, b.getIndexAttr(0)),
        sizes = {b.getIndexAttr(m), b.getIndexAttr(k)},
        strides(2, b.getIndexAttr(1));
    xu = tensor::InsertSliceOp::create(b, loc, flipped, xu, offsets, sizes, strides);
  }
  (void)xType;

  auto acc16 = VectorType::get({kLanes}, i32);
  auto bytes64 = VectorType::get({kLanes * kGroup}, i8);
  auto v64 = VectorType::get({kLanes}, i64);
  Value outInit = tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{m, nPad}, i8);

  // Emits, for `rowCount` rows from `firstRow` and `count` consecutive
  // 16-column blocks from `firstBlock` (the last one the partial block when
  // `withTail`), the K loop with one accumulator per (row, block):
  // independent vpdpbusd chains hide the instruction's latency, each packed
  // weight register serves every row and each broadcast input every block.
  // Then requantizes and stores each tile.
  auto emitTile = [&](OpBuilder &b2, Location l2, Value firstRow,
                      int64_t rowCount, Value firstBlock, int64_t count,
                      bool withTail, Value dest) -> Value {
    // Only the partial block reads past the end of the per-channel arrays.
    auto inBounds = [&](int64_t u) -> bool {
      return !(withTail && u == count - 1);
    };
    Value pad1 = arith::ConstantOp::create(b2, l2, i8, b2.getI8IntegerAttr(1));
    auto idx = [&](int64_t v) { return arith::ConstantIndexOp::create(b2, l2, v); };
    Value pad32 = arith::ConstantOp::create(b2, l2, i32, b2.getI32IntegerAttr(0));
    Value pad8 = arith::ConstantOp::create(b2, l2, i8, b2.getI8IntegerAttr(0));
    SmallVector<Value> blocks, cols, rowsV, inits;
    for (int64_t u = 0; u < count; ++u) {
      Value block = arith::AddIOp::create(b2, l2, firstBlock, idx(u));
      blocks.push_back(block);
      cols.push_back(arith::MulIOp::create(b2, l2, block, idx(kLanes)));
    }
    for (int64_t r = 0; r < rowCount; ++r) {
      rowsV.push_back(arith::AddIOp::create(b2, l2, firstRow, idx(r)));
      for (int64_t u = 0; u < count; ++u)
        inits.push_back(vector::TransferReadOp::create(
            b2, l2, acc16, corrC, ValueRange{cols[u]}, pad32, ArrayRef<bool>{inBounds(u)}));
    }
    auto inner = scf::ForOp::create(
        b2, l2, idx(0), idx(kb), idx(1), inits,
        [&](OpBuilder &b3, Location l3, Value kk, ValueRange accs) {
          Value kOff = arith::MulIOp::create(
              b3, l3, kk, arith::ConstantIndexOp::create(b3, l3, kGroup));
          Value zeroIdx = arith::ConstantIndexOp::create(b3, l3, 0);
          SmallVector<Value> weightsU;
          for (int64_t u = 0; u < count; ++u)
            weightsU.push_back(
                withTail && u == count - 1
                    ? vector::TransferReadOp::create(
                          b3, l3, bytes64, wTail, ValueRange{kk, zeroIdx}, pad8,
                          ArrayRef<bool>{false})
                    : vector::TransferReadOp::create(
                          b3, l3, bytes64, wPacked,
                          ValueRange{blocks[u], kk, zeroIdx}, pad8,
                          ArrayRef<bool>{true}));
          SmallVector<Value> next;
          for (int64_t r = 0; r < rowCount; ++r) {
            Value a4 = vector::TransferReadOp::create(
                b3, l3, VectorType::get({kGroup}, i8), xu,
                ValueRange{rowsV[r], kOff}, pad8, ArrayRef<bool>{true});
            Value a32 =
                vector::BitCastOp::create(b3, l3, VectorType::get({1}, i32), a4);
            Value scalar =
                vector::ExtractOp::create(b3, l3, a32, ArrayRef<int64_t>{0});
            Value aBytes = vector::BitCastOp::create(
                b3, l3, bytes64, vector::BroadcastOp::create(b3, l3, acc16, scalar));
            for (int64_t u = 0; u < count; ++u)
              next.push_back(
                  isa.dot(b3, l3, acc16, accs[r * count + u], aBytes, weightsU[u]));
          }
          scf::YieldOp::create(b3, l3, next);
        });
    auto splat = [&](int64_t v) {
      return arith::ConstantOp::create(
          b2, l2, v64, DenseElementsAttr::get(v64, b2.getI64IntegerAttr(v)));
    };
    for (int64_t t = 0; t < rowCount * count; ++t) {
      int64_t row = t / count, u = t % count;
      // Requantize 16 lanes: ((acc * M0 + 2^(n-1)) >> n) + z, clamp.
      Value acc = arith::ExtSIOp::create(b2, l2, v64, inner.getResult(t));
      Value mv = arith::ExtSIOp::create(
          b2, l2, v64,
          vector::TransferReadOp::create(b2, l2, acc16, m0C, ValueRange{cols[u]},
                                         pad32, ArrayRef<bool>{inBounds(u)}));
      Value sv = arith::ExtSIOp::create(
          b2, l2, v64,
          vector::TransferReadOp::create(b2, l2, VectorType::get({kLanes}, i8),
                                         shiftC, ValueRange{cols[u]}, pad1,
                                         ArrayRef<bool>{inBounds(u)}));
      Value one = splat(1);
      Value half = arith::ShLIOp::create(b2, l2, one,
                                         arith::SubIOp::create(b2, l2, sv, one));
      Value r = arith::ShRSIOp::create(
          b2, l2,
          arith::AddIOp::create(b2, l2, arith::MulIOp::create(b2, l2, acc, mv), half),
          sv);
      r = arith::AddIOp::create(b2, l2, r, splat(out.zeroPoint));
      r = arith::MaxSIOp::create(b2, l2, r, splat(range.min));
      r = arith::MinSIOp::create(b2, l2, r, splat(range.max));
      Value q = arith::TruncIOp::create(b2, l2, VectorType::get({kLanes}, i8), r);
      dest = vector::TransferWriteOp::create(b2, l2, q, dest,
                                             ValueRange{rowsV[row], cols[u]},
                                             ArrayRef<bool>{true})
                 .getResult();
    }
    return dest;
  };

  // Register tile: kRows x kUnroll accumulators (16 of the 32 zmm).
  constexpr int64_t kUnroll = 4, kRows = 4;
  int64_t mainBlocks = nFull / kUnroll * kUnroll, mainRows = m / kRows * kRows;
  // Column groups outside, rows inside: a group's packed weights (64
  // columns x K) stay in cache while every row streams past them.
  auto emitGroup = [&](OpBuilder &b1, Location l, Value block, int64_t count,
                       bool withTail, Value out) -> Value {
    auto cIdx = [&](int64_t v) { return arith::ConstantIndexOp::create(b1, l, v); };
    if (mainRows > 0)
      out = scf::ForOp::create(
                b1, l, cIdx(0), cIdx(mainRows), cIdx(kRows), ValueRange{out},
                [&](OpBuilder &b2, Location l2, Value row, ValueRange args) {
                  scf::YieldOp::create(
                      b2, l2, emitTile(b2, l2, row, kRows, block, count, withTail, args[0]));
                })
                .getResult(0);
    if (m > mainRows)
      out = scf::ForOp::create(
                b1, l, cIdx(mainRows), cIdx(m), cIdx(1), ValueRange{out},
                [&](OpBuilder &b2, Location l2, Value row, ValueRange args) {
                  scf::YieldOp::create(
                      b2, l2, emitTile(b2, l2, row, 1, block, count, withTail, args[0]));
                })
                .getResult(0);
    return out;
  };
  auto idx = [&](int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); };
  Value result = outInit;
  if (mainBlocks > 0)
    result = scf::ForOp::create(
                 b, loc, idx(0), idx(mainBlocks), idx(kUnroll), ValueRange{result},
                 [&](OpBuilder &b1, Location l, Value block, ValueRange args) {
                   scf::YieldOp::create(b1, l,
                                        emitGroup(b1, l, block, kUnroll,
                                                  /*withTail=*/false, args[0]));
                 })
                 .getResult(0);
  if (nb > mainBlocks)
    result = emitGroup(b, loc, idx(mainBlocks), nb - mainBlocks, tail > 0,
                       result);
  SmallVector<OpFoldResult> offsets(2, b.getIndexAttr(0)),
      sizes = {b.getIndexAttr(m), b.getIndexAttr(n)},
      strides(2, b.getIndexAttr(1));
  Value y = tensor::ExtractSliceOp::create(
      b, loc, RankedTensorType::get({m, n}, i8), result, offsets,
      sizes, strides);
  Value yq = quant::StorageCastOp::create(b, loc, op.getType(), y);
  op.replaceAllUsesWith(yq);
  op.erase();
  return success();
}

// Pattern: conv2d(x[N,H,W,C], const f[F,KH,KW,C], b[F])
//   -> expand(fully_connected(im2col(pad(x, z_x))[N*OH*OW, KH*KW*C],
//                            f[F, KH*KW*C], b))
// so that convolutions run on the same VNNI kernel. The patches are
// gathered on the storage type; padding is the input zero point.
FailureOr<qt::FullyConnectedOp> convToFullyConnected(qt::Conv2DOp op) {
  auto cast = op.getFilter().getDefiningOp<quant::StorageCastOp>();
  DenseElementsAttr filter;
  if (!cast || !matchPattern(cast.getInput(), m_Constant(&filter)))
    return failure();
  auto inType = op.getInput().getType();
  auto fType = op.getFilter().getType();
  auto outType = op.getType();
  int64_t n = inType.getDimSize(0), c = inType.getDimSize(3);
  int64_t f = fType.getDimSize(0), kh = fType.getDimSize(1), kw = fType.getDimSize(2);
  int64_t oh = outType.getDimSize(1), ow = outType.getDimSize(2);
  ArrayRef<int64_t> pad = op.getPad(), stride = op.getStride(),
                    dilation = op.getDilation();
  ref::QuantParams in = tensorParams(inType);

  OpBuilder b(op);
  Location loc = op.getLoc();
  MLIRContext *ctx = b.getContext();
  Type i8 = b.getI8Type();
  Value x = quant::StorageCastOp::create(b, loc, inType.clone(i8), op.getInput());
  if (llvm::any_of(pad, [](int64_t p) { return p != 0; })) {
    SmallVector<int64_t> shape(inType.getShape());
    shape[1] += pad[0] + pad[1];
    shape[2] += pad[2] + pad[3];
    SmallVector<OpFoldResult> low = {b.getIndexAttr(0), b.getIndexAttr(pad[0]),
                                     b.getIndexAttr(pad[2]), b.getIndexAttr(0)};
    SmallVector<OpFoldResult> high = {b.getIndexAttr(0), b.getIndexAttr(pad[1]),
                                      b.getIndexAttr(pad[3]), b.getIndexAttr(0)};
    Value zp = arith::ConstantOp::create(b, loc, i8, b.getI8IntegerAttr(in.zeroPoint));
    x = tensor::PadOp::create(b, loc, RankedTensorType::get(shape, i8), x, low,
                              high, zp);
  }
  // patches[n, oh, ow, kh, kw, c] = x[n, oh*sh + kh*dh, ow*sw + kw*dw, c]
  AffineExpr dn, doh, dow, dkh, dkw, dc;
  bindDims(ctx, dn, doh, dow, dkh, dkw, dc);
  auto patchType = RankedTensorType::get({n, oh, ow, kh, kw, c}, i8);
  Value empty = tensor::EmptyOp::create(b, loc, patchType.getShape(), i8);
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
          [](OpBuilder &nb2, Location l, ValueRange args) {
            linalg::YieldOp::create(nb2, l, args[0]);
          })
          .getResult(0);
  Value rows = tensor::CollapseShapeOp::create(
      b, loc, patches, SmallVector<ReassociationIndices>{{0, 1, 2}, {3, 4, 5}});
  auto rowsQ = RankedTensorType::get({n * oh * ow, kh * kw * c},
                                     inType.getElementType());
  Value xq = quant::StorageCastOp::create(b, loc, rowsQ, rows);
  // OHWI filters are already [F, KH*KW*C] row-major.
  auto wStorage = RankedTensorType::get({f, kh * kw * c}, i8);
  Value w = arith::ConstantOp::create(b, loc, wStorage, filter.reshape(wStorage));
  Value wq = quant::StorageCastOp::create(
      b, loc, wStorage.clone(fType.getElementType()), w);
  auto fcType = RankedTensorType::get({n * oh * ow, f}, outType.getElementType());
  auto fc = qt::FullyConnectedOp::create(b, loc, fcType, xq, wq, op.getBias(),
                                         op.getMinAttr(), op.getMaxAttr());
  // Reshapes happen on the storage type (tensor ops know no quant types).
  Value yStorage = quant::StorageCastOp::create(b, loc, fcType.clone(i8),
                                                fc.getResult());
  Value y = tensor::ExpandShapeOp::create(
      b, loc, outType.clone(i8), yStorage,
      SmallVector<ReassociationIndices>{{0, 1, 2}, {3}});
  op.replaceAllUsesWith(quant::StorageCastOp::create(b, loc, outType, y).getResult());
  op.erase();
  return fc;
}

struct ConvertQTToPackedKernels
    : qopt::impl::ConvertQTToPackedKernelsBase<ConvertQTToPackedKernels> {
  using ConvertQTToPackedKernelsBase::ConvertQTToPackedKernelsBase;

  void runOnOperation() override {
    const KernelISA *kernel = nullptr;
    if (isa == "avx512-vnni")
      kernel = &kAVX512VNNI;
    else if (isa == "neon-dotprod")
      kernel = &kNeonDotprod;
    else {
      getOperation().emitError()
          << "unknown kernel ISA '" << isa
          << "' (expected avx512-vnni or neon-dotprod)";
      return signalPassFailure();
    }
    SmallVector<qt::Conv2DOp> convs;
    getOperation().walk([&](qt::Conv2DOp op) { convs.push_back(op); });
    for (qt::Conv2DOp op : convs)
      (void)convToFullyConnected(op);
    SmallVector<qt::FullyConnectedOp> ops;
    getOperation().walk([&](qt::FullyConnectedOp op) { ops.push_back(op); });
    for (qt::FullyConnectedOp op : ops)
      (void)lower(op, *kernel); // unsupported forms stay for convert-qt-to-linalg
  }
};

} // namespace
