//===- Kernels.cpp - reference int8 operators -------------------*- C++ -*-===//

#include "qopt/Reference/Kernels.h"

#include <algorithm>
#include <cmath>

using namespace qopt::ref;

std::optional<Multiplier> qopt::ref::channelMultiplier(const ContractionQuant &q,
                                                       size_t c) {
  double m = static_cast<double>(q.input.scale) *
             static_cast<double>(q.weightScale(c)) /
             static_cast<double>(q.output.scale);
  return quantizeMultiplier(m);
}

namespace {

/// Requantizes one accumulator per output channel; shared by every
/// contraction.
struct Requantizer {
  std::vector<Multiplier> multipliers;
  StorageRange range;
  int32_t zOut;

  static std::optional<Requantizer> create(const ContractionQuant &q,
                                           int64_t channels) {
    Requantizer r;
    for (int64_t c = 0; c < channels; ++c) {
      std::optional<Multiplier> m = channelMultiplier(q, c);
      if (!m)
        return std::nullopt;
      r.multipliers.push_back(*m);
    }
    r.range = activationRange(q.output, q.min, q.max);
    r.zOut = q.output.zeroPoint;
    return r;
  }
  int8_t operator()(int64_t acc, int64_t channel) const {
    return static_cast<int8_t>(requantize(acc, multipliers[channel], zOut,
                                          range.min, range.max));
  }
};

int32_t value(int8_t v, bool isSigned) {
  return isSigned ? static_cast<int32_t>(v)
                  : static_cast<int32_t>(static_cast<uint8_t>(v));
}

} // namespace

std::optional<std::vector<int8_t>>
qopt::ref::fullyConnected(const std::vector<int8_t> &x,
                          const std::vector<int8_t> &w,
                          const std::vector<int32_t> &bias, int64_t m,
                          int64_t k, int64_t n, const ContractionQuant &q) {
  auto requant = Requantizer::create(q, n);
  if (!requant)
    return std::nullopt;
  std::vector<int8_t> y(m * n);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      int32_t acc = bias.empty() ? 0 : bias[j];
      for (int64_t l = 0; l < k; ++l)
        acc += (value(x[i * k + l], q.inputSigned) - q.input.zeroPoint) *
               (value(w[j * k + l], q.weightSigned) - q.weightZeroPoint(j));
      y[i * n + j] = (*requant)(acc, j);
    }
  return y;
}

std::optional<std::vector<int8_t>>
qopt::ref::batchMatmul(const std::vector<int8_t> &x,
                       const std::vector<int8_t> &w, int64_t batch, int64_t m,
                       int64_t k, int64_t n, const ContractionQuant &q) {
  auto requant = Requantizer::create(q, n);
  if (!requant)
    return std::nullopt;
  std::vector<int8_t> y(batch * m * n);
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        int32_t acc = 0;
        for (int64_t l = 0; l < k; ++l)
          acc += (value(x[(b * m + i) * k + l], q.inputSigned) -
                  q.input.zeroPoint) *
                 (value(w[(b * k + l) * n + j], q.weightSigned) -
                  q.weightZeroPoint(j));
        y[(b * m + i) * n + j] = (*requant)(acc, j);
      }
  return y;
}

namespace {

/// The input value at a (possibly padded) position: the zero point outside.
int32_t inputAt(const std::vector<int8_t> &x, const ConvShape &s,
                const ContractionQuant &q, int64_t n, int64_t y, int64_t xx,
                int64_t c) {
  int64_t iy = y - s.pad[0], ix = xx - s.pad[2];
  if (iy < 0 || iy >= s.h || ix < 0 || ix >= s.w)
    return q.input.zeroPoint;
  return value(x[((n * s.h + iy) * s.w + ix) * s.c + c], q.inputSigned);
}

} // namespace

std::optional<std::vector<int8_t>>
qopt::ref::conv2d(const std::vector<int8_t> &x, const std::vector<int8_t> &f,
                  const std::vector<int32_t> &bias, const ConvShape &s,
                  const ContractionQuant &q) {
  auto requant = Requantizer::create(q, s.outChannels);
  if (!requant)
    return std::nullopt;
  int64_t oh = s.outH(), ow = s.outW();
  std::vector<int8_t> y(s.n * oh * ow * s.outChannels);
  for (int64_t n = 0; n < s.n; ++n)
    for (int64_t i = 0; i < oh; ++i)
      for (int64_t j = 0; j < ow; ++j)
        for (int64_t o = 0; o < s.outChannels; ++o) {
          int32_t acc = bias.empty() ? 0 : bias[o];
          for (int64_t a = 0; a < s.kh; ++a)
            for (int64_t b = 0; b < s.kw; ++b)
              for (int64_t c = 0; c < s.c; ++c) {
                int32_t in = inputAt(x, s, q, n, i * s.stride[0] + a * s.dilation[0],
                                     j * s.stride[1] + b * s.dilation[1], c);
                int32_t wv = value(f[((o * s.kh + a) * s.kw + b) * s.c + c],
                                   q.weightSigned);
                acc += (in - q.input.zeroPoint) * (wv - q.weightZeroPoint(o));
              }
          y[((n * oh + i) * ow + j) * s.outChannels + o] = (*requant)(acc, o);
        }
  return y;
}

