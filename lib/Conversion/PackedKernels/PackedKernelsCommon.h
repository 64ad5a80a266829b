//===- PackedKernelsCommon.h - shared by the packed int8 kernels -*- C++ -*-===//
//
// What every packed kernel needs besides its instruction: the compile-time
// data of an int8 fully connected layer (per-column sums, bias,
// multipliers), the input as storage, and the vector requantization of
// docs/numerics.md.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_LIB_CONVERSION_PACKEDKERNELS_PACKEDKERNELSCOMMON_H
#define QOPT_LIB_CONVERSION_PACKEDKERNELS_PACKEDKERNELSCOMMON_H

#include "qopt/Dialect/QT/IR/QTOps.h"
#include "qopt/Reference/Numerics.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"

#include <optional>
#include <vector>

namespace qopt::packed {

/// An int8 fully connected layer y[M,N] = x[M,K] * w[N,K]^T with constant
/// weights (zero point 0), signed int8 input and output, and what the
/// kernels precompute per output column.
struct FullyConnectedPlan {
  int64_t m = 0, k = 0, n = 0;
  std::vector<int8_t> weights; // [n, k], row-major
  std::vector<int64_t> colsum; // sum_k w[c, k]
  std::vector<int32_t> bias;   // zeros without a bias
  std::vector<int32_t> m0;     // requantization multiplier (0: rounds to 0)
  std::vector<int8_t> shift;   // its right shift n, in [1, 62]
  ref::QuantParams in, out;    // zero points (scales only for the record)
  ref::StorageRange range;     // output clamp in storage values
  bool doubleRound = false;    // TOSA DOUBLE_ROUND (TFLite) requantization

