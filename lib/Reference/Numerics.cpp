//===- Numerics.cpp - the reference implementation of SPEC §5 ---*- C++ -*-===//

#include "qopt/Reference/Numerics.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <limits>

using namespace qopt::ref;

float qopt::ref::roundHalfToEven(float x) {
  float f = std::floor(x);
  float diff = x - f; // exact: x and floor(x) are close floats
  if (diff > 0.5f)
    return f + 1.0f;
  if (diff < 0.5f)
    return f;
  return std::fmod(f, 2.0f) == 0.0f ? f : f + 1.0f;
}

static int32_t clampToRange(double v, int32_t lo, int32_t hi) {
  if (v <= lo)
    return lo;
  if (v >= hi)
    return hi;
  return static_cast<int32_t>(v);
}

int32_t qopt::ref::quantize(float x, QuantParams p, StorageRange range) {
  if (std::isnan(x))
    return clampToRange(p.zeroPoint, range.min, range.max);
  float q = roundHalfToEven(x / p.scale);
  return clampToRange(static_cast<double>(q) + p.zeroPoint, range.min,
                      range.max);
}

float qopt::ref::dequantize(int32_t q, QuantParams p) {
  return static_cast<float>(q - p.zeroPoint) * p.scale;
}

static ChosenParams finishScale(float scale, int32_t zeroPoint) {
  ChosenParams chosen;
  if (scale < FLT_MIN) {
    scale = FLT_MIN;
    chosen.scaleRaisedToMin = true;
  }
  chosen.params = {scale, zeroPoint};
  return chosen;
}

ChosenParams qopt::ref::chooseAsymmetric(float min, float max) {
  min = std::min(min, 0.0f);
  max = std::max(max, 0.0f);
  if (max - min == 0.0f) {
    ChosenParams chosen;
    chosen.zeroWidth = true;
    return chosen;
  }
  float scale = (max - min) / 255.0f;
  ChosenParams chosen = finishScale(scale, 0);
  float z = roundHalfToEven(-128.0f - min / chosen.params.scale);
  chosen.params.zeroPoint = clampToRange(z, -128, 127);
  return chosen;
}

ChosenParams qopt::ref::chooseSymmetric(float min, float max, int32_t qmax) {
  float amax = std::max(std::fabs(min), std::fabs(max));
  if (amax == 0.0f) {
    ChosenParams chosen;
    chosen.zeroWidth = true;
    return chosen;
  }
  return finishScale(amax / static_cast<float>(qmax), 0);
}

std::optional<int32_t> qopt::ref::quantizeBias(float bias, float inputScale,
                                               float weightScale) {
  float product = inputScale * weightScale;
  float q = roundHalfToEven(bias / product);
  if (!(q >= -2147483648.0f && q < 2147483648.0f))
    return std::nullopt;
  return static_cast<int32_t>(q);
}

std::optional<Multiplier> qopt::ref::quantizeMultiplier(double m,
                                                        std::string *error) {
  auto fail = [&](const char *message) -> std::optional<Multiplier> {
    if (error)
      *error = message;
    return std::nullopt;
  };
  if (!(m > 0.0) || !std::isfinite(m))
    return fail("the multiplier must be a positive finite number");
  int e = 0;
  double mantissa = std::frexp(m, &e);
  int64_t m0 = std::llround(mantissa * 2147483648.0); // half away from zero
  if (m0 == (int64_t(1) << 31)) {
    m0 = int64_t(1) << 30;
    ++e;
  }
  int32_t n = 31 - e;
  if (n < 1)
    return fail("the multiplier is 2^30 or larger");
  Multiplier result;
  result.m0 = static_cast<int32_t>(m0);
  result.shift = n;
  result.roundsToZero = n > 62;
  return result;
}

int32_t qopt::ref::requantize(int64_t acc, Multiplier m, int32_t zOut,
                              int32_t lo, int32_t hi) {
  int64_t r = 0;
  if (!m.roundsToZero) {
    int64_t product = acc * static_cast<int64_t>(m.m0);
    r = (product + (int64_t(1) << (m.shift - 1))) >> m.shift;
  }
  return clampToRange(static_cast<double>(r + zOut), lo, hi);
}

StorageRange qopt::ref::activationRange(QuantParams out,
                                        std::optional<float> lower,
                                        std::optional<float> upper,
                                        StorageRange storage) {
  StorageRange range = storage;
  auto quantizeBound = [&](float bound) {
    float q = roundHalfToEven(bound / out.scale);
    return clampToRange(static_cast<double>(q) + out.zeroPoint, storage.min,
                        storage.max);
  };
  if (lower)
    range.min = std::max(range.min, quantizeBound(*lower));
  if (upper)
    range.max = std::min(range.max, quantizeBound(*upper));
  return range;
}

std::optional<AddMultipliers>
qopt::ref::quantizeAddMultipliers(float sa, float sb, float sOut,
                                  std::string *error) {
  double ra = static_cast<double>(sa) / sOut;
  double rb = static_cast<double>(sb) / sOut;
  int e = 0;
  std::frexp(std::max(ra, rb), &e);
  int32_t n = 31 - e;
  if (n < 1 || n > 62) {
    if (error)
      *error = n < 1 ? "an input scale is 2^30 times the output scale or more"
                     : "the output scale is over 2^31 times the input scales";
    return std::nullopt;
  }
  AddMultipliers m;
  m.shift = n;
  m.a0 = std::llround(std::ldexp(ra, n));
  m.b0 = std::llround(std::ldexp(rb, n));
  return m;
}

int32_t qopt::ref::addElement(int32_t a, int32_t za, int32_t b, int32_t zb,
                              AddMultipliers m, int32_t zOut, int32_t lo,
                              int32_t hi) {
  int64_t sum = static_cast<int64_t>(a - za) * m.a0 +
                static_cast<int64_t>(b - zb) * m.b0 +
                (int64_t(1) << (m.shift - 1));
  return clampToRange(static_cast<double>((sum >> m.shift) + zOut), lo, hi);
}
