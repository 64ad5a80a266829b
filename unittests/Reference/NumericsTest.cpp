//===- NumericsTest.cpp - SPEC §5 worked examples ---------------*- C++ -*-===//
//
// The cases of docs/numerics.md, plus the edges every kernel must agree on.
//
//===----------------------------------------------------------------------===//

#include "qopt/Reference/Numerics.h"

#include <cfloat>
#include <cmath>
#include <gtest/gtest.h>

using namespace qopt::ref;

namespace {

TEST(NumericsTest, RoundsHalfToEven) {
  EXPECT_EQ(roundHalfToEven(0.5f), 0.0f);
  EXPECT_EQ(roundHalfToEven(1.5f), 2.0f);
  EXPECT_EQ(roundHalfToEven(2.5f), 2.0f);
  EXPECT_EQ(roundHalfToEven(-0.5f), 0.0f);
  EXPECT_EQ(roundHalfToEven(-1.5f), -2.0f);
  EXPECT_EQ(roundHalfToEven(-2.5f), -2.0f);
  EXPECT_EQ(roundHalfToEven(2.49999f), 2.0f);
  EXPECT_EQ(roundHalfToEven(-2.50001f), -3.0f);
  EXPECT_EQ(roundHalfToEven(16777216.0f), 16777216.0f);
}

TEST(NumericsTest, QuantizeAndDequantize) {
  QuantParams p{0.5f, 3};
  EXPECT_EQ(quantize(1.0f, p), 5);
  EXPECT_EQ(quantize(0.25f, {0.5f, 0}), 0);  // 0.5 rounds to even 0
  EXPECT_EQ(quantize(0.75f, {0.5f, 0}), 2);  // 1.5 rounds to even 2
  EXPECT_EQ(quantize(1000.0f, p), 127);      // saturates
  EXPECT_EQ(quantize(-1000.0f, p), -128);
  EXPECT_EQ(quantize(INFINITY, p), 127);
  EXPECT_EQ(quantize(NAN, p), 3);            // NaN -> zero point
  EXPECT_EQ(quantize(300.0f, {1.0f, 0}, {0, 255}), 255);
  EXPECT_EQ(dequantize(5, p), 1.0f);
  EXPECT_EQ(dequantize(-128, p), -65.5f);
}

TEST(NumericsTest, AsymmetricParameters) {
  ChosenParams c = chooseAsymmetric(0.0f, 2.55f);
  EXPECT_EQ(c.params.scale, 2.55f / 255.0f);
  EXPECT_EQ(c.params.zeroPoint, -128);

  // The range is widened to include 0.
  c = chooseAsymmetric(1.0f, 3.0f);
  EXPECT_EQ(c.params.scale, 3.0f / 255.0f);
  EXPECT_EQ(c.params.zeroPoint, -128);
  c = chooseAsymmetric(-3.0f, -1.0f);
  EXPECT_EQ(c.params.scale, 3.0f / 255.0f);
  EXPECT_EQ(c.params.zeroPoint, 127);

  // Zero is exactly representable.
  c = chooseAsymmetric(-0.37f, 1.91f);
  EXPECT_EQ(dequantize(quantize(0.0f, c.params), c.params), 0.0f);
  float z = -128.0f - (-0.37f) / c.params.scale;
  EXPECT_EQ(c.params.zeroPoint, static_cast<int32_t>(roundHalfToEven(z)));

  // A zero-width range: s = 1, z = 0, never a zero scale.
  c = chooseAsymmetric(0.0f, 0.0f);
  EXPECT_TRUE(c.zeroWidth);
  EXPECT_EQ(c.params.scale, 1.0f);
  EXPECT_EQ(c.params.zeroPoint, 0);

  // A scale below FLT_MIN is raised to it.
  c = chooseAsymmetric(-1e-40f, 1e-40f);
  EXPECT_TRUE(c.scaleRaisedToMin);
  EXPECT_EQ(c.params.scale, FLT_MIN);
}

TEST(NumericsTest, SymmetricParameters) {
  ChosenParams c = chooseSymmetric(-2.54f, 1.0f);
  EXPECT_EQ(c.params.scale, 2.54f / 127.0f);
  EXPECT_EQ(c.params.zeroPoint, 0);
  c = chooseSymmetric(0.0f, 0.0f);
  EXPECT_TRUE(c.zeroWidth);
  EXPECT_EQ(c.params.scale, 1.0f);
}

TEST(NumericsTest, BiasQuantization) {
  EXPECT_EQ(quantizeBias(0.3f, 0.5f, 0.2f), 3);
  EXPECT_EQ(quantizeBias(-0.25f, 0.5f, 1.0f), 0); // -0.5 rounds to even 0
  EXPECT_EQ(quantizeBias(-0.75f, 0.5f, 1.0f), -2);
  EXPECT_FALSE(quantizeBias(1e10f, 1e-3f, 1e-3f).has_value());
}

TEST(NumericsTest, MultiplierDecomposition) {
  auto m = quantizeMultiplier(0.5);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->m0, 1 << 30);
  EXPECT_EQ(m->shift, 31);

