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
#include "mlir/Dialect/Math/IR/Math.h"
#include "qopt/Transforms/ParallelLoops.h"
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

Value qopt::packed::emitDepthwiseLoops(OpBuilder &b, Location loc, Value x,
                                       ArrayRef<int64_t> outShape, Type outElement,
                                       int64_t kh, int64_t kw, ArrayRef<int64_t> stride,
                                       ArrayRef<int64_t> dilation, int64_t lanes,
                                       int64_t outBlock, const DepthwiseSteps &steps) {
  auto xType = cast<RankedTensorType>(x.getType());
  int64_t channels = outShape[3], width = outShape[2];
  outBlock = std::max<int64_t>(1, std::min(outBlock, width));
  auto inVec = VectorType::get({lanes}, xType.getElementType());
  Value result = tensor::EmptyOp::create(b, loc, outShape, outElement);
  auto idx = [](OpBuilder &bb, Location l, int64_t v) {
    return arith::ConstantIndexOp::create(bb, l, v).getResult();
  };
  Value padX = arith::ConstantOp::create(b, loc, xType.getElementType(),
                                         b.getZeroAttr(xType.getElementType()));
  // `count` output pixels from column `ow` of output row `ivs` = (n, oh), one
  // channel block (`inBounds`: all `lanes` channels exist). Filter row by
  // filter row, every pixel takes its taps of that row; the input vectors of
  // the row are read and prepared once (pixels j and j' share the vector at
  // column j*sw + c*dw = j'*sw + c'*dw).
  auto emitPixels = [&](OpBuilder &bb, Location l, ArrayRef<Value> ivs, Value ow,
                        int64_t count, Value col, bool inBounds,
                        ArrayRef<Value> block, Value dest) -> Value {
    auto at = [&](Value o, int64_t s, int64_t off) {
      return arith::AddIOp::create(bb, l, arith::MulIOp::create(bb, l, o, idx(bb, l, s)),
                                   idx(bb, l, off));
    };
    int64_t chains = steps.chains;
    SmallVector<Value> accs; // [pixel * chains + chain]
    for (int64_t j = 0; j < count; ++j)
      for (int64_t k = 0; k < chains; ++k)
        accs.push_back(k == 0 ? steps.init(bb, l, block) : steps.zero(bb, l));
    for (int64_t a = 0; a < kh; ++a) {
      Value row = at(ivs[1], stride[0], a * dilation[0]);
      llvm::SmallDenseMap<int64_t, Value> prepared; // by column offset
      for (int64_t j = 0; j < count; ++j)
        for (int64_t c = 0; c < kw; ++c) {
          int64_t offset = j * stride[1] + c * dilation[1];
          Value &input = prepared[offset];
          if (!input)
            input = steps.prepare(
                bb, l,
                vector::TransferReadOp::create(
                    bb, l, inVec, x, ValueRange{ivs[0], row, at(ow, stride[1], offset), col},
                    padX, ArrayRef<bool>{inBounds}));
          int64_t tap = a * kw + c;
          Value &acc = accs[j * chains + tap % chains];
          acc = steps.accumulate(bb, l, acc, input, tap, block);
        }
    }
    for (int64_t j = 0; j < count; ++j) {
      Value acc = accs[j * chains];
      for (int64_t k = 1; k < chains; ++k)
        acc = steps.combine(bb, l, acc, accs[j * chains + k]);
      dest = vector::TransferWriteOp::create(
                 bb, l, steps.finish(bb, l, acc, block), dest,
                 ValueRange{ivs[0], ivs[1],
                            arith::AddIOp::create(bb, l, ow, idx(bb, l, j)), col},
                 ArrayRef<bool>{inBounds})
                 .getResult();
    }
    return dest;
  };
  // One output row of one channel block: the pixels `outBlock` at a time,
  // then the rest one at a time.
  auto emitBlockRow = [&](OpBuilder &b0, Location l0, ArrayRef<Value> ivs, Value cb,
                          bool inBounds, Value dest) -> Value {
    Value col = arith::MulIOp::create(b0, l0, cb, idx(b0, l0, lanes));
    SmallVector<Value> block = steps.setup(b0, l0, col, inBounds);
    int64_t blocked = width / outBlock * outBlock;
    auto pixelLoop = [&](int64_t from, int64_t to, int64_t count, Value d) {
      return scf::ForOp::create(
                 b0, l0, idx(b0, l0, from), idx(b0, l0, to), idx(b0, l0, count),
                 ValueRange{d},
                 [&](OpBuilder &bb, Location l, Value ow, ValueRange args) {
                   scf::YieldOp::create(bb, l,
                                        emitPixels(bb, l, ivs, ow, count, col, inBounds,
                                                   block, args[0]));
                 })
          .getResult(0);
    };
    dest = pixelLoop(0, blocked, outBlock, dest);
    if (blocked < width)
      dest = pixelLoop(blocked, width, 1, dest);
    return dest;
  };
  // Output rows outside (split across threads: a layer has many rows but
  // often only 2-3 channel blocks), channel blocks inside, each with its
  // filter taps loaded once per row.
  int64_t fullBlocks = channels / lanes;
  auto rowLoop = [&](OpBuilder &bb, Location l, int64_t dim, Value dest,
                     function_ref<Value(OpBuilder &, Location, Value, Value)> body) {
    return markParallel(scf::ForOp::create(
                            bb, l, idx(bb, l, 0), idx(bb, l, outShape[dim]), idx(bb, l, 1),
                            ValueRange{dest},
                            [&](OpBuilder &b1, Location l1, Value iv, ValueRange args) {
                              scf::YieldOp::create(b1, l1, body(b1, l1, iv, args[0]));
                            }))
        .getResult(0);
  };
  return rowLoop(b, loc, 0, result, [&](OpBuilder &b1, Location l1, Value img, Value d1) {
    return rowLoop(b1, l1, 1, d1, [&](OpBuilder &b2, Location l2, Value oh, Value d2) {
      SmallVector<Value> ivs{img, oh};
      if (fullBlocks > 0)
        d2 = scf::ForOp::create(b2, l2, idx(b2, l2, 0), idx(b2, l2, fullBlocks),
                                idx(b2, l2, 1), ValueRange{d2},
                                [&](OpBuilder &b3, Location l3, Value cb, ValueRange args) {
                                  scf::YieldOp::create(
                                      b3, l3, emitBlockRow(b3, l3, ivs, cb, true, args[0]));
                                })
                 .getResult(0);
      if (channels % lanes != 0)
        d2 = emitBlockRow(b2, l2, ivs, idx(b2, l2, fullBlocks), false, d2);
      return d2;
    });
  });
}

