//===- QTOps.cpp - qt dialect op verifiers ----------------------*- C++ -*-===//

#include "qopt/Dialect/QT/IR/QTOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/Support/CheckedArithmetic.h"

#include <cfloat>
#include <cmath>

using namespace mlir;
using namespace mlir::quant;
using namespace qopt::qt;

//===----------------------------------------------------------------------===//
// Quantization parameter checks shared by every op
//===----------------------------------------------------------------------===//

/// A scale must be a positive normal float32: kernels divide by it in
/// float32 and a denormal would make the reciprocal overflow.
static LogicalResult checkScale(Operation *op, double scale, StringRef what) {
  if (std::isnan(scale))
    return op->emitOpError() << what << " has a NaN scale";
  if (std::isinf(scale))
    return op->emitOpError() << what << " has an infinite scale";
  if (scale <= 0.0)
    return op->emitOpError() << what << " has a non-positive scale " << scale;
  if (scale < static_cast<double>(FLT_MIN))
    return op->emitOpError()
           << what << " has a scale " << scale
           << " below the smallest normal float32 (denormal)";
  if (scale > static_cast<double>(FLT_MAX))
    return op->emitOpError() << what << " has a scale " << scale
                             << " that overflows float32";
  return success();
}

static LogicalResult checkZeroPoint(Operation *op, QuantizedType qtype,
                                    int64_t zp, StringRef what) {
  if (zp < qtype.getStorageTypeMin() || zp > qtype.getStorageTypeMax())
    return op->emitOpError()
           << what << " has a zero point " << zp << " outside the storage range ["
           << qtype.getStorageTypeMin() << ", " << qtype.getStorageTypeMax()
           << "]";
  return success();
}

LogicalResult qopt::qt::verifyQuantizedTensor(Operation *op, Type type,
                                              StringRef what) {
  auto shaped = dyn_cast<ShapedType>(type);
  Type element = shaped ? shaped.getElementType() : type;
  if (auto uniform = dyn_cast<UniformQuantizedType>(element)) {
    if (failed(checkScale(op, uniform.getScale(), what)))
      return failure();
    return checkZeroPoint(op, uniform, uniform.getZeroPoint(), what);
  }
  if (auto perAxis = dyn_cast<UniformQuantizedPerAxisType>(element)) {
    int32_t axis = perAxis.getQuantizedDimension();
    if (shaped && shaped.hasRank()) {
      if (axis < 0 || axis >= shaped.getRank())
        return op->emitOpError() << what << " is quantized along axis " << axis
                                 << " but has rank " << shaped.getRank();
      int64_t dim = shaped.getDimSize(axis);
      if (!ShapedType::isDynamic(dim) &&
          dim != static_cast<int64_t>(perAxis.getScales().size()))
        return op->emitOpError()
               << what << " has " << perAxis.getScales().size()
               << " scales for axis " << axis << " of size " << dim;
    }
    for (double scale : perAxis.getScales())
      if (failed(checkScale(op, scale, what)))
        return failure();
    for (int64_t zp : perAxis.getZeroPoints())
      if (failed(checkZeroPoint(op, perAxis, zp, what)))
        return failure();
    return success();
  }
  if (isa<QuantizedType>(element))
    return op->emitOpError() << what
                             << " must use a uniform (per-tensor or per-axis) "
                                "quantized type";
  return success();
}

/// The axis a per-axis quantized type uses, if any.
static std::optional<int32_t> quantizedAxis(Type type) {
  auto element = cast<ShapedType>(type).getElementType();
  if (auto perAxis = dyn_cast<UniformQuantizedPerAxisType>(element))
    return perAxis.getQuantizedDimension();
  return std::nullopt;
}

static bool isPerTensor(Type type) {
  return isa<UniformQuantizedType>(cast<ShapedType>(type).getElementType());
}

/// Optional fused activation bounds must be finite and ordered.
static LogicalResult verifyActivationBounds(Operation *op,
                                            std::optional<APFloat> min,
                                            std::optional<APFloat> max) {
  for (auto bound : {min, max})
    if (bound && !bound->isFinite())
      return op->emitOpError("fused activation bounds must be finite");
  if (min && max && min->convertToFloat() > max->convertToFloat())
    return op->emitOpError() << "fused activation min " << min->convertToFloat()
                             << " exceeds max " << max->convertToFloat();
  return success();
}