std::optional<std::vector<int8_t>>
qopt::ref::depthwiseConv2d(const std::vector<int8_t> &x,
                           const std::vector<int8_t> &f,
                           const std::vector<int32_t> &bias, const ConvShape &s,
                           const ContractionQuant &q) {
  auto requant = Requantizer::create(q, s.outChannels);
  if (!requant)
    return std::nullopt;
  int64_t mult = s.outChannels / s.c;
  int64_t oh = s.outH(), ow = s.outW();
  std::vector<int8_t> y(s.n * oh * ow * s.outChannels);
  for (int64_t n = 0; n < s.n; ++n)
    for (int64_t i = 0; i < oh; ++i)
      for (int64_t j = 0; j < ow; ++j)
        for (int64_t o = 0; o < s.outChannels; ++o) {
          int64_t c = o / mult;
          int32_t acc = bias.empty() ? 0 : bias[o];
          for (int64_t a = 0; a < s.kh; ++a)
            for (int64_t b = 0; b < s.kw; ++b) {
              int32_t in = inputAt(x, s, q, n, i * s.stride[0] + a * s.dilation[0],
                                   j * s.stride[1] + b * s.dilation[1], c);
              int32_t wv = value(f[(a * s.kw + b) * s.outChannels + o],
                                 q.weightSigned);
              acc += (in - q.input.zeroPoint) * (wv - q.weightZeroPoint(o));
            }
          y[((n * oh + i) * ow + j) * s.outChannels + o] = (*requant)(acc, o);
        }
  return y;
}

std::optional<std::vector<int8_t>>
qopt::ref::add(const std::vector<int8_t> &a, QuantParams pa,
               const std::vector<int8_t> &b, QuantParams pb, QuantParams out,
               std::optional<float> min, std::optional<float> max) {
  auto m = quantizeAddMultipliers(pa.scale, pb.scale, out.scale);
  if (!m)
    return std::nullopt;
  StorageRange range = activationRange(out, min, max);
  std::vector<int8_t> y(a.size());
  for (size_t i = 0; i < a.size(); ++i)
    y[i] = static_cast<int8_t>(addElement(a[i], pa.zeroPoint, b[i],
                                          pb.zeroPoint, *m, out.zeroPoint,
                                          range.min, range.max));
  return y;
}

std::optional<std::vector<int8_t>>
qopt::ref::mul(const std::vector<int8_t> &a, QuantParams pa,
               const std::vector<int8_t> &b, QuantParams pb, QuantParams out,
               std::optional<float> min, std::optional<float> max) {
  auto m = quantizeMultiplier(static_cast<double>(pa.scale) * pb.scale /
                              out.scale);
  if (!m)
    return std::nullopt;
  StorageRange range = activationRange(out, min, max);
  std::vector<int8_t> y(a.size());
  for (size_t i = 0; i < a.size(); ++i) {
    int64_t acc = static_cast<int64_t>(a[i] - pa.zeroPoint) * (b[i] - pb.zeroPoint);
    y[i] = static_cast<int8_t>(
        requantize(acc, *m, out.zeroPoint, range.min, range.max));
  }
  return y;
}

namespace {
/// Walks the output of a broadcast binary op in row-major order, yielding
/// the flat index of each operand's element.
template <typename Fn>
void forEachBroadcast(const std::vector<int64_t> &shapeA,
                      const std::vector<int64_t> &shapeB, Fn &&fn) {
  size_t rank = shapeA.size();
  std::vector<int64_t> out(rank), idx(rank, 0);
  int64_t total = 1;
  for (size_t d = 0; d < rank; ++d) {
    out[d] = std::max(shapeA[d], shapeB[d]);
    total *= out[d];
  }
  for (int64_t i = 0; i < total; ++i) {
    int64_t ia = 0, ib = 0;
    for (size_t d = 0; d < rank; ++d) {
      ia = ia * shapeA[d] + (shapeA[d] == 1 ? 0 : idx[d]);
      ib = ib * shapeB[d] + (shapeB[d] == 1 ? 0 : idx[d]);
    }
    fn(i, ia, ib);
    for (size_t d = rank; d-- > 0;)
      if (++idx[d] < out[d])
        break;
      else
        idx[d] = 0;
  }
}

int64_t broadcastSize(const std::vector<int64_t> &a, const std::vector<int64_t> &b) {
  int64_t n = 1;
  for (size_t d = 0; d < a.size(); ++d)
    n *= std::max(a[d], b[d]);
  return n;
}
} // namespace