// float32, multiplier 1: y = bias + (sum over taps, in (kh, kw) order, of
// x * f), the order and the fused multiply-adds of the linalg loops
// (which add the bias after the sum).
Value qopt::packed::emitDepthwiseFloatKernel(OpBuilder &b, Location loc, Value x,
                                             ArrayRef<float> filter, ArrayRef<float> bias,
                                             ArrayRef<int64_t> outShape, int64_t kh,
                                             int64_t kw, ArrayRef<int64_t> stride,
                                             ArrayRef<int64_t> dilation, int64_t lanes) {
  int64_t channels = outShape[3], taps = kh * kw;
  Type f32 = b.getF32Type();
  auto vec = VectorType::get({lanes}, f32);
  Value w = constantTensor<float>(b, loc, {taps, channels}, f32, filter);
  Value biasC = constantTensor<float>(b, loc, {channels}, f32, bias);
  DepthwiseSteps steps;
  auto setup = [&](OpBuilder &b0, Location l0, Value col, bool inBounds) {
    Value pad = arith::ConstantOp::create(b0, l0, f32, b0.getF32FloatAttr(0));
    SmallVector<Value> block;
    for (int64_t t = 0; t < taps; ++t)
      block.push_back(vector::TransferReadOp::create(
          b0, l0, vec, w, ValueRange{arith::ConstantIndexOp::create(b0, l0, t), col}, pad,
          ArrayRef<bool>{inBounds}));
    block.push_back(vector::TransferReadOp::create(b0, l0, vec, biasC, ValueRange{col}, pad,
                                                   ArrayRef<bool>{inBounds}));
    return block;
  };
  auto prepare = [](OpBuilder &, Location, Value input) { return input; };
  auto init = [&](OpBuilder &bb, Location l, ArrayRef<Value>) -> Value {
    return arith::ConstantOp::create(bb, l, vec, DenseElementsAttr::get(vec, bb.getF32FloatAttr(0)));
  };
  auto accumulate = [&](OpBuilder &bb, Location l, Value acc, Value input, int64_t t,
                        ArrayRef<Value> block) -> Value {
    return math::FmaOp::create(bb, l, input, block[t], acc);
  };
  auto finish = [&](OpBuilder &bb, Location l, Value acc, ArrayRef<Value> block) -> Value {
    return arith::AddFOp::create(bb, l, block[taps], acc);
  };
  steps.setup = setup;
  steps.prepare = prepare;
  steps.init = init;
  steps.accumulate = accumulate;
  steps.finish = finish;
  return emitDepthwiseLoops(b, loc, x, outShape, f32, kh, kw, stride, dilation, lanes,
                            /*outBlock=*/1, steps);
}