//===----------------------------------------------------------------------===//
// quantize / dequantize / requantize
//===----------------------------------------------------------------------===//

/// The float side may be narrower than the expressed type (mixed precision:
/// an f16 model around int8 layers); arithmetic happens in the expressed
/// type and is converted at the boundary.
static LogicalResult verifyExpressedType(Operation *op, Type floatTensor,
                                         Type quantTensor) {
  Type floatType = cast<ShapedType>(floatTensor).getElementType();
  auto qtype = cast<QuantizedType>(cast<ShapedType>(quantTensor).getElementType());
  if (!qtype.getExpressedType().isF32())
    return op->emitOpError() << "quantized types must express f32, not "
                             << qtype.getExpressedType();
  (void)floatType;
  return success();
}

LogicalResult QuantizeOp::verify() {
  if (failed(verifyQuantizedTensor(*this, getOutput().getType(), "result")))
    return failure();
  return verifyExpressedType(*this, getInput().getType(), getOutput().getType());
}

// Pattern: quantize(dequantize(x : T)) : T -> x. Exact: every value of T
// dequantizes to a float that quantizes back to itself.
OpFoldResult QuantizeOp::fold(FoldAdaptor) {
  if (auto dq = getInput().getDefiningOp<DequantizeOp>())
    if (dq.getInput().getType() == getType())
      return dq.getInput();
  return {};
}

LogicalResult DequantizeOp::verify() {
  if (failed(verifyQuantizedTensor(*this, getInput().getType(), "operand")))
    return failure();
  return verifyExpressedType(*this, getOutput().getType(), getInput().getType());
}

LogicalResult RequantizeOp::verify() {
  if (failed(verifyQuantizedTensor(*this, getInput().getType(), "operand")) ||
      failed(verifyQuantizedTensor(*this, getOutput().getType(), "result")))
    return failure();
  if (!isPerTensor(getOutput().getType()))
    return emitOpError("result must be quantized per tensor");
  return verifyActivationBounds(*this, getMin(), getMax());
}

//===----------------------------------------------------------------------===//
// Contractions
//===----------------------------------------------------------------------===//

/// Shared checks: every quantized operand and the result are valid, the data
/// operands and the result are per tensor, the bias (if any) has one int32
/// per output channel.
static LogicalResult verifyContraction(Operation *op, Value input, Value weight,
                                       Value bias, Value output,
                                       int64_t outChannels,
                                       std::optional<APFloat> min,
                                       std::optional<APFloat> max) {
  if (failed(verifyQuantizedTensor(op, input.getType(), "input")) ||
      failed(verifyQuantizedTensor(op, weight.getType(), "weight")) ||
      failed(verifyQuantizedTensor(op, output.getType(), "result")))
    return failure();
  if (!isPerTensor(input.getType()))
    return op->emitOpError("input must be quantized per tensor");
  if (!isPerTensor(output.getType()))
    return op->emitOpError("result must be quantized per tensor");
  if (bias) {
    auto biasType = cast<RankedTensorType>(bias.getType());
    if (biasType.getRank() != 1 || biasType.getDimSize(0) != outChannels)
      return op->emitOpError() << "bias must have shape [" << outChannels
                               << "] (one per output channel), got "
                               << biasType;
  }
  return verifyActivationBounds(op, min, max);
}

static LogicalResult checkAxis(Operation *op, Type weight, int64_t expected) {
  if (auto axis = quantizedAxis(weight); axis && *axis != expected)
    return op->emitOpError() << "weight must be quantized per tensor or along "
                                "its output-channel axis "
                             << expected << ", not axis " << *axis;
  return success();
}

