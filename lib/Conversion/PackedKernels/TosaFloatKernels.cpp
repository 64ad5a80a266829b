//===- TosaFloatKernels.cpp - float contractions on vector kernels -*- C++ -*-===//
//
// The convert-tosa-float-to-kernels pass: a float32 tosa.matmul with a
// constant right operand, or a tosa.conv2d with constant weights and bias
// (through im2col), becomes the block-sparse float kernel
// (SparseFloatKernel.cpp) where the cost model finds its weights sparse
// enough, else the dense one (DenseFloatKernel.cpp); a tosa.depthwise_conv2d
// (multiplier 1) the channel-vectorized depthwise kernel.
//
// bf16 models (--quantize-bf16) accumulate in float32: their contractions
// run on the float32 kernels over the input widened to float32 — a bf16
// product is exact in float32, so each output adds the same values in the
// loops' order and the results are the loops' bits — or with `amx` on
// AMX-BF16 tiles (AmxKernel.cpp), which sum a tile's products in their own
// order (within one bf16 step of the loops, docs/numerics.md).
//
//===----------------------------------------------------------------------===//

#include "PackedKernelsCommon.h"
#include "qopt/Conversion/Padding.h"
#include "qopt/Conversion/Passes.h"
#include "qopt/Sparsity/WeightStorage.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/Matchers.h"

namespace qopt {
#define GEN_PASS_DEF_CONVERTTOSAFLOATTOKERNELS
#include "qopt/Conversion/Passes.h.inc"
} // namespace qopt

using namespace mlir;
using namespace qopt;

