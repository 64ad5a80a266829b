//===- QuantizationUtils.h - shared by the quantization passes --*- C++ -*-===//

#ifndef QOPT_QUANTIZATION_QUANTIZATIONUTILS_H
#define QOPT_QUANTIZATION_QUANTIZATIONUTILS_H

#include "qopt/Reference/Numerics.h"

#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/Operation.h"
#include "mlir/IR/Value.h"

#include <optional>
#include <vector>

namespace qopt {

/// The calibrated `qt.range` of a value (op result or function argument).
std::optional<std::pair<float, float>> calibratedRange(mlir::Value v);

/// Activation parameters from the calibrated `qt.range` of a value.
std::optional<ref::ChosenParams> activationParams(mlir::Value v, bool symmetric);

/// `!quant.uniform<i8:f32, s:z>`.
mlir::quant::UniformQuantizedType perTensorType(mlir::MLIRContext *ctx,
                                                ref::QuantParams p);

/// The values of a float32 constant operand.
std::optional<std::vector<float>> constantValues(mlir::Value v);
bool isZeroConstant(mlir::Value v);
/// Whether no value is NaN or infinite.
bool allFinite(llvm::ArrayRef<float> values);
/// Why a layer whose weights or bias hold NaN or infinity stays float: int8
/// cannot represent them, and quantizing them (NaN to 0) would change the
/// model without a word (docs/quantization.md).
inline constexpr const char *kNonFiniteWeights =
    "its weights or bias hold NaN or infinite values";

/// Weights quantized symmetrically per output channel, in [-127, 127].
struct QuantizedWeights {
  std::vector<float> scales;
  std::vector<int8_t> values; // same layout as given
  std::vector<int32_t> bias;
  int64_t channels = 0;
  bool fromFile = false; // the scales are a quantized model's
};

/// `channelOf(i)` gives the output channel of flat weight index i. With
/// `fileScales` (one per channel, from a quantized model) the weights keep
/// those scales and the range [-128, 127].
QuantizedWeights quantizeWeights(const std::vector<float> &w, int64_t channels,
                                 llvm::function_ref<int64_t(size_t)> channelOf,
                                 llvm::ArrayRef<float> fileScales = {});

/// What a rewrite fuses after a contraction.
struct Epilogue {
  mlir::Operation *last;                  // the op whose result is replaced
  llvm::SmallVector<mlir::Operation *> chain; // the contraction, then fused ops
  std::optional<std::vector<float>> bias;
  std::optional<float> min, max;          // fused clamp
};

/// Follows `op` through a constant bias add of `channels` values (when
/// `allowBias`) and a clamp, each only if it is the sole user.
Epilogue fuseEpilogue(mlir::Operation *op, int64_t channels, bool allowBias);

/// A batch-1 float `tosa.matmul` with a constant right operand [1, K, N]
/// and zero zero points, seen as a fully connected layer: its weights
/// transposed to [N, K] (output channels first) and quantized per channel.
struct FullyConnectedMatch {
  int64_t m, k, n;
  QuantizedWeights weights;
};
/// Fails with the reason in `why` when `op` is not such a layer.
mlir::FailureOr<FullyConnectedMatch>
matchFullyConnected(mlir::Operation *matmul, std::string &why);

/// Runs a max_pool2d, reshape, transpose, gather (values operand), or tensor collapse_shape /
/// expand_shape whose input is dequantized from
/// int8 on the int8 storage instead (exact: they move or compare values),
/// erasing `op`. Fails, changing nothing, when the input is not int8.
mlir::LogicalResult moveOntoInt8Storage(mlir::Operation *op);

} // namespace qopt

#endif // QOPT_QUANTIZATION_QUANTIZATIONUTILS_H