LogicalResult MatmulOp::verify() {
  auto lhs = getLhs().getType(), rhs = getRhs().getType();
  auto out = getOutput().getType();
  if (lhs.getRank() != 3 || rhs.getRank() != 3 || out.getRank() != 3)
    return emitOpError("operands and result must be rank 3 [batch, rows, cols]");
  if (lhs.getDimSize(2) != rhs.getDimSize(1))
    return emitOpError() << "contraction dimensions differ: lhs has "
                         << lhs.getDimSize(2) << ", rhs has " << rhs.getDimSize(1);
  if (lhs.getDimSize(0) != rhs.getDimSize(0) ||
      out.getDimSize(0) != lhs.getDimSize(0) ||
      out.getDimSize(1) != lhs.getDimSize(1) ||
      out.getDimSize(2) != rhs.getDimSize(2))
    return emitOpError() << "result shape " << out << " does not match operands "
                         << lhs << " and " << rhs;
  if (failed(checkAxis(*this, rhs, 2)))
    return failure();
  return verifyContraction(*this, getLhs(), getRhs(), Value(), getOutput(),
                           rhs.getDimSize(2), getMin(), getMax());
}

/// Shapes of a fully connected layer: x[M, K], w[N, K] -> y[M, N], with the
/// weight quantized per tensor or along its output-channel axis 0.
static LogicalResult verifyFullyConnectedShapes(Operation *op,
                                                RankedTensorType in,
                                                RankedTensorType w,
                                                RankedTensorType out) {
  if (in.getRank() != 2 || w.getRank() != 2 || out.getRank() != 2)
    return op->emitOpError("input, weight and result must be rank 2");
  if (in.getDimSize(1) != w.getDimSize(1))
    return op->emitOpError() << "input has " << in.getDimSize(1)
                             << " features but weight expects "
                             << w.getDimSize(1);
  if (out.getDimSize(0) != in.getDimSize(0) ||
      out.getDimSize(1) != w.getDimSize(0))
    return op->emitOpError() << "result shape " << out << " does not match ["
                             << in.getDimSize(0) << ", " << w.getDimSize(0)
                             << "]";
  return checkAxis(op, w, 0);
}

LogicalResult FullyConnectedOp::verify() {
  auto in = getInput().getType(), w = getWeight().getType();
  auto out = getOutput().getType();
  if (failed(verifyFullyConnectedShapes(*this, in, w, out)))
    return failure();
  return verifyContraction(*this, getInput(), getWeight(), getBias(),
                           getOutput(), w.getDimSize(0), getMin(), getMax());
}

LogicalResult DynamicFullyConnectedOp::verify() {
  auto in = getInput().getType(), w = getWeight().getType();
  auto out = getOutput().getType();
  if (failed(verifyFullyConnectedShapes(*this, in, w, out)) ||
      failed(verifyQuantizedTensor(*this, w, "weight")))
    return failure();
  if (auto bias = getBias()) {
    auto biasType = cast<RankedTensorType>(bias.getType());
    if (biasType.getRank() != 1 || biasType.getDimSize(0) != w.getDimSize(0))
      return emitOpError() << "bias must have shape [" << w.getDimSize(0)
                           << "], got " << biasType;
  }
  return verifyActivationBounds(*this, getMin(), getMax());
}

/// Output size of a convolution along one spatial dimension.
/// The output size of a window of `kernel` taps (`dilation` apart) sliding
/// by `stride` over `in` padded on both sides; none when the window does not
/// fit in the padded input or a size overflows 64 bits (sizes and attributes
/// come from files, so any value may arrive here).
static std::optional<int64_t> convOutputSize(int64_t in, int64_t kernel,
                                             int64_t padBefore,
                                             int64_t padAfter, int64_t stride,
                                             int64_t dilation) {
  if (in < 0 || kernel < 1)
    return std::nullopt;
  std::optional<int64_t> span = llvm::checkedMul(kernel - 1, dilation);
  std::optional<int64_t> padded = llvm::checkedAdd(in, padBefore);
  if (padded)
    padded = llvm::checkedAdd(*padded, padAfter);
  if (!span || !padded || *padded <= *span)
    return std::nullopt;
  return (*padded - *span - 1) / stride + 1;
}

