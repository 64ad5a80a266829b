//===- Numerics.h - the reference implementation of SPEC §5 -----*- C++ -*-===//
//
// Portable, obviously-correct C++ for qopt's integer arithmetic. Every
// lowering and kernel is tested bit for bit against these functions, and
// docs/numerics.md restates them with worked examples. Keep this file free
// of MLIR: it is compiled into test harnesses on every target.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_REFERENCE_NUMERICS_H
#define QOPT_REFERENCE_NUMERICS_H

#include <array>
#include <cstdint>
#include <optional>
#include <string>

namespace qopt::ref {

/// Scale and zero point of a uniform quantization.
struct QuantParams {
  float scale = 1.0f;
  int32_t zeroPoint = 0;
};

/// The integer range of a storage type, e.g. [-128, 127] for i8.
struct StorageRange {
  int32_t min = -128;
  int32_t max = 127;
};

/// Rounds half to even in float32 (ONNX QuantizeLinear, numpy.round).
float roundHalfToEven(float x);

/// q = clamp(rne(x / s) + z) with x / s in float32. NaN maps to z.
int32_t quantize(float x, QuantParams p, StorageRange range = {});

/// (q - z) * s in float32.
float dequantize(int32_t q, QuantParams p);

/// What choosing parameters from a range had to adjust.
struct ChosenParams {
  QuantParams params;
  /// The scale was below FLT_MIN and was raised to it.
  bool scaleRaisedToMin = false;
  /// The range had zero width (constant tensor): s = 1, z = 0.
  bool zeroWidth = false;
};

/// Asymmetric int8: [min, max] widened to include 0; s = (max - min) / 255
/// in float32; z = clamp(rne(-128 - min / s), -128, 127).
ChosenParams chooseAsymmetric(float min, float max);

/// Symmetric: s = max(|min|, |max|) / qmax, z = 0 (qmax = 127 for int8).
ChosenParams chooseSymmetric(float min, float max, int32_t qmax = 127);

/// b_q = rne(b / (s_in * s_w)) with the product and quotient in float32.
/// Empty if the result does not fit int32.
std::optional<int32_t> quantizeBias(float bias, float inputScale,
                                    float weightScale);

/// A real multiplier M = M0 * 2^-n with M0 a 31-bit fixed-point mantissa.
struct Multiplier {
  int32_t m0 = 0;
  int32_t shift = 0; // n
  /// The product rounds to zero for every int32 accumulator (n > 62):
  /// requantize returns the output zero point.
  bool roundsToZero = false;
};

/// Decomposes M (computed in double) per SPEC §5: M = m * 2^e with m in
/// [0.5, 1) (frexp); M0 = round-half-away(m * 2^31); if M0 = 2^31 then
/// M0 = 2^30 and e += 1; n = 31 - e. Fails with a message when M >= 2^30
/// (n < 1) or M is not a positive finite number.
std::optional<Multiplier> quantizeMultiplier(double m, std::string *error = nullptr);

/// r = (acc * M0 + 2^(n-1)) >> n in int64 (arithmetic shift), then
/// clamp(r + zOut, lo, hi). One rounding, half up.
int32_t requantize(int64_t acc, Multiplier m, int32_t zOut, int32_t lo,
                   int32_t hi);

/// The output clamp for a fused activation: the storage range intersected
/// with rne(bound / s_out) + z_out of each given bound.
StorageRange activationRange(QuantParams out, std::optional<float> lower,
                             std::optional<float> upper,
                             StorageRange storage = {});

/// Multipliers of a quantized add: both operands are brought to the output
/// scale with one shared shift n, so that
///   out = clamp(((a - za) * A0 + (b - zb) * B0 + 2^(n-1)) >> n) + z_out)
/// rounds once. A0 = round-half-away(s_a / s_out * 2^n), likewise B0, with n
/// chosen so that the larger of the two fills 31 bits.
struct AddMultipliers {
  int64_t a0 = 0;
  int64_t b0 = 0;
  int32_t shift = 0;
};
std::optional<AddMultipliers> quantizeAddMultipliers(float sa, float sb,
                                                     float sOut,
                                                     std::string *error = nullptr);

/// One quantized add element (docs/numerics.md).
int32_t addElement(int32_t a, int32_t za, int32_t b, int32_t zb,
                   AddMultipliers m, int32_t zOut, int32_t lo, int32_t hi);

/// The 256-entry table of an int8 -> int8 function (qt.table):
/// entry[q + 128] = quantize(f(dequantize(q, in)), out), with f evaluated
/// in float32. A NaN result maps to out's zero point and infinities
/// saturate, as quantize() defines.
template <typename F>
std::array<int8_t, 256> buildTable(F &&f, QuantParams in, QuantParams out) {
  std::array<int8_t, 256> table;
  for (int32_t q = -128; q <= 127; ++q)
    table[q + 128] = static_cast<int8_t>(quantize(f(dequantize(q, in)), out));
  return table;
}

} // namespace qopt::ref

#endif // QOPT_REFERENCE_NUMERICS_H