namespace {

/// The largest im2col buffer a float convolution may use (64 MiB).
constexpr int64_t kMaxPatchBytes = int64_t(64) << 20;

/// The values of a constant float32 or bf16 operand, as float32 (exact).
std::optional<std::vector<float>> constantFloats(Value v) {
  DenseElementsAttr attr;
  if (!matchPattern(v, m_Constant(&attr)))
    return std::nullopt;
  if (attr.getElementType().isF32())
    return std::vector<float>(attr.getValues<float>().begin(),
                              attr.getValues<float>().end());
  if (!attr.getElementType().isBF16())
    return std::nullopt;
  std::vector<float> out;
  out.reserve(attr.getNumElements());
  for (const APFloat &value : attr.getValues<APFloat>())
    out.push_back(llvm::bit_cast<float>(uint32_t(value.bitcastToAPInt().getZExtValue())
                                        << 16));
  return out;
}

/// The bits of bf16 values held exactly by float32 ones.
std::vector<uint16_t> bf16Bits(ArrayRef<float> values) {
  std::vector<uint16_t> out(values.size());
  for (size_t i = 0; i < values.size(); ++i)
    out[i] = uint16_t(llvm::bit_cast<uint32_t>(values[i]) >> 16);
  return out;
}

/// `v` with its element type changed by tosa.cast (bf16 <-> float32).
Value castTo(OpBuilder &b, Location loc, Value v, Type element) {
  auto type = cast<RankedTensorType>(v.getType());
  if (type.getElementType() == element)
    return v;
  return tosa::CastOp::create(b, loc, type.clone(element), v);
}

/// A bias given per channel or as one value, per channel; nothing when its
/// size is neither.
std::optional<std::vector<float>> channelBias(ArrayRef<float> bias, int64_t channels) {
  if (bias.size() != 1 && static_cast<int64_t>(bias.size()) != channels)
    return std::nullopt;
  std::vector<float> out(channels);
  for (int64_t c = 0; c < channels; ++c)
    out[c] = bias[bias.size() == 1 ? 0 : c];
  return out;
}

bool isZeroConstant(Value v) {
  auto values = constantFloats(v);
  return values && llvm::all_of(*values, [](float f) { return f == 0.0f; });
}

struct ConvertTosaFloatToKernels
    : qopt::impl::ConvertTosaFloatToKernelsBase<ConvertTosaFloatToKernels> {
  using ConvertTosaFloatToKernelsBase::ConvertTosaFloatToKernelsBase;

  /// Whether the [n, k] weight `w` goes on the sparse kernel.
  bool useSparse(ArrayRef<float> w, int64_t n, int64_t k) const {
    if (sparseWeights != "auto")
      return sparseWeights == "sparse";
    return sparse::planStorage(n, k, /*elementBytes=*/4, {lanes, 1},
                               [&](int64_t o, int64_t r) { return w[o * k + r] == 0.0f; })
               .storage == sparse::Storage::BlockSparse;
  }

  Value emit(OpBuilder &b, Location loc, Value x, ArrayRef<float> w, int64_t n,
             ArrayRef<float> init, bool sparse) const {
    return sparse ? packed::emitSparseFloatKernel(b, loc, x, w, n, init, lanes)
                  : packed::emitDenseFloatKernel(b, loc, x, w, n, init, lanes);
  }

  /// Whether a bf16 layer of x[M,K] and [N,K] weights goes on AMX tiles:
  /// from 2 rows, 32 columns and one K tile (32) — the int8 kernel's rule
  /// before its narrow layers read their input in place (a float32 input
  /// is copied to be rounded, so bf16 layers keep it; not re-measured).
  bool takesAmx(int64_t m, int64_t n, int64_t k) const {
    return amx && m >= packed::kAmxMinRows && (amxSmallLayers || (n >= 32 && k >= 32));
  }

  /// y[M,N] (`outElement`) = init + x[M,K] * w^T for a bf16 x: on AMX tiles
  /// when they take it, else the float32 kernel (`sparse` or dense) on x
  /// widened, the sum rounded to `outElement` after it. `wide`, if given, is
  /// the float32 value x is the rounding of: the tiles round it while
  /// copying it.
  Value emitBf16(OpBuilder &b, Location loc, Value x, ArrayRef<float> w, int64_t n,
                 ArrayRef<float> init, bool sparse, Type outElement,
                 Value wide = {}) const {
    auto type = cast<RankedTensorType>(x.getType());
    if (takesAmx(type.getDimSize(0), n, type.getDimSize(1)))
      return packed::emitAmxBf16Kernel(b, loc, wide ? wide : x, bf16Bits(w), n, init,
                                       outElement);
    Value y = emit(b, loc, castTo(b, loc, x, b.getF32Type()), w, n, init, sparse);
    return castTo(b, loc, y, outElement);
  }

  // Pattern: matmul(a[1,M,K], const B[1,K,N], 0, 0)
  //   -> expand(kernel(collapse(a), B^T, init 0))
  void lower(tosa::MatMulOp op) {
    auto aType = cast<RankedTensorType>(op.getA().getType());
    auto bType = cast<RankedTensorType>(op.getB().getType());
    auto b = constantFloats(op.getB());
    // bf16 operands with a float32 result (a bf16 result accumulates in
    // bf16: the loops' business).
    bool bf16 = aType.getElementType().isBF16() && op.getType().getElementType().isF32();
    if (!b || !aType.hasStaticShape() || !(aType.getElementType().isF32() || bf16) ||
        aType.getDimSize(0) != 1 ||
        !isZeroConstant(op.getAZp()) || !isZeroConstant(op.getBZp()))
      return;
    int64_t k = aType.getDimSize(2), n = bType.getDimSize(2);
    std::vector<float> w(n * k);
    for (int64_t i = 0; i < k; ++i)
      for (int64_t c = 0; c < n; ++c)
        w[c * k + i] = (*b)[i * n + c];
    bool sparse = useSparse(w, n, k);
    if (!sparse && !dense)
      return;
    OpBuilder builder(op);
    Location loc = op.getLoc();
    Value x = tensor::CollapseShapeOp::create(
        builder, loc, op.getA(), SmallVector<ReassociationIndices>{{0, 1}, {2}});
    std::vector<float> init(n, 0.0f);
    Value y;
    // What the result replaces: the matmul, or (bf16) the cast rounding it.
    Operation *replaced = op;
    Type outElement = op.getType().getElementType();
    if (bf16) {
      // A bf16 model's matmul reads a rounded float32 value and is rounded
      // after (qt-convert-float-precision's casts): the tiles can take the
      // float32 value and write the rounded sums themselves.
      Value wide;
      if (auto round = op.getA().getDefiningOp<tosa::CastOp>();
          round && round.getInput().getType() == aType.clone(builder.getF32Type()))
        wide = tensor::CollapseShapeOp::create(builder, loc, round.getInput(),
                                               SmallVector<ReassociationIndices>{{0, 1}, {2}});
      auto after = op->hasOneUse() ? dyn_cast<tosa::CastOp>(*op->getUsers().begin())
                                   : tosa::CastOp();
      if (after && after.getType() == op.getType().clone(builder.getBF16Type())) {
        replaced = after;
        outElement = builder.getBF16Type();
      }
      y = emitBf16(builder, loc, x, w, n, init, sparse, outElement, wide);
    } else {
      y = emit(builder, loc, x, w, n, init, sparse);
    }
    replaced->getResult(0).replaceAllUsesWith(tensor::ExpandShapeOp::create(
        builder, loc, op.getType().clone(outElement), y,
        SmallVector<ReassociationIndices>{{0, 1}, {2}}));
    if (replaced != op)
      replaced->erase();
    op.erase();
  }

  // Pattern: conv2d(x[N,H,W,C], const W[F,KH,KW,C], const bias, 0, 0)
  //   -> expand(kernel(im2col(pad(x, 0)), W as [F, KH*KW*C], init bias))
  // The dense lowering accumulates onto the bias in (kh, kw, c) order, the
  // order of im2col's columns.
  void lower(tosa::Conv2DOp op) {
    auto inType = cast<RankedTensorType>(op.getInput().getType());
    auto wType = cast<RankedTensorType>(op.getWeight().getType());
    auto outType = cast<RankedTensorType>(op.getType());
    auto w = constantFloats(op.getWeight());
    auto bias = constantFloats(op.getBias());
    // bf16 with float32 accumulation (a bf16 accumulator is the loops'
    // business).
    bool bf16 = inType.getElementType().isBF16() && op.getAccType().isF32();
    if (!w || !bias || !inType.hasStaticShape() || !outType.hasStaticShape() ||
        !(inType.getElementType().isF32() || bf16) || !isZeroConstant(op.getInputZp()) ||
        !isZeroConstant(op.getWeightZp()))
      return;
    int64_t f = wType.getDimSize(0), kh = wType.getDimSize(1), kw = wType.getDimSize(2);
    int64_t k = kh * kw * wType.getDimSize(3);
    auto init = channelBias(*bias, f);
    if (!init)
      return;
    // The im2col rows are a temporary of their own (static per-thread
    // storage after qt-static-workspace): a batch whose rows would exceed
    // kMaxPatchBytes goes image by image; an image that alone exceeds it
    // keeps the loops.
    int64_t batch = outType.getDimSize(0), oh = outType.getDimSize(1),
            ow = outType.getDimSize(2);
    int64_t imageBytes = oh * ow * k * 4;
    if (imageBytes > kMaxPatchBytes)
      return;
    bool sparse = useSparse(*w, f, k);
    if (!sparse && !dense)
      return;
    OpBuilder builder(op);
    Location loc = op.getLoc();
    Type outElement = outType.getElementType();
    // [images * OH * OW, F] for the images of `x`.
    auto convolve = [&](OpBuilder &b, Value x) {
      Value rows = packed::im2col(b, loc, x, kh, kw, oh, ow, op.getPad(), op.getStride(),
                                  op.getDilation(), /*padValue=*/0);
      return bf16 ? emitBf16(b, loc, rows, *w, f, *init, sparse, outElement)
                  : emit(b, loc, rows, *w, f, *init, sparse);
    };
    Value y;
    if (batch * imageBytes <= kMaxPatchBytes) {
      y = convolve(builder, op.getInput());
    } else {
      auto idx = [&](OpBuilder &b, int64_t v) {
        return arith::ConstantIndexOp::create(b, loc, v).getResult();
      };
      SmallVector<int64_t> imageShape(inType.getShape());
      imageShape[0] = 1;
      Value all = tensor::EmptyOp::create(builder, loc, ArrayRef<int64_t>{batch * oh * ow, f},
                                          outElement);
      y = scf::ForOp::create(
              builder, loc, idx(builder, 0), idx(builder, batch), idx(builder, 1),
              ValueRange{all},
              [&](OpBuilder &b, Location, Value n, ValueRange acc) {
                SmallVector<OpFoldResult> offsets(4, b.getIndexAttr(0)), sizes, strides(
                                                                                4, b.getIndexAttr(1));
                offsets[0] = n;
                for (int64_t d : imageShape)
                  sizes.push_back(b.getIndexAttr(d));
                Value image = tensor::ExtractSliceOp::create(
                    b, loc, RankedTensorType::get(imageShape, inType.getElementType()),
                    op.getInput(), offsets, sizes, strides);
                Value part = convolve(b, image);
                Value row0 = arith::MulIOp::create(b, loc, n, idx(b, oh * ow));
                Value next = tensor::InsertSliceOp::create(
                    b, loc, part, acc[0],
                    ArrayRef<OpFoldResult>{row0, b.getIndexAttr(0)},
                    ArrayRef<OpFoldResult>{b.getIndexAttr(oh * ow), b.getIndexAttr(f)},
                    ArrayRef<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(1)});
                scf::YieldOp::create(b, loc, next);
              })
              .getResult(0);
    }
    op.getResult().replaceAllUsesWith(tensor::ExpandShapeOp::create(
        builder, loc, outType, y, SmallVector<ReassociationIndices>{{0, 1, 2}, {3}}));
    op.erase();
  }