template <typename ConvOp>
static LogicalResult verifyConv(ConvOp op, int64_t kh, int64_t kw,
                                int64_t filterInChannels, int64_t outChannels,
                                int64_t channelAxis) {
  auto in = op.getInput().getType();
  auto out = op.getOutput().getType();
  if (op.getPad().size() != 4)
    return op.emitOpError("pad must have 4 values [top, bottom, left, right]");
  if (op.getStride().size() != 2 || op.getDilation().size() != 2)
    return op.emitOpError("stride and dilation must have 2 values [y, x]");
  for (int64_t p : op.getPad())
    if (p < 0)
      return op.emitOpError("pad values must be non-negative");
  for (int64_t s : llvm::concat<const int64_t>(op.getStride(), op.getDilation()))
    if (s < 1)
      return op.emitOpError("stride and dilation values must be positive");
  if (in.getDimSize(3) != filterInChannels)
    return op.emitOpError() << "input has " << in.getDimSize(3)
                            << " channels but the filter expects "
                            << filterInChannels;
  ArrayRef<int64_t> pad = op.getPad(), stride = op.getStride(),
                    dilation = op.getDilation();
  std::optional<int64_t> outH = convOutputSize(in.getDimSize(1), kh, pad[0],
                                               pad[1], stride[0], dilation[0]);
  std::optional<int64_t> outW = convOutputSize(in.getDimSize(2), kw, pad[2],
                                               pad[3], stride[1], dilation[1]);
  if (!outH || !outW)
    return op.emitOpError()
           << "the " << kh << "x" << kw << " window (dilation " << dilation[0]
           << "x" << dilation[1] << ") does not fit in the padded "
           << in.getDimSize(1) << "x" << in.getDimSize(2) << " input";
  int64_t oh = *outH, ow = *outW;
  SmallVector<int64_t> expected = {in.getDimSize(0), oh, ow, outChannels};
  if (out.getShape() != ArrayRef<int64_t>(expected))
    return op.emitOpError() << "result shape " << out << " does not match the "
                            << "convolution's output shape [" << expected[0]
                            << ", " << oh << ", " << ow << ", " << outChannels
                            << "]";
  if (failed(checkAxis(op, op.getFilter().getType(), channelAxis)))
    return failure();
  return verifyContraction(op, op.getInput(), op.getFilter(), op.getBias(),
                           op.getOutput(), outChannels, op.getMin(),
                           op.getMax());
}

LogicalResult Conv2DOp::verify() {
  auto in = getInput().getType(), f = getFilter().getType();
  if (in.getRank() != 4 || f.getRank() != 4 || getOutput().getType().getRank() != 4)
    return emitOpError("input, filter and result must be rank 4 (NHWC / OHWI)");
  return verifyConv(*this, f.getDimSize(1), f.getDimSize(2), f.getDimSize(3),
                    f.getDimSize(0), /*channelAxis=*/0);
}

