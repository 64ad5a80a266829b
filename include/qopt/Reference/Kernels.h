//===- Kernels.h - reference int8 operators ---------------------*- C++ -*-===//
//
// Plain loops computing what each qt op means (docs/numerics.md), built from
// the scalar functions of Numerics.h. The oracle for lowering and kernel
// tests; no MLIR, no vectorization, no cleverness.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_REFERENCE_KERNELS_H
#define QOPT_REFERENCE_KERNELS_H

#include "qopt/Reference/Numerics.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace qopt::ref {

/// Parameters of a contraction's operands: per-tensor input and output,
/// per-output-channel weights (one entry each when per tensor).
struct ContractionQuant {
  QuantParams input;
  std::vector<float> weightScales;
  std::vector<int32_t> weightZeroPoints;
  QuantParams output;
  std::optional<float> min, max; // fused activation bounds (real domain)
  bool inputSigned = true, weightSigned = true;

  float weightScale(size_t c) const {
    return weightScales[weightScales.size() == 1 ? 0 : c];
  }
  int32_t weightZeroPoint(size_t c) const {
    return weightZeroPoints[weightZeroPoints.size() == 1 ? 0 : c];
  }
};

/// The multiplier of output channel `c`: s_in * s_w[c] / s_out in double.
std::optional<Multiplier> channelMultiplier(const ContractionQuant &q,
                                            size_t c);

/// y[m, n] for x[M, K], w[N, K] (output channels first), bias[N] or empty.
/// Returns nothing when a multiplier has no fixed-point form.
std::optional<std::vector<int8_t>>
fullyConnected(const std::vector<int8_t> &x, const std::vector<int8_t> &w,
               const std::vector<int32_t> &bias, int64_t m, int64_t k,
               int64_t n, const ContractionQuant &q);

/// y[b, m, n] for x[B, M, K], w[B, K, N] (per-channel along n).
std::optional<std::vector<int8_t>>
batchMatmul(const std::vector<int8_t> &x, const std::vector<int8_t> &w,
            int64_t batch, int64_t m, int64_t k, int64_t n,
            const ContractionQuant &q);

struct ConvShape {
  int64_t n, h, w, c;       // input NHWC
  int64_t kh, kw;           // kernel
  int64_t outChannels;      // F (conv) or C * multiplier (depthwise)
  int64_t pad[4];           // top, bottom, left, right
  int64_t stride[2], dilation[2];
  int64_t outH() const {
    return (h + pad[0] + pad[1] - ((kh - 1) * dilation[0] + 1)) / stride[0] + 1;
  }
  int64_t outW() const {
    return (w + pad[2] + pad[3] - ((kw - 1) * dilation[1] + 1)) / stride[1] + 1;
  }
};

/// NHWC convolution with an OHWI filter; padding is the input zero point.
std::optional<std::vector<int8_t>>
conv2d(const std::vector<int8_t> &x, const std::vector<int8_t> &f,
       const std::vector<int32_t> &bias, const ConvShape &s,
       const ContractionQuant &q);

/// Depthwise NHWC convolution with a [KH, KW, C * M] filter.
std::optional<std::vector<int8_t>>
depthwiseConv2d(const std::vector<int8_t> &x, const std::vector<int8_t> &f,
                const std::vector<int32_t> &bias, const ConvShape &s,
                const ContractionQuant &q);

/// Elementwise add and mul of per-tensor int8 tensors of equal size.
std::optional<std::vector<int8_t>>
add(const std::vector<int8_t> &a, QuantParams pa, const std::vector<int8_t> &b,
    QuantParams pb, QuantParams out, std::optional<float> min = std::nullopt,
    std::optional<float> max = std::nullopt);
std::optional<std::vector<int8_t>>
mul(const std::vector<int8_t> &a, QuantParams pa, const std::vector<int8_t> &b,
    QuantParams pb, QuantParams out, std::optional<float> min = std::nullopt,
    std::optional<float> max = std::nullopt);

/// Broadcasting add and mul: `shapeA` and `shapeB` have the output's rank,
/// each dimension equal to the output's or 1 (broadcast).
std::optional<std::vector<int8_t>>
addBroadcast(const std::vector<int8_t> &a, const std::vector<int64_t> &shapeA,
             QuantParams pa, const std::vector<int8_t> &b,
             const std::vector<int64_t> &shapeB, QuantParams pb,
             QuantParams out, std::optional<float> min = std::nullopt,
             std::optional<float> max = std::nullopt);
std::optional<std::vector<int8_t>>
mulBroadcast(const std::vector<int8_t> &a, const std::vector<int64_t> &shapeA,
             QuantParams pa, const std::vector<int8_t> &b,
             const std::vector<int64_t> &shapeB, QuantParams pb,
             QuantParams out, std::optional<float> min = std::nullopt,
             std::optional<float> max = std::nullopt);

/// qt.table: y[i] = table[x[i] + 128].
std::vector<int8_t> table(const std::vector<int8_t> &x,
                          const std::vector<int8_t> &table);

/// qt.avg_pool2d on NHWC x[n, h, w, c] without padding: the int32 sum of
/// (q - z_in) over each kh x kw window, requantized with
/// M = s_in / (s_out * kh * kw). Nothing when M has no fixed-point form.
std::optional<std::vector<int8_t>>
avgPool2d(const std::vector<int8_t> &x, int64_t n, int64_t h, int64_t w,
          int64_t c, int64_t kh, int64_t kw, int64_t sy, int64_t sx,
          QuantParams in, QuantParams out,
          std::optional<float> min = std::nullopt,
          std::optional<float> max = std::nullopt);

/// The parameters dynamic quantization picks at run time for `x`: the
/// asymmetric int8 parameters of [min(0, min x), max(0, max x)], NaN ignored.
QuantParams dynamicParams(const float *x, size_t n);

/// qt.dynamic_fully_connected: x[M, K] float, w[N, K] int8 with per-channel
/// (or single) scales and zero points, bias[N] float or empty. Returns
/// float(acc) * (s * s_w[n]) + bias[n], clamped with fmax / fmin.
std::vector<float> dynamicFullyConnected(
    const std::vector<float> &x, const std::vector<int8_t> &w,
    const std::vector<float> &weightScales,
    const std::vector<int32_t> &weightZeroPoints, const std::vector<float> &bias,
    int64_t m, int64_t k, int64_t n, std::optional<float> min,
    std::optional<float> max);

} // namespace qopt::ref

#endif // QOPT_REFERENCE_KERNELS_H