// Pattern: depthwise_conv2d(x[N,H,W,C], const f[KH,KW,C] (z_f = 0), b[C])
//   -> xp = pad(x, z_x)
//      for channel block cb, n, oh, ow:
//        acc = corr[cb] (bias - z_x * sum_taps f)
//        for each tap (kh, kw): acc += ext(xp[n, oh*sh + kh*dh, ow*sw + kw*dw, cb])
//                                      * ext(f[kh, kw, cb])
//        y[n, oh, ow, cb] = requantize(acc)
LogicalResult qopt::packed::lowerDepthwise(qt::DepthwiseConv2DOp op, int64_t lanes,
                                          bool vpdpwssd) {
  vpdpwssd = vpdpwssd && lanes == 16;
  // With vpdpwssd and 32 zmm registers: 6 output pixels per step share their
  // widened inputs, and each keeps 2 accumulators to cover the instruction's
  // latency (measured: docs/performance.md).
  int64_t outBlock = vpdpwssd ? 6 : 1, chains = vpdpwssd ? 2 : 1;
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
  ShiftBounds shifts = shiftBounds(m0, shift);

  OpBuilder b(op);
  Location loc = op.getLoc();
  Type i8 = b.getI8Type(), i32 = b.getI32Type();
  Value w = vpdpwssd ? Value() : constantTensor<int8_t>(b, loc, {taps, channels}, i8, *weights);
  // vpdpwssd adds a[2i] b[2i] + a[2i+1] b[2i+1] per int32 lane: with the
  // input sign-extended to int32 and the weight in the low int16 half only
  // (the high half 0), that is one exact product.
  Value wPairs;
  if (vpdpwssd) {
    std::vector<int32_t> low(weights->size());
    for (size_t i = 0; i < low.size(); ++i)
      low[i] = static_cast<uint16_t>(static_cast<int16_t>((*weights)[i]));
    wPairs = constantTensor<int32_t>(b, loc, {taps, channels}, i32, low);
  }
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
  auto pairs = VectorType::get({2 * lanes}, b.getI16Type());
  auto setup = [&](OpBuilder &b0, Location l0, Value col, bool inBounds) {
    auto read = [&](Value source, VectorType type, ValueRange at, Value padding) {
      return vector::TransferReadOp::create(b0, l0, type, source, at, padding,
                                            ArrayRef<bool>{inBounds})
          .getResult();
    };
    Value pad0 = arith::ConstantOp::create(b0, l0, i8, b0.getI8IntegerAttr(0));
    Value pad1 = arith::ConstantOp::create(b0, l0, i8, b0.getI8IntegerAttr(1));
    Value pad32 = arith::ConstantOp::create(b0, l0, i32, b0.getI32IntegerAttr(0));
    SmallVector<Value> block; // the block's filter taps and per-channel data
    for (int64_t t = 0; t < taps; ++t) {
      Value tap = arith::ConstantIndexOp::create(b0, l0, t);
      block.push_back(
          vpdpwssd ? vector::BitCastOp::create(b0, l0, pairs,
                                               read(wPairs, acc32, ValueRange{tap, col}, pad32))
                         .getResult()
                   : arith::ExtSIOp::create(b0, l0, acc32,
                                            read(w, bytes, ValueRange{tap, col}, pad0))
                         .getResult());
    }
    block.push_back(read(corrC, acc32, ValueRange{col}, pad32));
    block.push_back(read(m0C, acc32, ValueRange{col}, pad32));
    block.push_back(read(shiftC, bytes, ValueRange{col}, pad1));
    return block;
  };
  // acc = corr + sum over taps of ext(x) * ext(f), requantized; each input
  // widened once for every pixel of the block that reads it.
  auto prepare = [&](OpBuilder &bb, Location l, Value input) -> Value {
    Value wide = arith::ExtSIOp::create(bb, l, acc32, input);
    return vpdpwssd ? vector::BitCastOp::create(bb, l, pairs, wide).getResult() : wide;
  };
  auto init = [&](OpBuilder &, Location, ArrayRef<Value> block) { return block[taps]; };
  auto accumulate = [&](OpBuilder &bb, Location l, Value acc, Value input, int64_t t,
                        ArrayRef<Value> block) -> Value {
    if (vpdpwssd)
      return qt::X86VpdpwssdOp::create(bb, l, acc32, acc, input, block[t]).getResult();
    return arith::AddIOp::create(bb, l, acc, arith::MulIOp::create(bb, l, input, block[t]));
  };
  auto finish = [&](OpBuilder &bb, Location l, Value acc, ArrayRef<Value> block) {
    return requantize(bb, l, acc, block[taps + 1], block[taps + 2], out, range,
                      /*doubleRound=*/false, shifts);
  };
  auto zero = [&](OpBuilder &bb, Location l) -> Value {
    return arith::ConstantOp::create(bb, l, acc32, DenseElementsAttr::get(acc32, bb.getI32IntegerAttr(0)));
  };
  auto combine = [&](OpBuilder &bb, Location l, Value x0, Value x1) -> Value {
    return arith::AddIOp::create(bb, l, x0, x1);
  };
  DepthwiseSteps steps;
  steps.setup = setup;
  steps.prepare = prepare;
  steps.init = init;
  steps.accumulate = accumulate;
  steps.finish = finish;
  steps.chains = chains;
  steps.zero = zero;
  steps.combine = combine;
  Value result = emitDepthwiseLoops(b, loc, x, outType.getShape(), i8, kh, kw, stride,
                                    dilation, lanes, outBlock, steps);
  op.replaceAllUsesWith(
      quant::StorageCastOp::create(b, loc, outType, result).getResult());
  op.erase();
  return success();
}