std::optional<std::vector<int8_t>> qopt::ref::addBroadcast(
    const std::vector<int8_t> &a, const std::vector<int64_t> &shapeA,
    QuantParams pa, const std::vector<int8_t> &b,
    const std::vector<int64_t> &shapeB, QuantParams pb, QuantParams out,
    std::optional<float> min, std::optional<float> max) {
  auto m = quantizeAddMultipliers(pa.scale, pb.scale, out.scale);
  if (!m)
    return std::nullopt;
  StorageRange range = activationRange(out, min, max);
  std::vector<int8_t> y(broadcastSize(shapeA, shapeB));
  forEachBroadcast(shapeA, shapeB, [&](int64_t i, int64_t ia, int64_t ib) {
    y[i] = static_cast<int8_t>(addElement(a[ia], pa.zeroPoint, b[ib], pb.zeroPoint,
                                          *m, out.zeroPoint, range.min, range.max));
  });
  return y;
}

std::optional<std::vector<int8_t>> qopt::ref::mulBroadcast(
    const std::vector<int8_t> &a, const std::vector<int64_t> &shapeA,
    QuantParams pa, const std::vector<int8_t> &b,
    const std::vector<int64_t> &shapeB, QuantParams pb, QuantParams out,
    std::optional<float> min, std::optional<float> max) {
  auto m = quantizeMultiplier(static_cast<double>(pa.scale) * pb.scale / out.scale);
  if (!m)
    return std::nullopt;
  StorageRange range = activationRange(out, min, max);
  std::vector<int8_t> y(broadcastSize(shapeA, shapeB));
  forEachBroadcast(shapeA, shapeB, [&](int64_t i, int64_t ia, int64_t ib) {
    int64_t acc = static_cast<int64_t>(a[ia] - pa.zeroPoint) * (b[ib] - pb.zeroPoint);
    y[i] = static_cast<int8_t>(requantize(acc, *m, out.zeroPoint, range.min, range.max));
  });
  return y;
}

std::vector<int8_t> qopt::ref::table(const std::vector<int8_t> &x,
                                     const std::vector<int8_t> &table) {
  std::vector<int8_t> y(x.size());
  for (size_t i = 0; i < x.size(); ++i)
    y[i] = table[x[i] + 128];
  return y;
}

std::optional<std::vector<int8_t>>
qopt::ref::avgPool2d(const std::vector<int8_t> &x, int64_t n, int64_t h,
                     int64_t w, int64_t c, int64_t kh, int64_t kw, int64_t sy,
                     int64_t sx, QuantParams in, QuantParams out,
                     std::optional<float> min, std::optional<float> max) {
  auto m = quantizeMultiplier(static_cast<double>(in.scale) /
                              (static_cast<double>(out.scale) * (kh * kw)));
  if (!m)
    return std::nullopt;
  StorageRange range = activationRange(out, min, max);
  int64_t oh = (h - kh) / sy + 1, ow = (w - kw) / sx + 1;
  std::vector<int8_t> y(n * oh * ow * c);
  for (int64_t b = 0; b < n; ++b)
    for (int64_t i = 0; i < oh; ++i)
      for (int64_t j = 0; j < ow; ++j)
        for (int64_t ch = 0; ch < c; ++ch) {
          int32_t acc = 0;
          for (int64_t u = 0; u < kh; ++u)
            for (int64_t v = 0; v < kw; ++v)
              acc += x[((b * h + i * sy + u) * w + j * sx + v) * c + ch] - in.zeroPoint;
          y[((b * oh + i) * ow + j) * c + ch] = static_cast<int8_t>(
              requantize(acc, *m, out.zeroPoint, range.min, range.max));
        }
  return y;
}

QuantParams qopt::ref::dynamicParams(const float *x, size_t n) {
  float lo = 0.0f, hi = 0.0f;
  for (size_t i = 0; i < n; ++i) {
    lo = std::fmin(lo, x[i]);
    hi = std::fmax(hi, x[i]);
  }
  return chooseAsymmetric(lo, hi).params;
}

std::vector<float> qopt::ref::dynamicFullyConnected(
    const std::vector<float> &x, const std::vector<int8_t> &w,
    const std::vector<float> &weightScales,
    const std::vector<int32_t> &weightZeroPoints, const std::vector<float> &bias,
    int64_t m, int64_t k, int64_t n, std::optional<float> min,
    std::optional<float> max) {
  QuantParams p = dynamicParams(x.data(), x.size());
  std::vector<float> y(m * n);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      size_t c = weightScales.size() == 1 ? 0 : j;
      int32_t acc = 0;
      for (int64_t l = 0; l < k; ++l)
        acc += (quantize(x[i * k + l], p) - p.zeroPoint) *
               (static_cast<int32_t>(w[j * k + l]) - weightZeroPoints[c]);
      float v = static_cast<float>(acc) * (p.scale * weightScales[c]);
      if (!bias.empty())
        v = v + bias[j];
      if (min)
        v = std::fmax(v, *min);
      if (max)
        v = std::fmin(v, *max);
      y[i * n + j] = v;
    }
  return y;
}