  /// bias - (inputShift + z_in) * colsum: the accumulator start that makes
  /// sum_k (x + inputShift) * w equal bias + sum_k (x - z_in) * w.
  std::vector<int32_t> compensation(int64_t inputShift) const;
};

/// The plan of `op`, or failure when its form is not one the packed kernels
/// take (the portable lowering then handles or reports it).
mlir::FailureOr<FullyConnectedPlan> planFullyConnected(qt::FullyConnectedOp op);

/// A constant tensor of `shape` holding `values` as `element`s, from their
/// bytes (so bf16 values can be given as their 16-bit patterns).
template <typename T>
mlir::Value constantTensor(mlir::OpBuilder &b, mlir::Location loc,
                           llvm::ArrayRef<int64_t> shape, mlir::Type element,
                           llvm::ArrayRef<T> values) {
  auto type = mlir::RankedTensorType::get(shape, element);
  return mlir::arith::ConstantOp::create(
      b, loc, type,
      mlir::DenseElementsAttr::getFromRawBuffer(
          type, llvm::ArrayRef<char>(reinterpret_cast<const char *>(values.data()),
                                     values.size() * sizeof(T))));
}

/// `x` ([M, K] i8) in a zero-filled [rows, cols] tensor (rows >= M,
/// cols >= K).
mlir::Value paddedInput(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x,
                        int64_t rows, int64_t cols);

/// The smallest and largest right shift n of the columns whose multiplier
/// is not 0 (a column with M0 = 0 gives z_out whatever its shift).
struct ShiftBounds {
  int min = 1, max = 62;
};
ShiftBounds shiftBounds(llvm::ArrayRef<int32_t> m0, llvm::ArrayRef<int8_t> shift);

/// Requantizes int32 lanes: ((acc * M0 + 2^(n-1)) >> n) + z_out, clamped to
/// `range`, as int8 lanes (one rounding, SPEC §5). With `doubleRound`, TOSA's
/// DOUBLE_ROUND: for n > 31 the rounding constant moves 2^30 away from zero
/// (towards the sign of acc), as TFLite's two-step rounding does. When
/// `shifts` says every live lane has n >= 32 (the usual case: M < 0.5), the
/// product is only needed from bit 32 up and the whole computation stays in
/// 32-bit lanes (the high half of acc * M0 plus the rounding term, shifted by
/// n - 32): the same results, with half the lanes of the 64-bit form.
mlir::Value requantize(mlir::OpBuilder &b, mlir::Location loc, mlir::Value acc,
                       mlir::Value m0, mlir::Value shift, ref::QuantParams out,
                       ref::StorageRange range, bool doubleRound = false,
                       ShiftBounds shifts = {});

/// Float32 scale and zero point of a per-tensor quantized tensor type.
ref::QuantParams tensorParams(mlir::Type type);

/// The int8 values of a constant weight behind quant.scast, if it is one.
std::optional<std::vector<int8_t>> constantWeights(mlir::Value weight);

/// Per-channel scales of a weight type quantized with zero point 0 (one
/// scale when per tensor), or nothing for other forms.
std::optional<std::vector<float>> symmetricWeightScales(mlir::Type weightType);

/// The fused activation bounds of a qt contraction, as storage values.
ref::StorageRange outputRange(ref::QuantParams out, std::optional<llvm::APFloat> min,
                              std::optional<llvm::APFloat> max);

/// Replaces `op` by `result` ([M, N] i8 storage).
void replaceWithStorage(qt::FullyConnectedOp op, mlir::Value result);

/// What a block-sparse kernel knows of one column block: its index, the
/// range [first, last) of its stored weight blocks, its first column, and
/// whether it is the partial last block (read and written with masks).
struct SparseColumnBlock {
  mlir::Value block, first, last, col;
  bool partial;
};

/// Emits `body` for every column block of `lanes` of `n` columns, the range
/// of stored blocks read from `start` ([column blocks + 1] i32), threading
/// `dest` (the output tensor) through.
mlir::Value forEachSparseColumnBlock(
    mlir::OpBuilder &b, mlir::Location loc, int64_t n, int64_t lanes,
    mlir::Value start, mlir::Value dest,
    llvm::function_ref<mlir::Value(mlir::OpBuilder &, mlir::Location,
                                   const SparseColumnBlock &, mlir::Value)>
        body);

/// Emits `body(row, rows)` for rows [0, m) in tiles of `tileRows`, the rest
/// one at a time, threading `dest` through.
mlir::Value forEachRowTile(
    mlir::OpBuilder &b, mlir::Location loc, int64_t m, int64_t tileRows,
    mlir::Value dest,
    llvm::function_ref<mlir::Value(mlir::OpBuilder &, mlir::Location, mlir::Value,
                                   int64_t, mlir::Value)>
        body);

/// `tensor[at]` (an i32 tensor) as an index.
mlir::Value extractIndex(mlir::OpBuilder &b, mlir::Location loc, mlir::Value tensor,
                         mlir::Value at);

/// Checks a `sparse-weights=` option value (auto, dense or sparse).
mlir::LogicalResult checkSparseWeights(llvm::StringRef value, mlir::Operation *where);

/// The instruction-specific kernels: y[M,N] (i8) for the plan's layer on
/// x[M,K] (i8), emitted at `b`'s insertion point.
/// K values per int32 lane in one dot step (vpdpbusd, sdot).
constexpr int64_t kGroup = 4;

/// A dot-product instruction and the register tile built on it.
struct DotISA {
  llvm::StringLiteral name;
  int64_t lanes;        // int32 lanes per accumulator register
  int64_t parts;        // weight vectors per (column block, 4 K values)
  bool unsignedInput;   // u8 x s8 (vpdpbusd): the input is shifted by +128
  int64_t rows, blocks; // register tile: rows x column blocks accumulators
  /// The dot's input operands for one row's 4 K values (vector<4xi8>).
  llvm::SmallVector<mlir::Value, 2> (*input)(mlir::OpBuilder &, mlir::Location,
                                             const DotISA &, mlir::Value);
  /// A packed weight vector as the dot takes it.
  mlir::Value (*weight)(mlir::OpBuilder &, mlir::Location, mlir::Value);
  /// acc + dot(inputs, weights) on `lanes` int32 lanes.
  mlir::Value (*dot)(mlir::OpBuilder &, mlir::Location, mlir::Value,
                     llvm::ArrayRef<mlir::Value>, llvm::ArrayRef<mlir::Value>);
};

const DotISA *lookupDotISA(llvm::StringRef name);
/// The float epilogue of qt.dynamic_fully_connected (docs/numerics.md): the
/// input's zero point and scale are run-time values, the weights' zero
/// points 0; y = float(acc) * (s * weightScales[n]) + bias[n], clamped to
/// min / max — the same float32 operations, in the same order, as the
/// portable lowering.
struct FloatEpilogue {
  mlir::Value zeroPoint, scale;     // i32 and f32 scalars
  std::vector<float> weightScales;  // one per column
  mlir::Value bias;                 // tensor<N x f32>, or null
  std::optional<float> min, max;
};
/// The per-column constants a dot or tile kernel reads in its epilogue: for
/// int8 output the accumulator start bias - (inputShift + z_in) * colsum,
/// the multiplier and the shift; with a float epilogue the column sums, the
/// weight scales and -(inputShift + z), the run-time scalar that turns
/// sum (x + inputShift) * w into sum (x - z) * w.
struct ColumnConstants {
  mlir::Value corr, m0, shift;
  mlir::Value colsum, weightScales, negShiftZ;
};
ColumnConstants columnConstants(mlir::OpBuilder &b, mlir::Location loc,
                                const FullyConnectedPlan &plan,
                                const FloatEpilogue *epilogue, int64_t inputShift);

/// y[M,N] for the plan's weights on x[M,K] (i8): int8 requantized with the
/// plan's parameters, or float32 with `epilogue`.
mlir::Value emitDotKernel(mlir::OpBuilder &b, mlir::Location loc,
                          const FullyConnectedPlan &plan, mlir::Value x,
                          const DotISA &isa, const FloatEpilogue *epilogue = nullptr);
/// The same layer on block-sparse weights: only the (lanes x 4) weight
/// blocks with a non-zero value are stored, each with its K offset, and the
/// K loop of each column block visits only those (docs/pruning.md).
mlir::Value emitSparseDotKernel(mlir::OpBuilder &b, mlir::Location loc,
                                const FullyConnectedPlan &plan, mlir::Value x,
                                const DotISA &isa);
/// float32 y[M,N] = init[N] + x[M,K] * w^T (w: [N, K] row-major) on
/// block-sparse weights (blocks of `lanes` columns x 1 K value), bit-identical
/// to the dense linalg lowering (SparseFloatKernel.cpp).
mlir::Value emitSparseFloatKernel(mlir::OpBuilder &b, mlir::Location loc,
                                  mlir::Value x, llvm::ArrayRef<float> weights,
                                  int64_t n, llvm::ArrayRef<float> init,
                                  int64_t lanes);
/// The same on dense weights packed [column block][K][lanes], in register
/// tiles of rows x column blocks (DenseFloatKernel.cpp).
mlir::Value emitDenseFloatKernel(mlir::OpBuilder &b, mlir::Location loc,
                                 mlir::Value x, llvm::ArrayRef<float> weights,
                                 int64_t n, llvm::ArrayRef<float> init,
                                 int64_t lanes);
mlir::Value emitSmmlaKernel(mlir::OpBuilder &b, mlir::Location loc,
                            const FullyConnectedPlan &plan, mlir::Value x);

/// The same layer on AMX tiles (tdpbssd), AmxKernel.cpp; float32 with
/// `epilogue`, as emitDotKernel.
mlir::Value emitAmxKernel(mlir::OpBuilder &b, mlir::Location loc,
                          const FullyConnectedPlan &plan, mlir::Value x,
                          const FloatEpilogue *epilogue = nullptr);
/// float y[M,N] = init[N] + x[M,K] * w[N,K]^T on AMX-BF16 tiles (tdpbf16ps),
/// x a bf16 tensor (or float32, rounded to bf16 as it is copied into tiles),
/// w the bits of bf16 weights (row-major): each output adds
/// its products (exact in float32) to init in increasing K, as the linalg
/// loops do; `outElement` f32, or bf16 (the sum rounded to nearest even).
mlir::Value emitAmxBf16Kernel(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x,
                              llvm::ArrayRef<uint16_t> weights, int64_t n,
                              llvm::ArrayRef<float> init, mlir::Type outElement);
/// Marks an amx.tile_load whose tiles stream from L2 (each read once per
/// block): qt-lower-amx-stream-loads makes it a tileloaddt1.
constexpr llvm::StringLiteral kStreamLoadAttr = kStreamLoadAttrName;

/// A single row uses a sixteenth of a 16-row AMX tile, which then does less
/// than vpdpbusd; from 2 rows the tiles win (measured, docs/performance.md),
/// so the AMX variant runs only 1-row layers on its vpdpbusd kernel.
constexpr int64_t kAmxMinRows = 2;

/// Narrower or shallower layers (less than one whole column tile or one
/// whole K tile) gain little from the tiles. Measured end to end on PP-OCR
/// (docs/performance.md): every layer of 2+ rows on AMX was 3-8% slower
/// than vpdpbusd; from 32 columns 0-8% faster; from 16 columns, since
/// narrow layers read their input tiles in place, det 23% faster again
/// (its two 3x3 convolutions to 24 channels are half its work), cls and
/// rec 2-3%; K from 16 instead of 64 was 2-7% slower. Layers of 16-31
/// columns need many rows too: the digits CNN's 16 x 16 x 72 convolution
/// made it 1.30x slower on tiles, MNIST LeNet's 100 x 16 x 150 1.04x.
constexpr int64_t kAmxMinColumns = 32, kAmxMinDepth = 64;
constexpr int64_t kAmxNarrowMinColumns = 16, kAmxNarrowMinRows = 256;

/// The kernels of one ISA: a dot kernel, or smmla; with `amx`, AMX tiles for
/// the layers takesAmx accepts and the dot kernel for the rest.
struct KernelChoice {
  const DotISA *dot = nullptr; // null: smmla
  bool amx = false;
  /// AVX-512 VBMI: tables on vpermi2b.
  bool vbmi = false;
  /// AMX for every layer of kAmxMinRows rows or more, whatever its width
  /// (tests of the AMX kernel's edges).
  bool amxSmallLayers = false;
  bool takesAmx(int64_t m, int64_t n, int64_t k) const {
    return amx && m >= kAmxMinRows &&
           (amxSmallLayers ||
            (k >= kAmxMinDepth && (n >= kAmxMinColumns || (n >= kAmxNarrowMinColumns &&
                                                            m >= kAmxNarrowMinRows))));
  }
  mlir::Value emit(mlir::OpBuilder &b, mlir::Location loc,
                   const FullyConnectedPlan &plan, mlir::Value x) const {
    if (takesAmx(plan.m, plan.n, plan.k))
      return emitAmxKernel(b, loc, plan, x);
    return dot ? emitDotKernel(b, loc, plan, x, *dot)
               : emitSmmlaKernel(b, loc, plan, x);
  }
};

/// The kernels for `isa`, or an error at `where` naming the known ones.
mlir::FailureOr<KernelChoice> lookupKernels(llvm::StringRef isa,
                                            mlir::Operation *where);

/// im2col (i8 storage or float): x [N,H,W,C] padded with `padValue` by `pad`
/// ([top, bottom, left, right]) -> [N*OH*OW, KH*KW*C] rows of patches.
mlir::Value im2col(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x,
                   int64_t kh, int64_t kw, int64_t oh, int64_t ow,
                   llvm::ArrayRef<int64_t> pad, llvm::ArrayRef<int64_t> stride,
                   llvm::ArrayRef<int64_t> dilation, int64_t padValue);
/// Depthwise convolution (multiplier 1) as a direct vector kernel over
/// channel blocks of `lanes`: with `vpdpwssd` (AVX-512 VNNI, 16 lanes)
/// several output pixels per step and one `vpdpwssd` per tap, else one
/// pixel per step and a multiply and an add per tap.
mlir::LogicalResult lowerDepthwise(qt::DepthwiseConv2DOp op, int64_t lanes,
                                   bool vpdpwssd = false);

/// qt.table (int8 in and out) as byte shuffles, `bytes` (32: AVX2, 64:
/// AVX-512 BW) elements at a time, or (`arm`) 16 at a time with AArch64's
/// tbl (TableKernel.cpp).
/// `vbmi`: two vpermi2b per 64 bytes instead of sixteen vpshufb (x86,
/// 64-byte vectors only).
mlir::LogicalResult lowerTable(qt::TableOp op, int64_t bytes, bool arm = false,
                               bool vbmi = false);

/// What a depthwise kernel computes, as callbacks of its loops.
struct DepthwiseSteps {
  /// What it loads once per channel block (at column `col`).
  llvm::function_ref<llvm::SmallVector<mlir::Value>(mlir::OpBuilder &, mlir::Location,
                                                    mlir::Value col, bool inBounds)>
      setup;
  /// An input vector made ready for the taps that read it (done once per
  /// vector and output block: e.g. widened).
  llvm::function_ref<mlir::Value(mlir::OpBuilder &, mlir::Location, mlir::Value input)>
      prepare;
  /// An output pixel's accumulator before its first tap.
  llvm::function_ref<mlir::Value(mlir::OpBuilder &, mlir::Location,
                                 llvm::ArrayRef<mlir::Value> block)>
      init;
  /// The accumulator after tap `tap` ((kh, kw) order) reading `input`.
  llvm::function_ref<mlir::Value(mlir::OpBuilder &, mlir::Location, mlir::Value acc,
                                 mlir::Value input, int64_t tap,
                                 llvm::ArrayRef<mlir::Value> block)>
      accumulate;
  /// The output vector from the accumulator after the last tap.
  llvm::function_ref<mlir::Value(mlir::OpBuilder &, mlir::Location, mlir::Value acc,
                                 llvm::ArrayRef<mlir::Value> block)>
      finish;
  /// With `chains` > 1, a pixel's taps go round-robin to that many partial
  /// accumulators (the others start at `zero`), added with `combine` before
  /// `finish`: independent chains for a multiply-add of several cycles'
  /// latency. Only for exact (integer) sums.
  int64_t chains = 1;
  llvm::function_ref<mlir::Value(mlir::OpBuilder &, mlir::Location)> zero;
  llvm::function_ref<mlir::Value(mlir::OpBuilder &, mlir::Location, mlir::Value,
                                 mlir::Value)>
      combine;
};
/// The loops of a depthwise kernel vectorized over channels: for every
/// block of `lanes` channels (the last one masked) and output pixel of
/// `outShape` (NHWC), reads the taps of `x` (already padded) and writes what
/// `steps` compute. `outBlock` adjacent output pixels of a row share one
/// iteration, so an input vector that several of them read is loaded and
/// prepared once; each pixel still adds its taps in (kh, kw) order.
mlir::Value emitDepthwiseLoops(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x,
                               llvm::ArrayRef<int64_t> outShape, mlir::Type outElement,
                               int64_t kh, int64_t kw, llvm::ArrayRef<int64_t> stride,
                               llvm::ArrayRef<int64_t> dilation, int64_t lanes,
                               int64_t outBlock, const DepthwiseSteps &steps);
/// float32 depthwise convolution (multiplier 1) on `x` (padded), filter
/// [KH*KW, C], bit-identical to the linalg loops.
mlir::Value emitDepthwiseFloatKernel(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x,
                                     llvm::ArrayRef<float> filter, llvm::ArrayRef<float> bias,
                                     llvm::ArrayRef<int64_t> outShape, int64_t kh, int64_t kw,
                                     llvm::ArrayRef<int64_t> stride,
                                     llvm::ArrayRef<int64_t> dilation, int64_t lanes);

} // namespace qopt::packed

#endif // QOPT_LIB_CONVERSION_PACKEDKERNELS_PACKEDKERNELSCOMMON_H