  // Pattern: depthwise_conv2d(x[N,H,W,C], const F[KH,KW,C,1], const bias, 0, 0)
  //   -> the channel-vectorized kernel on pad(x, 0) (no block-sparse form).
  void lower(tosa::DepthwiseConv2DOp op) {
    auto inType = cast<RankedTensorType>(op.getInput().getType());
    auto wType = cast<RankedTensorType>(op.getWeight().getType());
    auto outType = cast<RankedTensorType>(op.getType());
    auto w = constantFloats(op.getWeight());
    auto bias = constantFloats(op.getBias());
    bool bf16 = inType.getElementType().isBF16() && op.getAccType().isF32();
    if (!dense || !w || !bias || !inType.hasStaticShape() || !outType.hasStaticShape() ||
        !(inType.getElementType().isF32() || bf16) || wType.getDimSize(3) != 1 ||
        !isZeroConstant(op.getInputZp()) || !isZeroConstant(op.getWeightZp()))
      return;
    auto biasC = channelBias(*bias, outType.getDimSize(3));
    if (!biasC)
      return;
    OpBuilder builder(op);
    Location loc = op.getLoc();
    // bf16: the sum on float32 widened, rounded, then the bias added in
    // bf16 — the loops' two roundings (tosa-to-linalg adds a depthwise
    // convolution's bias after its sum, in the result type).
    Value x = padSpatially(builder, loc, castTo(builder, loc, op.getInput(), builder.getF32Type()),
                           op.getPad(), 0);
    std::vector<float> zeros(biasC->size(), 0.0f);
    Value y = packed::emitDepthwiseFloatKernel(
        builder, loc, x, *w, bf16 ? zeros : *biasC, outType.getShape(), wType.getDimSize(0),
        wType.getDimSize(1), op.getStride(), op.getDilation(), lanes);
    if (bf16) {
      auto biasType = RankedTensorType::get({1, 1, 1, int64_t(biasC->size())}, builder.getF32Type());
      Value biasT = castTo(builder, loc,
                           tosa::ConstOp::create(builder, loc, biasType,
                                                 DenseElementsAttr::get(biasType, ArrayRef<float>(*biasC))),
                           outType.getElementType());
      y = tosa::AddOp::create(builder, loc, outType,
                              castTo(builder, loc, y, outType.getElementType()), biasT);
    }
    op.getResult().replaceAllUsesWith(y);
    op.erase();
  }

  void runOnOperation() override {
    if (failed(packed::checkSparseWeights(sparseWeights, getOperation())))
      return signalPassFailure();
    if (lanes < 1) {
      emitError(getOperation().getLoc())
          << "lanes must be at least 1, not " << static_cast<int64_t>(lanes);
      return signalPassFailure();
    }
    SmallVector<Operation *> ops;
    getOperation().walk([&](Operation *op) {
      if (isa<tosa::MatMulOp, tosa::Conv2DOp, tosa::DepthwiseConv2DOp>(op) &&
          isa<Float32Type, BFloat16Type>(
              cast<ShapedType>(op->getResult(0).getType()).getElementType()))
        ops.push_back(op);
    });
    for (Operation *op : ops) {
      if (auto mm = dyn_cast<tosa::MatMulOp>(op))
        lower(mm);
      else if (auto dw = dyn_cast<tosa::DepthwiseConv2DOp>(op))
        lower(dw);
      else
        lower(cast<tosa::Conv2DOp>(op));
    }
  }
};

} // namespace
