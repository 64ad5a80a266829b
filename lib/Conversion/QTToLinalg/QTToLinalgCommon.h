//===- QTToLinalgCommon.h - shared by the qt-to-linalg lowerings -*- C++ -*-===//
//
// Helpers and pattern groups of convert-qt-to-linalg, split by op family
// (Conversions.cpp, Contractions.cpp, Elementwise.cpp) like torch-mlir's
// TorchToLinalg. Private to lib/Conversion/QTToLinalg.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_LIB_CONVERSION_QTTOLINALG_QTTOLINALGCOMMON_H
#define QOPT_LIB_CONVERSION_QTTOLINALG_QTTOLINALGCOMMON_H

#include "qopt/Conversion/LinalgBuilders.h"
#include "qopt/Conversion/Passes.h"
#include "qopt/Dialect/QT/IR/QTOps.h"
#include "qopt/Reference/Numerics.h"

#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/Transforms/DialectConversion.h"

namespace qopt::qt_to_linalg {

using namespace mlir;

/// The parameters of a quantized tensor, one entry per channel (a single
/// entry when quantized per tensor). Scales are the float32 values kernels
/// use.
struct QParams {
  SmallVector<float> scales;
  SmallVector<int64_t> zeroPoints;
  int32_t axis = -1;
  bool isSigned = true;
  int64_t qmin = -128, qmax = 127;
  unsigned width = 8;

  bool perTensor() const { return axis < 0; }
  float scale(int64_t c) const { return scales[perTensor() ? 0 : c]; }
  int64_t zeroPoint(int64_t c) const {
    return zeroPoints[perTensor() ? 0 : c];
  }
  ref::QuantParams tensorParams() const {
    return {scales[0], static_cast<int32_t>(zeroPoints[0])};
  }
};

QParams getParams(Type type);

Value constInt(OpBuilder &b, Location loc, Type type, int64_t v);
/// A 1-D (or shaped) integer constant tensor.
Value constTensor(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                  Type element, ArrayRef<int64_t> values);
Value constFloatTensor(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                       ArrayRef<float> values);
/// Sign- or zero-extends a storage integer to `to`.
Value extend(OpBuilder &b, Location loc, Value v, Type to, bool isSigned);
/// Narrows an i64 known to be in range to the storage type.
Value narrow(OpBuilder &b, Location loc, Value v, Type to);
using qopt::buildParallel;
using qopt::iterators;
/// Fixed-point requantization of an i64 accumulator with a multiplier and
/// shift (i64 values), then zero point and clamp (docs/numerics.md).
Value requantizeValue(OpBuilder &b, Location loc, Value acc, Value m0,
                      Value shift, int64_t zOut, int64_t lo, int64_t hi,
                      Type outType);
/// The fixed-point form of a multiplier, or a diagnostic at `op`.
FailureOr<ref::Multiplier> multiplierFor(Operation *op, double m);
/// The output clamp of an op with optional fused activation bounds.
ref::StorageRange outputRange(const QParams &out, std::optional<APFloat> min,
                              std::optional<APFloat> max);
/// Maps a tensor's elements to the channel index along `axis`.
AffineMap channelMap(OpBuilder &b, unsigned rank, int32_t axis);

/// What the contraction lowerings share: per-output-channel multipliers,
/// weight zero points and bias, and the requantization of the accumulator.
struct ContractionParams {
  QParams input, weight, output;
  SmallVector<int64_t> m0s, shifts, weightZeroPoints;
  ref::StorageRange range;
};
FailureOr<ContractionParams>
contractionParams(Operation *op, Type input, Type weight, Type output,
                  int64_t channels, std::optional<APFloat> min,
                  std::optional<APFloat> max);

/// quantize, dequantize, requantize, observe, quant.scast.
void populateConversionLowerings(const TypeConverter &converter,
                                 RewritePatternSet &patterns);
/// fully_connected, dynamic_fully_connected, matmul, conv2d,
/// depthwise_conv2d.
void populateContractionLowerings(const TypeConverter &converter,
                                  RewritePatternSet &patterns);
/// add, mul.
void populateElementwiseLowerings(const TypeConverter &converter,
                                  RewritePatternSet &patterns);

} // namespace qopt::qt_to_linalg

#endif // QOPT_LIB_CONVERSION_QTTOLINALG_QTTOLINALGCOMMON_H