  m = quantizeMultiplier(1.0);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->m0, 1 << 30);
  EXPECT_EQ(m->shift, 30);

  m = quantizeMultiplier(0.75);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->m0, 1610612736);
  EXPECT_EQ(m->shift, 31);

  // m * 2^31 rounds up to 2^31: renormalized.
  m = quantizeMultiplier(1.0 - std::ldexp(1.0, -40));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->m0, 1 << 30);
  EXPECT_EQ(m->shift, 30);

  // M >= 2^30 cannot be represented.
  std::string error;
  EXPECT_FALSE(quantizeMultiplier(std::ldexp(1.0, 30), &error));
  EXPECT_EQ(error, "the multiplier is 2^30 or larger");
  EXPECT_TRUE(quantizeMultiplier(std::ldexp(1.0, 30) * 0.99));
  EXPECT_FALSE(quantizeMultiplier(0.0));
  EXPECT_FALSE(quantizeMultiplier(NAN));

  // Tiny multipliers round every product to zero.
  m = quantizeMultiplier(std::ldexp(1.0, -40));
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->roundsToZero);
  EXPECT_EQ(requantize(2147483647, *m, 7, -128, 127), 7);
}

TEST(NumericsTest, RequantizeRoundsHalfUpOnce) {
  Multiplier half = *quantizeMultiplier(0.5);
  EXPECT_EQ(requantize(3, half, 0, -128, 127), 2);   // 1.5 -> 2
  EXPECT_EQ(requantize(-3, half, 0, -128, 127), -1); // -1.5 -> -1 (half up)
  EXPECT_EQ(requantize(5, half, 0, -128, 127), 3);   // 2.5 -> 3
  EXPECT_EQ(requantize(4, half, 10, -128, 127), 12);
  EXPECT_EQ(requantize(1000, half, 0, -128, 127), 127);
  EXPECT_EQ(requantize(-1000, half, 0, -128, 127), -128);
  // The largest accumulator with the largest mantissa does not overflow.
  Multiplier big = *quantizeMultiplier(0.9999);
  EXPECT_EQ(requantize(2147483647, big, 0, -128, 127), 127);
  EXPECT_EQ(requantize(-2147483647 - 1, big, 0, -128, 127), -128);
  // A multiplier above 1.
  Multiplier three = *quantizeMultiplier(3.0);
  EXPECT_EQ(requantize(7, three, 0, -128, 127), 21);
}

TEST(NumericsTest, ActivationRange) {
  QuantParams out{0.05f, -128};
  StorageRange relu6 = activationRange(out, 0.0f, 6.0f);
  EXPECT_EQ(relu6.min, -128);
  EXPECT_EQ(relu6.max, -8);
  StorageRange relu = activationRange({0.1f, -20}, 0.0f, std::nullopt);
  EXPECT_EQ(relu.min, -20);
  EXPECT_EQ(relu.max, 127);
  // Bounds outside the representable range clamp to it.
  StorageRange wide = activationRange({0.01f, 0}, -100.0f, 100.0f);
  EXPECT_EQ(wide.min, -128);
  EXPECT_EQ(wide.max, 127);
}

TEST(NumericsTest, QuantizedAdd) {
  auto m = quantizeAddMultipliers(0.5f, 0.25f, 0.5f);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->shift, 30);
  EXPECT_EQ(m->a0, int64_t(1) << 30);
  EXPECT_EQ(m->b0, int64_t(1) << 29);
  // 0.5 * (3 - 1) + 0.25 * (5 - 1) = 2.0 = 4 * 0.5.
  EXPECT_EQ(addElement(3, 1, 5, 1, *m, 0, -128, 127), 4);
  // 0.5 * 1 + 0.25 * 1 = 0.75 = 1.5 * 0.5 -> rounds half up to 2.
  EXPECT_EQ(addElement(2, 1, 2, 1, *m, 0, -128, 127), 2);
  EXPECT_EQ(addElement(127, -128, 127, -128, *m, 0, -128, 127), 127);
  EXPECT_FALSE(quantizeAddMultipliers(1.0f, 1.0f, 1e-10f));
}

} // namespace
