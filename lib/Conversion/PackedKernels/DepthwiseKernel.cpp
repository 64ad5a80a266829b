//===- DepthwiseKernel.cpp - int8 depthwise conv, vectorized ----*- C++ -*-===//
//
// A depthwise convolution has no reduction over channels, so no dot
// instruction fits: each output channel sums KH x KW products of its own
// input channel. The kernel vectorizes over channels instead: one int32
// accumulator register per block of `lanes` channels of an output pixel,
// one multiply-add per filter tap, on the input padded with its zero point.
//
//===----------------------------------------------------------------------===//

#include "PackedKernelsCommon.h"
#include "qopt/Conversion/Padding.h"

#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace qopt;
using namespace qopt::packed;

// Pattern: depthwise_conv2d(x[N,H,W,C], const f[KH,KW,C] (z_f = 0), b[C])
//   -> xp = pad(x, z_x)
//      for channel block cb, n, oh, ow:
//        acc = corr[cb] (bias - z_x * sum_taps f)
//        for each tap (kh, kw): acc += ext(xp[n, oh*sh + kh*dh, ow*sw + kw*dw, cb])
//                                      * ext(f[kh, kw, cb])
//        y[n, oh, ow, cb] = requantize(acc)
LogicalResult qopt::packed::lowerDepthwise(qt::DepthwiseConv2DOp op, int64_t lanes) {
  auto inType = op.getInput().getType();
  auto fType = op.getFilter().getType();
  auto outType = op.getType();
  int64_t channels = inType.getDimSize(3);
  if (outType.getDimSize(3) != channels) // channel multiplier > 1
    return failure();
  auto weights = constantWeights(op.getFilter());
  auto wScales = symmetricWeightScales(fType);
  auto inElem = cast<quant::QuantizedType>(inType.getElementType());
  auto outElem = cast<quant::QuantizedType>(outType.getElementType());
  if (!weights || !wScales || !inElem.isSigned() ||
      inElem.getStorageTypeIntegralWidth() != 8 || !outElem.isSigned() ||
      outElem.getStorageTypeIntegralWidth() != 8)
    return failure();
  ref::QuantParams in = tensorParams(inType), out = tensorParams(outType);
  int64_t kh = fType.getDimSize(0), kw = fType.getDimSize(1), taps = kh * kw;

  std::vector<int32_t> bias(channels, 0), corr(channels), m0(channels, 0);
  std::vector<int8_t> shift(channels, 1);
  if (Value b = op.getBias()) {
    DenseElementsAttr attr;
    if (!matchPattern(b, m_Constant(&attr)))
      return failure();
    bias.assign(attr.getValues<int32_t>().begin(), attr.getValues<int32_t>().end());
  }
  for (int64_t c = 0; c < channels; ++c) {
    int64_t colsum = 0;
    for (int64_t t = 0; t < taps; ++t)
      colsum += (*weights)[t * channels + c];
    corr[c] = static_cast<int32_t>(bias[c] - int64_t(in.zeroPoint) * colsum);
    float sw = (*wScales)[wScales->size() == 1 ? 0 : c];
    auto mult = ref::quantizeMultiplier(double(in.scale) * sw / out.scale);
    if (!mult)
      return failure(); // convert-qt-to-linalg reports it
    if (!mult->roundsToZero) {
      m0[c] = mult->m0;
      shift[c] = mult->shift;
    }
  }
  ref::StorageRange range = outputRange(out, op.getMin(), op.getMax());

  OpBuilder b(op);
  Location loc = op.getLoc();
  Type i8 = b.getI8Type(), i32 = b.getI32Type();
  Value w = constantTensor<int8_t>(b, loc, {taps, channels}, i8, *weights);
  Value corrC = constantTensor<int32_t>(b, loc, {channels}, i32, corr);
  Value m0C = constantTensor<int32_t>(b, loc, {channels}, i32, m0);
  Value shiftC = constantTensor<int8_t>(b, loc, {channels}, i8, shift);

  // The input on its storage type, padded with its zero point: every tap
  // then reads a real value, and z_x * sum f is in the compensation.
  Value x = quant::StorageCastOp::create(b, loc, inType.clone(i8), op.getInput());
  ArrayRef<int64_t> pad = op.getPad(), stride = op.getStride(),
                    dilation = op.getDilation();
  x = padSpatially(b, loc, x, pad, in.zeroPoint);

  auto acc32 = VectorType::get({lanes}, i32);
  auto bytes = VectorType::get({lanes}, i8);
  int64_t fullBlocks = channels / lanes;
  Value result = tensor::EmptyOp::create(b, loc, outType.getShape(), i8);

  // One channel block (`inBounds`: all `lanes` channels exist) over every
  // output pixel.
  auto emitBlock = [&](OpBuilder &b0, Location l0, Value cb, bool inBounds,
                       Value dest) -> Value {
    auto idx = [&](OpBuilder &bb, int64_t v) {
      return arith::ConstantIndexOp::create(bb, l0, v);
    };
    Value col = arith::MulIOp::create(b0, l0, cb, idx(b0, lanes));
    Value pad0 = arith::ConstantOp::create(b0, l0, i8, b0.getI8IntegerAttr(0));
    Value pad1 = arith::ConstantOp::create(b0, l0, i8, b0.getI8IntegerAttr(1));
    Value pad32 = arith::ConstantOp::create(b0, l0, i32, b0.getI32IntegerAttr(0));
    auto read = [&](OpBuilder &bb, Value source, VectorType type, ValueRange at,
                    Value padding) {
      return vector::TransferReadOp::create(bb, l0, type, source, at, padding,
                                            ArrayRef<bool>{inBounds});
    };
    // The block's filter taps and per-channel data, loaded once.
    SmallVector<Value> filter;
    for (int64_t t = 0; t < taps; ++t)
      filter.push_back(arith::ExtSIOp::create(
          b0, l0, acc32, read(b0, w, bytes, ValueRange{idx(b0, t), col}, pad0)));
    Value corrV = read(b0, corrC, acc32, ValueRange{col}, pad32);
    Value m0V = read(b0, m0C, acc32, ValueRange{col}, pad32);
    Value shiftV = read(b0, shiftC, bytes, ValueRange{col}, pad1);
    // Loops over n, oh, ow.
    SmallVector<int64_t> bounds = {outType.getDimSize(0), outType.getDimSize(1),
                                   outType.getDimSize(2)};
    std::function<Value(OpBuilder &, int, SmallVector<Value>, Value)> loop =
        [&](OpBuilder &bb, int depth, SmallVector<Value> ivs, Value d) -> Value {
      if (depth == 3) {
        Value acc = corrV;
        for (int64_t a = 0; a < kh; ++a)
          for (int64_t c = 0; c < kw; ++c) {
            auto at = [&](Value o, int64_t s, int64_t tap, int64_t dil) {
              return arith::AddIOp::create(
                  bb, l0, arith::MulIOp::create(bb, l0, o, idx(bb, s)),
                  idx(bb, tap * dil));
            };
            Value v = read(bb, x, bytes,
                           ValueRange{ivs[0], at(ivs[1], stride[0], a, dilation[0]),
                                      at(ivs[2], stride[1], c, dilation[1]), col},
                           pad0);
            acc = arith::AddIOp::create(
                bb, l0, acc,
                arith::MulIOp::create(bb, l0, arith::ExtSIOp::create(bb, l0, acc32, v),
                                      filter[a * kw + c]));
          }
        Value q = requantize(bb, l0, acc, m0V, shiftV, out, range);
        return vector::TransferWriteOp::create(
                   bb, l0, q, d, ValueRange{ivs[0], ivs[1], ivs[2], col},
                   ArrayRef<bool>{inBounds})
            .getResult();
      }
      return scf::ForOp::create(
                 bb, l0, idx(bb, 0), idx(bb, bounds[depth]), idx(bb, 1), ValueRange{d},
                 [&](OpBuilder &b2, Location, Value iv, ValueRange args) {
                   SmallVector<Value> next = ivs;
                   next.push_back(iv);
                   scf::YieldOp::create(b2, l0, loop(b2, depth + 1, next, args[0]));
                 })
          .getResult(0);
    };
    return loop(b0, 0, {}, dest);
  };
  auto cIdx = [&](int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); };
  if (fullBlocks > 0)
    result = scf::ForOp::create(
                 b, loc, cIdx(0), cIdx(fullBlocks), cIdx(1), ValueRange{result},
                 [&](OpBuilder &b1, Location l, Value cb, ValueRange args) {
                   scf::YieldOp::create(b1, l, emitBlock(b1, l, cb, true, args[0]));
                 })
                 .getResult(0);
  if (channels % lanes != 0)
    result = emitBlock(b, loc, cIdx(fullBlocks), false, result);
  op.replaceAllUsesWith(
      quant::StorageCastOp::create(b, loc, outType, result).getResult());
  op.erase();
  return success();
}