LogicalResult DepthwiseConv2DOp::verify() {
  auto in = getInput().getType(), f = getFilter().getType();
  if (in.getRank() != 4 || f.getRank() != 3 || getOutput().getType().getRank() != 4)
    return emitOpError("input and result must be rank 4 (NHWC) and the "
                       "filter rank 3 [KH, KW, C * multiplier]");
  int64_t channels = in.getDimSize(3);
  if (channels <= 0 || f.getDimSize(2) % channels != 0)
    return emitOpError() << "filter has " << f.getDimSize(2)
                         << " output channels, not a multiple of the input's "
                         << channels;
  return verifyConv(*this, f.getDimSize(0), f.getDimSize(1), channels,
                    f.getDimSize(2), /*channelAxis=*/2);
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

template <typename BinaryOp>
static LogicalResult verifyBinary(BinaryOp op) {
  for (auto [value, what] :
       {std::pair<Value, StringRef>{op.getLhs(), "lhs"},
        {op.getRhs(), "rhs"},
        {op.getOutput(), "result"}}) {
    if (failed(verifyQuantizedTensor(op, value.getType(), what)))
      return failure();
    if (!isPerTensor(value.getType()))
      return op.emitOpError() << what << " must be quantized per tensor";
  }
  // Each operand dimension is the result's or 1 (broadcast), and the
  // result's is the larger of the two.
  auto lhs = op.getLhs().getType(), rhs = op.getRhs().getType();
  auto out = op.getOutput().getType();
  bool ok = lhs.getRank() == out.getRank() && rhs.getRank() == out.getRank();
  for (int64_t d = 0; ok && d < out.getRank(); ++d) {
    int64_t a = lhs.getDimSize(d), b = rhs.getDimSize(d), r = out.getDimSize(d);
    ok = (a == r || a == 1) && (b == r || b == 1) && r == std::max(a, b);
  }
  if (!ok)
    return op.emitOpError() << "operand shapes must equal the result's shape "
                               "or broadcast to it (dimensions of size 1), got "
                            << lhs << ", " << rhs << " and " << out;
  return verifyActivationBounds(op, op.getMin(), op.getMax());
}

LogicalResult AddOp::verify() { return verifyBinary(*this); }
LogicalResult MulOp::verify() { return verifyBinary(*this); }

/// An int8 per-tensor operand or result of the table and pooling ops.
static LogicalResult verifyInt8PerTensor(Operation *op, Type type, StringRef what) {
  if (failed(verifyQuantizedTensor(op, type, what)))
    return failure();
  auto q = dyn_cast<UniformQuantizedType>(cast<ShapedType>(type).getElementType());
  if (!q || !q.isSigned() || q.getStorageTypeIntegralWidth() != 8 ||
      q.getStorageTypeMin() != -128 || q.getStorageTypeMax() != 127)
    return op->emitOpError() << what
                             << " must be signed int8 [-128, 127] quantized per tensor";
  return success();
}

LogicalResult TableOp::verify() {
  if (failed(verifyInt8PerTensor(*this, getInput().getType(), "input")) ||
      failed(verifyInt8PerTensor(*this, getOutput().getType(), "result")))
    return failure();
  if (getTable().size() != 256)
    return emitOpError() << "table must have 256 entries (one per int8 "
                            "value), got "
                         << getTable().size();
  return success();
}

LogicalResult AvgPool2DOp::verify() {
  if (failed(verifyInt8PerTensor(*this, getInput().getType(), "input")) ||
      failed(verifyInt8PerTensor(*this, getOutput().getType(), "result")))
    return failure();
  auto in = getInput().getType(), out = getOutput().getType();
  if (in.getRank() != 4 || out.getRank() != 4)
    return emitOpError("input and result must be rank 4 (NHWC)");
  ArrayRef<int64_t> kernel = getKernel(), stride = getStride();
  if (kernel.size() != 2 || stride.size() != 2)
    return emitOpError("kernel and stride must have 2 entries [y, x]");
  if (kernel[0] < 1 || kernel[1] < 1 || stride[0] < 1 || stride[1] < 1)
    return emitOpError("kernel and stride entries must be positive");
  // The int32 sum of the window: 255 * KH * KW must fit.
  if (kernel[0] > INT32_MAX / 255 / kernel[1]) // kernel[0] * kernel[1] * 255
    return emitOpError() << "kernel of " << kernel[0] << "x" << kernel[1]
                         << " elements could overflow the int32 sum";
  if (in.isDynamicDim(1) || in.isDynamicDim(2) || in.getDimSize(1) < kernel[0] ||
      in.getDimSize(2) < kernel[1])
    return emitOpError() << "kernel " << kernel[0] << "x" << kernel[1]
                         << " does not fit in the input " << in;
  SmallVector<int64_t> expected = {in.getDimSize(0),
                                   (in.getDimSize(1) - kernel[0]) / stride[0] + 1,
                                   (in.getDimSize(2) - kernel[1]) / stride[1] + 1,
                                   in.getDimSize(3)};
  if (out.getShape() != ArrayRef<int64_t>(expected))
    return emitOpError() << "result shape " << out
                         << " does not match the pooling's output shape ["
                         << expected[0] << ", " << expected[1] << ", "
                         << expected[2] << ", " << expected[3] << "]";
  return verifyActivationBounds(*this, getMin(), getMax());
}

LogicalResult ObserveOp::verify() {
  int64_t id = getIdAttr().getInt();
  if (id < 0)
    return emitOpError() << "probe id must be non-negative, got " << id;
  return success();
}

#define GET_OP_CLASSES
#include "qopt/Dialect/QT/IR/QTOps.cpp.inc"

LogicalResult X86VpdpbusdOp::verify() {
  if (getA().getType().getNumElements() != 4 * getAcc().getType().getNumElements())
    return emitOpError("needs 4 bytes per int32 lane (vector<16xi32> with "
                       "vector<64xi8>, or vector<8xi32> with vector<32xi8>)");
  return success();
}
