//===- qt-testgen.cpp - random bit-exactness cases for qt ops ---*- C++ -*-===//
//
// Writes a module with many small functions, one per random case of one qt
// op (shapes, zero points, scales, multipliers below and above 1, fused
// bounds, edge-value inputs), the inputs, the outputs the C++ reference
// computes, and a C harness that runs every case of the compiled module and
// compares byte for byte:
//
//   qt-testgen --op=fc --seed=1 --count=60 --out=DIR
//   qopt --lower-to-llvm DIR/cases.mlir -o DIR/cases.o
//   cc -IDIR DIR/harness.c DIR/cases.o -lm -o DIR/run && DIR/run DIR
//
// --op: fc, fc-wide, fc-sweep (M, N in 1..33, K prime <= 1021), fc-edges
// (the 54 edge cases of the kernel sweep), fc-round (requantization rounding
// with shifts 32 to 35), fc-large (1-2 MiB of weights), fc-copied (AMX input copied), tosa-fc, tosa-conv (pre-quantized
// TOSA int8 with tosa.rescale), matmul, conv, dwconv, add, mul (with broadcast),
// table, avgpool, quantize, dequantize, requantize, dynfc. --sparsity=S prunes the fully
// connected weights (fc, fc-wide, fc-sweep, fc-edges) in random block shapes.
//
//===----------------------------------------------------------------------===//

#include "qopt/Reference/Kernels.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

using namespace qopt::ref;

namespace {

/// Deterministic on every platform (std distributions are not).
struct Rng {
  uint64_t state;
  explicit Rng(uint64_t seed) : state(seed * 0x9E3779B97F4A7C15ull + 1) {}
  uint64_t next() {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  }
  int64_t range(int64_t lo, int64_t hi) { // inclusive
    return lo + static_cast<int64_t>(next() % uint64_t(hi - lo + 1));
  }
  float uniform(float lo, float hi) {
    return lo + (hi - lo) * static_cast<float>((next() >> 40) * 0x1p-24);
  }
  /// Log-uniform positive scale.
  float scale(float lo, float hi) {
    return std::exp(uniform(std::log(lo), std::log(hi)));
  }
  bool chance(int percent) { return range(0, 99) < percent; }
};

std::string fmt(float v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  std::string s = buf;
  if (s.find_first_of(".en") == std::string::npos)
    s += ".0";
  return s;
}

std::string shape(const std::vector<int64_t> &dims) {
  std::string s;
  for (int64_t d : dims)
    s += std::to_string(d) + "x";
  return s;
}

std::string perTensorType(QuantParams p, const char *storage = "i8") {
  return std::string("!quant.uniform<") + storage + ":f32, " + fmt(p.scale) +
         ":" + std::to_string(p.zeroPoint) + ">";
}

std::string perAxisType(const std::vector<float> &scales,
                        const std::vector<int32_t> &zps, int axis) {
  std::string s = "!quant.uniform<i8:f32:" + std::to_string(axis) + ", {";
  for (size_t i = 0; i < scales.size(); ++i)
    s += (i ? ", " : "") + fmt(scales[i]) + ":" + std::to_string(zps[i]);
  return s + "}>";
}

/// A dense literal of any shape: the little-endian bytes in hex.
template <typename T> std::string denseInts(const std::vector<T> &v) {
  static const char *digits = "0123456789ABCDEF";
  std::string s = "dense<\"0x";
  const auto *bytes = reinterpret_cast<const unsigned char *>(v.data());
  for (size_t i = 0; i < v.size() * sizeof(T); ++i) {
    s += digits[bytes[i] >> 4];
    s += digits[bytes[i] & 15];
  }
  return s + "\">";
}

/// The accumulated module, data files and harness table.
struct Output {
  std::ostringstream mlir;
  std::vector<char> inputs, expected;
  struct Case {
    std::string name;
    std::vector<size_t> inputBytes;
    size_t outputBytes;
  };
  std::vector<Case> cases;

  template <typename T> static void append(std::vector<char> &buf, const std::vector<T> &v) {
    const char *p = reinterpret_cast<const char *>(v.data());
    buf.insert(buf.end(), p, p + v.size() * sizeof(T));
  }
};

std::vector<int8_t> randomInt8(Rng &rng, size_t n, int edge) {
  std::vector<int8_t> v(n);
  for (auto &x : v) {
    switch (edge) {
    case 1: x = -128; break;                          // all -128
    case 2: x = rng.chance(50) ? -128 : 127; break;   // extremes
    default: x = static_cast<int8_t>(rng.range(-128, 127));
    }
  }
  return v;
}

int32_t randomZeroPoint(Rng &rng) {
  switch (rng.range(0, 4)) {
  case 0: return -128;
  case 1: return 0;
  case 2: return 127;
  default: return static_cast<int32_t>(rng.range(-128, 127));
  }
}

/// Optional fused bounds: none, ReLU, ReLU6 or a random clamp.
void randomBounds(Rng &rng, std::optional<float> &min, std::optional<float> &max) {
  switch (rng.range(0, 3)) {
  case 0: break;
  case 1: min = 0.0f; break;
  case 2: min = 0.0f; max = 6.0f; break;
  default: min = rng.uniform(-3, 0); max = rng.uniform(0.5f, 3); break;
  }
}

std::string boundsAttr(std::optional<float> min, std::optional<float> max) {
  std::string s;
  if (min)
    s += "min = " + fmt(*min) + " : f32";
  if (max)
    s += std::string(s.empty() ? "" : ", ") + "max = " + fmt(*max) + " : f32";
  return s.empty() ? "" : " {" + s + "}";
}

/// Contraction parameters for `reduction` products per output. Most cases
/// pick s_out so that outputs spread over the int8 range (an accumulator of
/// uniform int8 products is about 5500 * sqrt(reduction)); one in ten uses a
/// multiplier above 1, which mostly saturates but covers that path.
ContractionQuant randomContraction(Rng &rng, int64_t channels, bool perChannel,
                                   int64_t reduction) {
  ContractionQuant q;
  q.input = {rng.scale(1e-3f, 1.0f), randomZeroPoint(rng)};
  int64_t nScales = perChannel ? channels : 1;
  for (int64_t c = 0; c < nScales; ++c) {
    q.weightScales.push_back(rng.scale(1e-3f, 0.1f));
    q.weightZeroPoints.push_back(0);
  }
  float m = rng.chance(10)
                ? rng.uniform(1.0f, 20.0f)
                : 0.02f / std::sqrt(static_cast<float>(reduction)) *
                      rng.scale(0.2f, 5.0f);
  q.output = {q.input.scale * q.weightScales[0] / m, randomZeroPoint(rng)};
  randomBounds(rng, q.min, q.max);
  return q;
}

std::string weightType(const ContractionQuant &q, int axis) {
  if (q.weightScales.size() == 1)
    return perTensorType({q.weightScales[0], q.weightZeroPoints[0]});
  return perAxisType(q.weightScales, q.weightZeroPoints, axis);
}

std::vector<int32_t> randomBias(Rng &rng, int64_t n) {
  std::vector<int32_t> b(n);
  for (auto &v : b)
    v = static_cast<int32_t>(rng.range(-20000, 20000));
  return b;
}

/// Emits `func.func @name(%x0: i8 tensors...) -> i8 tensor` around `body`.
void emitInt8Function(Output &out, const std::string &name,
                      const std::vector<std::vector<int64_t>> &inputs,
                      const std::vector<std::string> &inputQuantTypes,
                      const std::vector<int64_t> &result,
                      const std::string &resultQuantType,
                      const std::string &body) {
  auto &os = out.mlir;
  os << "func.func @" << name << "(";
  for (size_t i = 0; i < inputs.size(); ++i)
    os << (i ? ", " : "") << "%x" << i << ": tensor<" << shape(inputs[i]) << "i8>";
  os << ") -> tensor<" << shape(result) << "i8> {\n";
  for (size_t i = 0; i < inputs.size(); ++i)
    os << "  %q" << i << " = quant.scast %x" << i << " : tensor<"
       << shape(inputs[i]) << "i8> to tensor<" << shape(inputs[i])
       << inputQuantTypes[i] << ">\n";
  os << body;
  os << "  %r = quant.scast %y : tensor<" << shape(result) << resultQuantType
     << "> to tensor<" << shape(result) << "i8>\n";
  os << "  return %r : tensor<" << shape(result) << "i8>\n}\n\n";
}

std::string constWeight(const std::vector<int8_t> &w, const std::vector<int64_t> &dims,
                        const std::string &quantType) {
  std::string t = "tensor<" + shape(dims);
  return "  %wi = arith.constant " + denseInts(w) + " : " + t + "i8>\n" +
         "  %w = quant.scast %wi : " + t + "i8> to " + t + quantType + ">\n";
}

/// `--op=fc-wide`: up to 9 rows and 80 columns, to cover kernels that tile
/// several rows and several 16-column blocks at once.
bool gWide = false;

/// `--sparsity=S`: the fully connected ops' weights [n, k] are pruned
/// first: blocks of a random shape (the kernels' 16x4, 8x4, 4x4, larger
/// 16x16, single weights or whole rows) are zeroed with probability S; one
/// case in twenty has no non-zero weight at all.
double gSparsity = 0;

void sparsify(Rng &rng, std::vector<int8_t> &w, int64_t n, int64_t k) {
  static const int64_t shapes[6][2] = {{16, 4}, {8, 4}, {4, 4}, {16, 16}, {1, 1}, {1, 0}};
  if (rng.chance(5)) {
    std::fill(w.begin(), w.end(), 0);
    return;
  }
  const int64_t *s = shapes[rng.range(0, 5)];
  int64_t rows = s[0], cols = s[1] ? s[1] : k;
  for (int64_t r0 = 0; r0 < n; r0 += rows)
    for (int64_t c0 = 0; c0 < k; c0 += cols) {
      if (rng.uniform(0, 1) >= gSparsity)
        continue;
      for (int64_t r = r0; r < std::min(n, r0 + rows); ++r)
        for (int64_t c = c0; c < std::min(k, c0 + cols); ++c)
          w[r * k + c] = 0;
    }
}

/// Emits one fully connected case with the reference's expected output;
/// false when the parameters have no fixed-point form (then redrawn).
bool emitFullyConnected(Output &out, int i, int64_t m, int64_t k, int64_t n,
                        const ContractionQuant &q, const std::vector<int8_t> &x,
                        std::vector<int8_t> w, const std::vector<int32_t> &bias,
                        Rng *pruneRng = nullptr) {
  if (gSparsity > 0 && pruneRng)
    sparsify(*pruneRng, w, n, k);
  auto y = fullyConnected(x, w, bias, m, k, n, q);
  if (!y)
    return false;
  std::string name = "case" + std::to_string(i);
  std::string in = perTensorType(q.input), wt = weightType(q, 0),
              ot = perTensorType(q.output);
  std::ostringstream body;
  body << constWeight(w, {n, k}, wt);
  if (!bias.empty())
    body << "  %b = arith.constant " << denseInts(bias) << " : tensor<" << n << "xi32>\n";
  body << "  %y = qt.fully_connected %q0, %w" << (bias.empty() ? "" : ", %b")
       << boundsAttr(q.min, q.max) << " : tensor<" << shape({m, k}) << in
       << ">, tensor<" << shape({n, k}) << wt << ">"
       << (bias.empty() ? "" : ", tensor<" + std::to_string(n) + "xi32>")
       << " -> tensor<" << shape({m, n}) << ot << ">\n";
  emitInt8Function(out, name, {{m, k}}, {in}, {m, n}, ot, body.str());
  Output::append(out.inputs, x);
  Output::append(out.expected, *y);
  out.cases.push_back({name, {x.size()}, y->size()});
  return true;
}

/// qopt's own weights are in [-127, 127].
std::vector<int8_t> randomWeights(Rng &rng, size_t size) {
  auto w = randomInt8(rng, size, 0);
  for (auto &v : w)
    v = v == -128 ? -127 : v;
  return w;
}

bool genFullyConnected(Rng &rng, Output &out, int i) {
  int64_t m = rng.range(1, gWide ? 9 : 6),
          k = rng.chance(30) ? rng.range(1, 4) : rng.range(5, 67),
          n = rng.range(1, gWide ? 80 : 17);
  int edge = rng.range(0, 5);
  ContractionQuant q = randomContraction(rng, n, rng.chance(75), k);
  auto x = randomInt8(rng, m * k, edge);
  auto w = randomWeights(rng, n * k);
  auto bias = rng.chance(70) ? randomBias(rng, n) : std::vector<int32_t>{};
  return emitFullyConnected(out, i, m, k, n, q, x, w, bias, &rng);
}

/// Primes up to 1021: reduction lengths that are multiples of no block.
const std::vector<int64_t> &primes() {
  static std::vector<int64_t> p = [] {
    std::vector<int64_t> v;
    for (int64_t c = 2; c <= 1021; ++c) {
      bool prime = true;
      for (int64_t d = 2; d * d <= c && prime; ++d)
        prime = c % d != 0;
      if (prime)
        v.push_back(c);
    }
    return v;
  }();
  return p;
}

/// A fully connected layer of the given shape with random parameters,
/// inputs (a sixth of them all -128 or extremes), weights and bias.
bool emitRandomFullyConnected(Rng &rng, Output &out, int i, int64_t m, int64_t k,
                              int64_t n) {
  ContractionQuant q = randomContraction(rng, n, rng.chance(75), k);
  auto x = randomInt8(rng, m * k, rng.range(0, 5));
  auto w = randomWeights(rng, n * k);
  auto bias = rng.chance(70) ? randomBias(rng, n) : std::vector<int32_t>{};
  return emitFullyConnected(out, i, m, k, n, q, x, w, bias, &rng);
}

/// `--op=fc-sweep`: M and N from 1 to 33, K a prime up to 1021.
bool genSweep(Rng &rng, Output &out, int i) {
  int64_t m = rng.range(1, 33), n = rng.range(1, 33);
  int64_t k = primes()[rng.range(0, primes().size() - 1)];
  return emitRandomFullyConnected(rng, out, i, m, k, n);
}

/// `--op=fc-large`: weights of 1-2 MiB, past the AMX kernel's threshold
/// for keeping rows in L1 (it then loops over column groups outside and
/// streams the rows). Even cases: N, K from 1,000 to 1,500, M in 1..50;
/// odd ones: K from 2,100 to 2,600 (3 K blocks of the AMX kernel), N from
/// 520 to 600, M in 64..303 (one or two chunks of row blocks, a partial
/// last chunk, a last block of one row tile).
bool genLarge(Rng &rng, Output &out, int i) {
  if (i % 2) {
    // i % 4 == 3: an odd number of row tiles (a 1-tile block after the last chunk's).
    int64_t m = i % 4 == 3 ? 32 * rng.range(8, 9) + rng.range(1, 15) : rng.range(64, 250);
    return emitRandomFullyConnected(rng, out, i, m, rng.range(2100, 2600), rng.range(520, 600));
  }
  int64_t m = rng.range(1, 50), n = rng.range(1000, 1500), k = rng.range(1000, 1500);
  return emitRandomFullyConnected(rng, out, i, m, k, n);
}

/// `--op=fc-copied`: layers the AMX kernel copies into tile order with its
/// rows outside (docs/performance.md): more than 4 column tiles and K a
/// whole number of 64-byte tiles, or more than 16 column tiles; weights
/// under 1 MiB. M in 1..70 (partial row blocks and tiles).
bool genCopied(Rng &rng, Output &out, int i) {
  int64_t m = rng.range(1, 70), n, k;
  if (i % 2) {
    n = rng.range(65, 300);
    k = 64 * rng.range(1, 16);
  } else {
    n = rng.range(257, 400);
    k = rng.range(64, 700);
  }
  return emitRandomFullyConnected(rng, out, i, m, k, n);
}

/// `--op=fc-edges`: every combination of input zero point (-128, 0, 127),
/// input (all -128; all 127 against weights of 127, so that x - z_x reaches
/// 255 and every product 255 * 127; random) and requantization multiplier
/// (below 1, above 1), on three shapes (the count is fixed: 54 cases).
bool genEdges(Rng &rng, Output &out, int i) {
  static const int64_t shapes[3][3] = {{1, 1021, 1}, {7, 97, 33}, {33, 1021, 17}};
  static const int32_t zeroPoints[3] = {-128, 0, 127};
  const int64_t *s = shapes[i / 18 % 3];
  int32_t zp = zeroPoints[i / 6 % 3];
  int inputKind = i / 2 % 3;
  bool above1 = i % 2;
  int64_t m = s[0], k = s[1], n = s[2];
  ContractionQuant q = randomContraction(rng, n, rng.chance(50), k);
  q.input.zeroPoint = zp;
  float mult = above1 ? rng.uniform(1.5f, 8.0f)
                      : 0.02f / std::sqrt(static_cast<float>(k));
  q.output.scale = q.input.scale * q.weightScales[0] / mult;
  std::vector<int8_t> x(m * k), w;
  if (inputKind == 0) {
    x.assign(m * k, -128);
    w = randomWeights(rng, n * k);
  } else if (inputKind == 1) {
    x.assign(m * k, 127);
    w.assign(n * k, 127);
  } else {
    x = randomInt8(rng, m * k, 0);
    w = randomWeights(rng, n * k);
  }
  auto bias = randomBias(rng, n);
  return emitFullyConnected(out, i, m, k, n, q, x, w, bias, &rng);
}

/// `--op=fc-round`: the rounding of requantization with shifts n of 32 to 35
/// (multipliers in [1/16, 1/2)), which the kernels compute in 32-bit lanes
/// from the high half of acc * M0 (with the low half's top bit for n = 32):
/// per tensor or per channel with the shifts mixed, on accumulators small
/// enough that most outputs are not clamped (inputs within 2 of the zero
/// point, K <= 24, bias within +-200). Every fourth case uses power-of-two
/// scales, so that M0 = 2^30 and half the accumulators round a tie.
bool genRounding(Rng &rng, Output &out, int i) {
  int64_t m = rng.range(1, 6), k = rng.range(1, 24), n = rng.range(1, 40);
  bool exact = i % 4 == 3, perChannel = rng.chance(60);
  ContractionQuant q;
  q.input = {exact ? 0.5f : rng.scale(1e-3f, 1.0f), randomZeroPoint(rng)};
  float top = exact ? 0.0625f : rng.scale(1e-3f, 0.1f);
  for (int64_t c = 0; c < (perChannel ? n : 1); ++c) {
    float ratio = exact ? std::ldexp(1.0f, -static_cast<int>(rng.range(0, 3)))
                        : rng.uniform(0.125f, 1.0f);
    q.weightScales.push_back(c == 0 ? top : top * ratio);
    q.weightZeroPoints.push_back(0);
  }
  float mult = exact ? std::ldexp(1.0f, -static_cast<int>(rng.range(2, 4)))
                     : rng.uniform(i % 2 ? 0.25f : 0.0625f, 0.5f);
  q.output = {q.input.scale * top / mult, static_cast<int32_t>(rng.range(-20, 20))};
  std::vector<int8_t> x(m * k);
  for (auto &v : x)
    v = static_cast<int8_t>(std::clamp<int64_t>(q.input.zeroPoint + rng.range(-2, 2), -128, 127));
  std::vector<int32_t> bias(n);
  for (auto &b : bias)
    b = static_cast<int32_t>(rng.range(-200, 200));
  return emitFullyConnected(out, i, m, k, n, q, x, randomWeights(rng, n * k), bias, &rng);
}

ConvShape randomConvShape(Rng &rng, bool depthwise);

/// TOSA's RESCALE of one int32 value with a 32-bit multiplier (TOSA 1.0
/// apply_scale_32): SINGLE_ROUND adds 2^(shift-1); DOUBLE_ROUND also moves
/// the rounding constant 2^30 towards the value's sign when shift > 31.
int64_t tosaApplyScale(int64_t value, int32_t multiplier, int shift, bool doubleRound) {
  int64_t round = int64_t(1) << (shift - 1);
  if (doubleRound && shift > 31)
    round += value >= 0 ? (int64_t(1) << 30) : -(int64_t(1) << 30);
  return (value * multiplier + round) >> shift;
}

/// `--op=tosa-fc` / `--op=tosa-conv`: pre-quantized TOSA int8, as TFLite ->
/// TOSA writes it: tosa.matmul (with a constant i32 bias add) or
/// tosa.conv2d on i8 with an input zero point, tosa.rescale (32-bit
/// multipliers, per channel or per tensor, SINGLE_ROUND or DOUBLE_ROUND)
/// and sometimes an i8 tosa.clamp. Expected outputs from TOSA's definition
/// in exact integer arithmetic.
bool genTosa(Rng &rng, Output &out, int i, bool conv) {
  ConvShape s;
  int64_t m, k, n;
  if (conv) {
    s = randomConvShape(rng, false);
    s.c = rng.range(1, 9);
    s.outChannels = rng.range(1, 40);
    // TOSA's conv2d wants the padded extent to divide by the stride.
    if ((s.h - 1 + s.pad[0] + s.pad[1] - (s.kh - 1) * s.dilation[0]) % s.stride[0] ||
        (s.w - 1 + s.pad[2] + s.pad[3] - (s.kw - 1) * s.dilation[1]) % s.stride[1])
      return false;
    m = s.n * s.outH() * s.outW();
    k = s.kh * s.kw * s.c;
    n = s.outChannels;
  } else {
    m = rng.range(1, 17);
    k = rng.chance(20) ? rng.range(1, 4) : rng.range(5, 300);
    n = rng.range(1, 70);
  }
  int32_t zpIn = randomZeroPoint(rng), zpOut = randomZeroPoint(rng);
  bool perChannel = rng.chance(60), doubleRound = rng.chance(50),
       hasBias = rng.chance(70), hasClamp = rng.chance(40);
  int edge = rng.range(0, 5);
  auto x = randomInt8(rng, conv ? s.n * s.h * s.w * s.c : m * k, edge);
  auto w = randomWeights(rng, n * k); // [n][k]: OHWI or transposed B
  auto bias = hasBias ? randomBias(rng, n) : std::vector<int32_t>(n, 0);
  std::vector<int32_t> mult(perChannel ? n : 1);
  std::vector<int8_t> shift(mult.size());
  for (size_t c = 0; c < mult.size(); ++c) {
    double scale = rng.chance(10) ? rng.uniform(1.0f, 4.0f)
                                  : 0.01 / std::sqrt(double(k)) * rng.scale(0.2f, 5.0f);
    int e;
    double frac = std::frexp(scale, &e);
    int64_t m0 = std::llround(frac * 2147483648.0);
    if (m0 == (int64_t(1) << 31)) { m0 >>= 1; ++e; }
    mult[c] = static_cast<int32_t>(m0);
    shift[c] = static_cast<int8_t>(31 - e);
    if (shift[c] < 2 || shift[c] > 62)
      return false;
  }
  int8_t lo = -128, hi = 127;
  if (hasClamp) {
    lo = static_cast<int8_t>(rng.range(-128, 0));
    hi = static_cast<int8_t>(rng.range(lo, 127));
  }
  // Expected: acc = bias + sum (x - zp) * w, rescaled, + zp_out, clamped.
  std::vector<int8_t> y(m * n);
  int64_t oh = conv ? s.outH() : 1, ow = conv ? s.outW() : 1;
  for (int64_t r = 0; r < m; ++r)
    for (int64_t c = 0; c < n; ++c) {
      int64_t acc = bias[c];
      for (int64_t t = 0; t < k; ++t) {
        int64_t xv;
        if (conv) {
          int64_t b0 = r / (oh * ow), yy = r / ow % oh, xx = r % ow;
          int64_t a = t / (s.kw * s.c), bb = t / s.c % s.kw, ch = t % s.c;
          int64_t iy = yy * s.stride[0] + a * s.dilation[0] - s.pad[0];
          int64_t ix = xx * s.stride[1] + bb * s.dilation[1] - s.pad[2];
          xv = iy < 0 || iy >= s.h || ix < 0 || ix >= s.w
                   ? zpIn
                   : x[((b0 * s.h + iy) * s.w + ix) * s.c + ch];
        } else {
          xv = x[r * k + t];
        }
        acc += (xv - zpIn) * w[c * k + t];
      }
      size_t q = perChannel ? c : 0;
      int64_t v = tosaApplyScale(static_cast<int32_t>(acc), mult[q], shift[q], doubleRound) + zpOut;
      v = std::min<int64_t>(127, std::max<int64_t>(-128, v));
      v = std::min<int64_t>(hi, std::max<int64_t>(lo, v));
      y[r * n + c] = static_cast<int8_t>(v);
    }
  std::string name = "case" + std::to_string(i);
  std::ostringstream os;
  auto cst = [&](const std::string &id, const std::string &dense, const std::string &type) {
    os << "  %" << id << " = \"tosa.const\"() <{values = " << dense << " : " << type
       << ">}> : () -> " << type << ">\n";
  };
  std::vector<int64_t> inShape = conv ? std::vector<int64_t>{s.n, s.h, s.w, s.c}
                                      : std::vector<int64_t>{m, k};
  std::vector<int64_t> outShape = conv ? std::vector<int64_t>{s.n, oh, ow, n}
                                       : std::vector<int64_t>{m, n};
  std::string accT = conv ? "tensor<" + shape(outShape) : "tensor<1x" + shape({m, n});
  os << "func.func @" << name << "(%x0: tensor<" << shape(inShape) << "i8>) -> tensor<"
     << shape(outShape) << "i8> {\n";
  cst("azp", "dense<" + std::to_string(zpIn) + ">", "tensor<1xi8");
  cst("wzp", "dense<0>", "tensor<1xi8");
  if (conv) {
    cst("w", denseInts(w), "tensor<" + shape({n, s.kh, s.kw, s.c}) + "i8");
    cst("b", denseInts(bias), "tensor<" + std::to_string(n) + "xi32");
    os << "  %acc = tosa.conv2d %x0, %w, %b, %azp, %wzp {acc_type = i32, dilation = array<i64: "
       << s.dilation[0] << ", " << s.dilation[1] << ">, pad = array<i64: " << s.pad[0] << ", "
       << s.pad[1] << ", " << s.pad[2] << ", " << s.pad[3] << ">, stride = array<i64: "
       << s.stride[0] << ", " << s.stride[1] << ">} : (tensor<" << shape(inShape)
       << "i8>, tensor<" << shape({n, s.kh, s.kw, s.c}) << "i8>, tensor<" << n
       << "xi32>, tensor<1xi8>, tensor<1xi8>) -> " << accT << "i32>\n";
  } else {
    std::vector<int8_t> b(k * n); // B [1, K, N]
    for (int64_t c = 0; c < n; ++c)
      for (int64_t t = 0; t < k; ++t)
        b[t * n + c] = w[c * k + t];
    os << "  %s3 = tosa.const_shape {values = dense<[1, " << m << ", " << k
       << "]> : tensor<3xindex>} : () -> !tosa.shape<3>\n"
       << "  %a = tosa.reshape %x0, %s3 : (tensor<" << shape({m, k})
       << "i8>, !tosa.shape<3>) -> tensor<1x" << shape({m, k}) << "i8>\n";
    cst("w", denseInts(b), "tensor<1x" + shape({k, n}) + "i8");
    os << "  %" << (hasBias ? "mm" : "acc") << " = tosa.matmul %a, %w, %azp, %wzp : (tensor<1x" << shape({m, k})
       << "i8>, tensor<1x" << shape({k, n}) << "i8>, tensor<1xi8>, tensor<1xi8>) -> "
       << accT << "i32>\n";
    if (hasBias) {
      cst("b", denseInts(bias), "tensor<1x1x" + std::to_string(n) + "xi32");
      os << "  %acc = tosa.add %mm, %b : (" << accT << "i32>, tensor<1x1x" << n
         << "xi32>) -> " << accT << "i32>\n";
    }
  }
  cst("mult", denseInts(mult), "tensor<" + std::to_string(mult.size()) + "xi32");
  cst("shift", denseInts(shift), "tensor<" + std::to_string(shift.size()) + "xi8");
  cst("izp", "dense<0>", "tensor<1xi32");
  cst("ozp", "dense<" + std::to_string(zpOut) + ">", "tensor<1xi8");
  os << "  %r = tosa.rescale %acc, %mult, %shift, %izp, %ozp {input_unsigned = false, "
        "output_unsigned = false, per_channel = "
     << (perChannel ? "true" : "false") << ", rounding_mode = "
     << (doubleRound ? "DOUBLE_ROUND" : "SINGLE_ROUND") << ", scale32 = true} : (" << accT
     << "i32>, tensor<" << mult.size() << "xi32>, tensor<" << shift.size()
     << "xi8>, tensor<1xi32>, tensor<1xi8>) -> " << accT << "i8>\n";
  std::string last = "%r";
  if (hasClamp) {
    os << "  %c = tosa.clamp %r {max_val = " << int(hi) << " : i8, min_val = " << int(lo)
       << " : i8} : (" << accT << "i8>) -> " << accT << "i8>\n";
    last = "%c";
  }
  if (!conv) {
    os << "  %s2 = tosa.const_shape {values = dense<[" << m << ", " << n
       << "]> : tensor<2xindex>} : () -> !tosa.shape<2>\n"
       << "  %y = tosa.reshape " << last << ", %s2 : (" << accT
       << "i8>, !tosa.shape<2>) -> tensor<" << shape({m, n}) << "i8>\n";
    last = "%y";
  }
  os << "  return " << last << " : tensor<" << shape(outShape) << "i8>\n}\n\n";
  out.mlir << os.str();
  Output::append(out.inputs, x);
  Output::append(out.expected, y);
  out.cases.push_back({name, {x.size()}, y.size()});
  return true;
}

bool genMatmul(Rng &rng, Output &out, int i) {
  int64_t b = rng.range(1, 3), m = rng.range(1, 5), k = rng.range(1, 37),
          n = rng.range(1, 11);
  ContractionQuant q = randomContraction(rng, n, rng.chance(50), k);
  auto x = randomInt8(rng, b * m * k, rng.range(0, 4));
  auto w = randomInt8(rng, b * k * n, 0);
  auto y = batchMatmul(x, w, b, m, k, n, q);
  if (!y)
    return false;
  std::string name = "case" + std::to_string(i);
  std::string in = perTensorType(q.input), wt = weightType(q, 2),
              ot = perTensorType(q.output);
  std::ostringstream body;
  body << constWeight(w, {b, k, n}, wt);
  body << "  %y = qt.matmul %q0, %w" << boundsAttr(q.min, q.max) << " : tensor<"
       << shape({b, m, k}) << in << ">, tensor<" << shape({b, k, n}) << wt
       << "> -> tensor<" << shape({b, m, n}) << ot << ">\n";
  emitInt8Function(out, name, {{b, m, k}}, {in}, {b, m, n}, ot, body.str());
  Output::append(out.inputs, x);
  Output::append(out.expected, *y);
  out.cases.push_back({name, {x.size()}, y->size()});
  return true;
}

ConvShape randomConvShape(Rng &rng, bool depthwise) {
  ConvShape s;
  s.n = rng.range(1, 2);
  // Depthwise: also channel counts across several 16-channel blocks.
  s.c = depthwise && rng.chance(50) ? rng.range(7, 40) : rng.range(1, depthwise ? 6 : 5);
  // Depthwise: also 5 x 5 filters on rows of up to 20 pixels (the kernel
  // steps over 6 output pixels at a time, then one at a time).
  bool large = depthwise && rng.chance(40);
  s.kh = rng.range(1, large ? 5 : 3);
  s.kw = rng.range(1, large ? 5 : 3);
  s.stride[0] = rng.range(1, 2);
  s.stride[1] = rng.range(1, 2);
  s.dilation[0] = rng.range(1, 2);
  s.dilation[1] = rng.range(1, 2);
  for (auto &p : s.pad)
    p = rng.range(0, 2);
  int64_t minH = (s.kh - 1) * s.dilation[0] + 1, minW = (s.kw - 1) * s.dilation[1] + 1;
  s.h = rng.range(std::max<int64_t>(1, minH - s.pad[0] - s.pad[1]), 9);
  s.w = rng.range(std::max<int64_t>(1, minW - s.pad[2] - s.pad[3]), large ? 20 : 9);
  s.outChannels = depthwise ? s.c * rng.range(1, 2) : rng.range(1, 7);
  return s;
}

bool genConv(Rng &rng, Output &out, int i, bool depthwise) {
  ConvShape s = randomConvShape(rng, depthwise);
  ContractionQuant q = randomContraction(
      rng, s.outChannels, rng.chance(75), s.kh * s.kw * (depthwise ? 1 : s.c));
  auto x = randomInt8(rng, s.n * s.h * s.w * s.c, rng.range(0, 4));
  std::vector<int64_t> fdims =
      depthwise ? std::vector<int64_t>{s.kh, s.kw, s.outChannels}
                : std::vector<int64_t>{s.outChannels, s.kh, s.kw, s.c};
  size_t fsize = 1;
  for (int64_t d : fdims)
    fsize *= d;
  auto f = randomInt8(rng, fsize, 0);
  auto bias = rng.chance(70) ? randomBias(rng, s.outChannels) : std::vector<int32_t>{};
  auto y = depthwise ? depthwiseConv2d(x, f, bias, s, q) : conv2d(x, f, bias, s, q);
  if (!y)
    return false;
  std::string name = "case" + std::to_string(i);
  std::string in = perTensorType(q.input), wt = weightType(q, depthwise ? 2 : 0),
              ot = perTensorType(q.output);
  std::vector<int64_t> ydims = {s.n, s.outH(), s.outW(), s.outChannels};
  std::ostringstream body;
  body << constWeight(f, fdims, wt);
  if (!bias.empty())
    body << "  %b = arith.constant " << denseInts(bias) << " : tensor<"
         << s.outChannels << "xi32>\n";
  body << "  %y = qt." << (depthwise ? "depthwise_conv2d" : "conv2d") << " %q0, %w"
       << (bias.empty() ? "" : ", %b") << " pad = [" << s.pad[0] << ", " << s.pad[1]
       << ", " << s.pad[2] << ", " << s.pad[3] << "] stride = [" << s.stride[0]
       << ", " << s.stride[1] << "] dilation = [" << s.dilation[0] << ", "
       << s.dilation[1] << "]" << boundsAttr(q.min, q.max) << " : tensor<"
       << shape({s.n, s.h, s.w, s.c}) << in << ">, tensor<" << shape(fdims) << wt
       << ">" << (bias.empty() ? "" : ", tensor<" + std::to_string(s.outChannels) + "xi32>")
       << " -> tensor<" << shape(ydims) << ot << ">\n";
  emitInt8Function(out, name, {{s.n, s.h, s.w, s.c}}, {in}, ydims, ot, body.str());
  Output::append(out.inputs, x);
  Output::append(out.expected, *y);
  out.cases.push_back({name, {x.size()}, y->size()});
  return true;
}

/// add / mul: half the cases on equal 1-D shapes, half on rank 1-4 shapes
/// where either operand broadcasts some dimensions (size 1).
bool genElementwise(Rng &rng, Output &out, int i, bool isAdd) {
  std::vector<int64_t> ya, yb, yo;
  if (rng.chance(50)) {
    // Some long enough for every vector loop and its remainder.
    int64_t n = rng.chance(30) ? rng.range(64, 300) : rng.range(1, 40);
    ya = yb = yo = {n};
  } else {
    int64_t rank = rng.range(1, 4);
    for (int64_t d = 0; d < rank; ++d) {
      int64_t size = rng.range(1, 7);
      yo.push_back(size);
      ya.push_back(rng.chance(35) ? 1 : size);
      yb.push_back(rng.chance(35) ? 1 : size);
    }
    for (int64_t d = 0; d < rank; ++d) // the result is the larger of the two
      yo[d] = std::max(ya[d], yb[d]);
  }
  auto count = [](const std::vector<int64_t> &v) {
    int64_t n = 1;
    for (int64_t d : v)
      n *= d;
    return static_cast<size_t>(n);
  };
  QuantParams pa{rng.scale(1e-3f, 1), randomZeroPoint(rng)};
  QuantParams pb{rng.scale(1e-3f, 1), randomZeroPoint(rng)};
  // Output scales that keep most results inside the int8 range.
  // mul: M = sa sb / so mostly in [1/200, 1/20] (shifts 36-39), also
  // around 1/4 (shift 32, the high half's carry case) and 1/2 - 2 (shifts
  // 29-31, 64-bit arithmetic).
  float mulSpread = rng.chance(60)   ? rng.scale(20.0f, 200.0f)
                    : rng.chance(50) ? rng.scale(2.0f, 8.0f)
                                     : rng.scale(0.5f, 2.0f);
  float so = isAdd ? std::max(pa.scale, pb.scale) * rng.scale(0.5f, 4.0f)
                   : pa.scale * pb.scale * mulSpread;
  QuantParams po{so, randomZeroPoint(rng)};
  std::optional<float> min, max;
  randomBounds(rng, min, max);
  auto a = randomInt8(rng, count(ya), rng.range(0, 4));
  auto b = randomInt8(rng, count(yb), rng.range(0, 4));
  auto y = isAdd ? addBroadcast(a, ya, pa, b, yb, pb, po, min, max)
                 : mulBroadcast(a, ya, pa, b, yb, pb, po, min, max);
  if (!y)
    return false;
  std::string name = "case" + std::to_string(i);
  std::string ta = perTensorType(pa), tb = perTensorType(pb), to = perTensorType(po);
  std::ostringstream body;
  body << "  %y = qt." << (isAdd ? "add" : "mul") << " %q0, %q1" << boundsAttr(min, max)
       << " : tensor<" << shape(ya) << ta << ">, tensor<" << shape(yb) << tb
       << "> -> tensor<" << shape(yo) << to << ">\n";
  emitInt8Function(out, name, {ya, yb}, {ta, tb}, yo, to, body.str());
  Output::append(out.inputs, a);
  Output::append(out.inputs, b);
  Output::append(out.expected, *y);
  out.cases.push_back({name, {a.size(), b.size()}, y->size()});
  return true;
}

/// table: a random table (or one of a real function's), random parameters,
/// inputs covering every int8 value in most cases.
bool genTable(Rng &rng, Output &out, int i) {
  int64_t n = rng.range(1, 4), h = rng.range(1, 9), w = rng.range(1, 40);
  QuantParams pi{rng.scale(1e-3f, 0.2f), randomZeroPoint(rng)};
  QuantParams po{rng.scale(1e-3f, 0.2f), randomZeroPoint(rng)};
  std::vector<int8_t> table(256);
  switch (rng.range(0, 2)) {
  case 0:
    for (auto &t : table)
      t = static_cast<int8_t>(rng.range(-128, 127));
    break;
  case 1: { // HardSwish
    auto t = buildTable([](float x) { return x * std::fmin(std::fmax(x + 3.0f, 0.0f), 6.0f) / 6.0f; }, pi, po);
    table.assign(t.begin(), t.end());
    break;
  }
  default: { // Sigmoid
    auto t = buildTable([](float x) { return 1.0f / (1.0f + std::exp(-x)); }, pi, po);
    table.assign(t.begin(), t.end());
  }
  }
  std::vector<int8_t> x = randomInt8(rng, n * h * w, rng.range(0, 4));
  if (x.size() >= 256 && rng.chance(50))
    for (size_t k = 0; k < 256; ++k)
      x[k] = static_cast<int8_t>(int(k) - 128);
  auto y = qopt::ref::table(x, table);
  std::string name = "case" + std::to_string(i);
  std::string ti = perTensorType(pi), to = perTensorType(po);
  std::ostringstream body;
  body << "  %y = qt.table %q0, [";
  for (size_t k = 0; k < 256; ++k)
    body << (k ? ", " : "") << int(table[k]);
  body << "] : tensor<" << shape({n, h, w}) << ti << "> -> tensor<" << shape({n, h, w})
       << to << ">\n";
  emitInt8Function(out, name, {{n, h, w}}, {ti}, {n, h, w}, to, body.str());
  Output::append(out.inputs, x);
  Output::append(out.expected, y);
  out.cases.push_back({name, {x.size()}, y.size()});
  return true;
}

/// avg_pool2d: global pools and strided windows, multipliers below and
/// above 1, fused bounds, edge inputs.
bool genAvgPool(Rng &rng, Output &out, int i) {
  int64_t n = rng.range(1, 2), h = rng.range(1, 13), w = rng.range(1, 13),
          c = rng.range(1, 20);
  bool global = rng.chance(40);
  int64_t kh = global ? h : rng.range(1, h), kw = global ? w : rng.range(1, w);
  int64_t sy = rng.range(1, 3), sx = rng.range(1, 3);
  QuantParams pi{rng.scale(1e-3f, 1), randomZeroPoint(rng)};
  QuantParams po{pi.scale * rng.scale(0.25f, 4.0f), randomZeroPoint(rng)};
  std::optional<float> min, max;
  randomBounds(rng, min, max);
  auto x = randomInt8(rng, n * h * w * c, rng.range(0, 4));
  auto y = avgPool2d(x, n, h, w, c, kh, kw, sy, sx, pi, po, min, max);
  if (!y)
    return false;
  int64_t oh = (h - kh) / sy + 1, ow = (w - kw) / sx + 1;
  std::string name = "case" + std::to_string(i);
  std::string ti = perTensorType(pi), to = perTensorType(po);
  std::ostringstream body;
  body << "  %y = qt.avg_pool2d %q0 kernel = [" << kh << ", " << kw << "] stride = ["
       << sy << ", " << sx << "]" << boundsAttr(min, max) << " : tensor<"
       << shape({n, h, w, c}) << ti << "> -> tensor<" << shape({n, oh, ow, c}) << to
       << ">\n";
  emitInt8Function(out, name, {{n, h, w, c}}, {ti}, {n, oh, ow, c}, to, body.str());
  Output::append(out.inputs, x);
  Output::append(out.expected, *y);
  out.cases.push_back({name, {x.size()}, y->size()});
  return true;
}

/// quantize: float inputs including NaN, infinities and exact halfway points.
bool genQuantize(Rng &rng, Output &out, int i) {
  int64_t rows = rng.range(1, 4), cols = rng.range(1, 9);
  bool perAxis = rng.chance(40);
  int axis = static_cast<int>(rng.range(0, 1));
  int64_t channels = perAxis ? (axis == 0 ? rows : cols) : 1;
  std::vector<float> scales;
  std::vector<int32_t> zps;
  for (int64_t c = 0; c < channels; ++c) {
    scales.push_back(rng.scale(1e-3f, 1));
    zps.push_back(randomZeroPoint(rng));
  }
  std::vector<float> x(rows * cols);
  std::vector<int8_t> y(x.size());
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) {
      int64_t ch = perAxis ? (axis == 0 ? r : c) : 0;
      float s = scales[ch];
      float v;
      switch (rng.range(0, 9)) {
      case 0: v = NAN; break;
      case 1: v = rng.chance(50) ? INFINITY : -INFINITY; break;
      case 2: v = (static_cast<float>(rng.range(-130, 130)) + 0.5f) * s; break;
      default: v = rng.uniform(-150, 150) * s;
      }
      x[r * cols + c] = v;
      y[r * cols + c] = static_cast<int8_t>(quantize(v, {s, zps[ch]}));
    }
  std::string qtype = perAxis ? perAxisType(scales, zps, axis)
                              : perTensorType({scales[0], zps[0]});
  std::string name = "case" + std::to_string(i), t = shape({rows, cols});
  auto &os = out.mlir;
  os << "func.func @" << name << "(%x0: tensor<" << t << "f32>) -> tensor<" << t
     << "i8> {\n  %y = qt.quantize %x0 : tensor<" << t << "f32> -> tensor<" << t
     << qtype << ">\n  %r = quant.scast %y : tensor<" << t << qtype << "> to tensor<"
     << t << "i8>\n  return %r : tensor<" << t << "i8>\n}\n\n";
  Output::append(out.inputs, x);
  Output::append(out.expected, y);
  out.cases.push_back({name, {x.size() * 4}, y.size()});
  return true;
}

bool genDequantize(Rng &rng, Output &out, int i) {
  int64_t n = rng.range(1, 33);
  QuantParams p{rng.scale(1e-3f, 10), randomZeroPoint(rng)};
  auto q = randomInt8(rng, n, rng.range(0, 4));
  std::vector<float> y(n);
  for (int64_t j = 0; j < n; ++j)
    y[j] = dequantize(q[j], p);
  std::string qtype = perTensorType(p), name = "case" + std::to_string(i);
  auto &os = out.mlir;
  os << "func.func @" << name << "(%x0: tensor<" << n << "xi8>) -> tensor<" << n
     << "xf32> {\n  %q = quant.scast %x0 : tensor<" << n << "xi8> to tensor<" << n
     << "x" << qtype << ">\n  %y = qt.dequantize %q : tensor<" << n << "x" << qtype
     << "> -> tensor<" << n << "xf32>\n  return %y : tensor<" << n << "xf32>\n}\n\n";
  Output::append(out.inputs, q);
  Output::append(out.expected, y);
  out.cases.push_back({name, {q.size()}, y.size() * 4});
  return true;
}

/// requantize: int32 inputs over the whole range, including the extremes.
bool genRequantize(Rng &rng, Output &out, int i) {
  int64_t n = rng.range(1, 33);
  QuantParams in{rng.scale(1e-6f, 1e-2f), static_cast<int32_t>(rng.range(-1000, 1000))};
  QuantParams o{rng.scale(1e-4f, 1), randomZeroPoint(rng)};
  std::optional<float> min, max;
  randomBounds(rng, min, max);
  auto m = quantizeMultiplier(static_cast<double>(in.scale) / o.scale);
  if (!m)
    return false;
  StorageRange range = activationRange(o, min, max);
  std::vector<int32_t> x(n);
  std::vector<int8_t> y(n);
  for (int64_t j = 0; j < n; ++j) {
    switch (rng.range(0, 5)) {
    case 0: x[j] = INT32_MAX; break;
    case 1: x[j] = INT32_MIN + 1001; break; // (x - z_in) stays in int32
    default: x[j] = static_cast<int32_t>(rng.range(-2000000, 2000000));
    }
    y[j] = static_cast<int8_t>(
        requantize(int64_t(x[j]) - in.zeroPoint, *m, o.zeroPoint, range.min, range.max));
  }
  std::string ti = perTensorType(in, "i32"), to = perTensorType(o);
  std::string name = "case" + std::to_string(i), t = std::to_string(n) + "x";
  auto &os = out.mlir;
  os << "func.func @" << name << "(%x0: tensor<" << t << "i32>) -> tensor<" << t
     << "i8> {\n  %q = quant.scast %x0 : tensor<" << t << "i32> to tensor<" << t
     << ti << ">\n  %y = qt.requantize %q" << boundsAttr(min, max) << " : tensor<"
     << t << ti << "> -> tensor<" << t << to << ">\n  %r = quant.scast %y : tensor<"
     << t << to << "> to tensor<" << t << "i8>\n  return %r : tensor<" << t
     << "i8>\n}\n\n";
  Output::append(out.inputs, x);
  Output::append(out.expected, y);
  out.cases.push_back({name, {x.size() * 4}, y.size()});
  return true;
}

/// dynamic_fully_connected: float inputs (zeros, one-signed, wide), int8
/// weights, float bias; float outputs compared bit for bit.
bool genDynamicFullyConnected(Rng &rng, Output &out, int i) {
  int64_t m = rng.range(1, 4), k = rng.range(1, 67), n = rng.range(1, 17);
  std::vector<float> x(m * k);
  int kind = rng.range(0, 5);
  for (auto &v : x) {
    switch (kind) {
    case 0: v = 0.0f; break;                         // zero width: s = 1
    case 1: v = rng.uniform(0.0f, 3.0f); break;      // all positive
    case 2: v = rng.uniform(-5.0f, -0.5f); break;    // all negative
    default: v = rng.uniform(-2.0f, 2.0f) * rng.scale(0.01f, 100.0f);
    }
  }
  bool perChannel = rng.chance(75);
  std::vector<float> scales;
  std::vector<int32_t> zps;
  for (int64_t c = 0; c < (perChannel ? n : 1); ++c) {
    scales.push_back(rng.scale(1e-3f, 0.1f));
    zps.push_back(0);
  }
  auto w = randomInt8(rng, n * k, 0);
  for (auto &v : w)
    v = v == -128 ? -127 : v;
  std::vector<float> bias;
  if (rng.chance(70))
    for (int64_t c = 0; c < n; ++c)
      bias.push_back(rng.uniform(-1.0f, 1.0f));
  std::optional<float> min, max;
  randomBounds(rng, min, max);
  auto y = dynamicFullyConnected(x, w, scales, zps, bias, m, k, n, min, max);
  std::string name = "case" + std::to_string(i);
  std::string wt = scales.size() == 1 ? perTensorType({scales[0], 0})
                                      : perAxisType(scales, zps, 0);
  std::string tx = "tensor<" + shape({m, k}) + "f32>", ty = "tensor<" + shape({m, n}) + "f32>";
  auto &os = out.mlir;
  os << "func.func @" << name << "(%x0: " << tx << ") -> " << ty << " {\n"
     << constWeight(w, {n, k}, wt);
  if (!bias.empty())
    os << "  %b = arith.constant " << denseInts(bias) << " : tensor<" << n << "xf32>\n";
  os << "  %y = qt.dynamic_fully_connected %x0, %w" << (bias.empty() ? "" : ", %b")
     << boundsAttr(min, max) << " : " << tx << ", tensor<" << shape({n, k}) << wt << ">"
     << (bias.empty() ? "" : ", tensor<" + std::to_string(n) + "xf32>") << " -> " << ty
     << "\n  return %y : " << ty << "\n}\n\n";
  Output::append(out.inputs, x);
  Output::append(out.expected, y);
  out.cases.push_back({name, {x.size() * 4}, y.size() * 4});
  return true;
}

std::string harness(const Output &out) {
  std::ostringstream c;
  c << "/* Generated by qt-testgen: runs every case and compares bytes. */\n"
    << "#include \"cases.h\"\n#include <stdio.h>\n#include <stdlib.h>\n"
    << "#include <string.h>\n\n"
    << "static char *slurp(const char *dir, const char *name, long *size) {\n"
    << "  char path[4096];\n  snprintf(path, sizeof path, \"%s/%s\", dir, name);\n"
    << "  FILE *f = fopen(path, \"rb\");\n  if (!f) { perror(path); exit(2); }\n"
    << "  fseek(f, 0, SEEK_END); *size = ftell(f); fseek(f, 0, SEEK_SET);\n"
    << "  char *data = malloc(*size + 1);\n"
    << "  if (fread(data, 1, *size, f) != (size_t)*size) exit(2);\n"
    << "  fclose(f);\n  return data;\n}\n\n"
    << "/* Weak: objects for targets without a dispatcher lack it. */\n"
    << "const char *cases_kernel_variant(void) __attribute__((weak));\n\n"
    << "int main(int argc, char **argv) {\n"
    << "  if (cases_kernel_variant) {\n"
    << "    const char *variant = cases_kernel_variant();\n"
    << "    printf(\"kernel variant: %s\\n\", variant ? variant : \"none\");\n"
    << "  }\n"
    << "  long inSize, expSize;\n"
    << "  char *in = slurp(argv[1], \"inputs.bin\", &inSize);\n"
    << "  char *exp = slurp(argv[1], \"expected.bin\", &expSize);\n"
    << "  long inPos = 0, expPos = 0;\n  int failed = 0;\n"
    << "  char *out = malloc(1 << 20);\n";
  for (const auto &cs : out.cases) {
    c << "  {\n";
    std::string args;
    for (size_t i = 0; i < cs.inputBytes.size(); ++i) {
      c << "    void *a" << i << " = in + inPos; inPos += " << cs.inputBytes[i] << ";\n";
      args += "a" + std::to_string(i) + ", ";
    }
    c << "    memset(out, 0x5A, " << cs.outputBytes << ");\n"
      << "    if (cases_" << cs.name << "(" << args << "(void *)out) != 0 || memcmp(out, exp + expPos, "
      << cs.outputBytes << ") != 0) {\n"
      << "      failed++;\n      printf(\"MISMATCH " << cs.name << "\\n\");\n"
      << "      for (int i = 0; i < " << cs.outputBytes << "; ++i)\n"
      << "        if (out[i] != exp[expPos + i]) { printf(\"  byte %d: got %d expected %d\\n\", i, out[i], exp[expPos + i]); break; }\n"
      << "    }\n    expPos += " << cs.outputBytes << ";\n  }\n";
  }
  c << "  printf(\"%d cases, %d mismatches\\n\", " << out.cases.size() << ", failed);\n"
    << "  return failed != 0;\n}\n";
  return c.str();
}

} // namespace

int main(int argc, char **argv) {
  std::string op = "fc", dir = ".";
  uint64_t seed = 1;
  int count = 50;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](const char *flag) -> const char * {
      size_t len = std::strlen(flag);
      return a.compare(0, len, flag) == 0 ? argv[i] + len : nullptr;
    };
    if (const char *v = value("--op="))
      op = v;
    else if (const char *v = value("--seed="))
      seed = std::strtoull(v, nullptr, 10);
    else if (const char *v = value("--count="))
      count = std::atoi(v);
    else if (const char *v = value("--sparsity="))
      gSparsity = std::atof(v);
    else if (const char *v = value("--out="))
      dir = v;
    else {
      std::fprintf(stderr, "qt-testgen: unknown argument '%s'\n", argv[i]);
      return 2;
    }
  }
  std::function<bool(Rng &, Output &, int)> gen;
  if (op == "fc") gen = genFullyConnected;
  else if (op == "fc-wide") { gWide = true; gen = genFullyConnected; }
  else if (op == "fc-sweep") gen = genSweep;
  else if (op == "fc-edges") { gen = genEdges; count = 54; }
  else if (op == "fc-round") gen = genRounding;
  else if (op == "fc-large") gen = genLarge;
  else if (op == "fc-copied") gen = genCopied;
  else if (op == "tosa-fc") gen = [](Rng &r, Output &o, int i) { return genTosa(r, o, i, false); };
  else if (op == "tosa-conv") gen = [](Rng &r, Output &o, int i) { return genTosa(r, o, i, true); };
  else if (op == "matmul") gen = genMatmul;
  else if (op == "conv") gen = [](Rng &r, Output &o, int i) { return genConv(r, o, i, false); };
  else if (op == "dwconv") gen = [](Rng &r, Output &o, int i) { return genConv(r, o, i, true); };
  else if (op == "add") gen = [](Rng &r, Output &o, int i) { return genElementwise(r, o, i, true); };
  else if (op == "mul") gen = [](Rng &r, Output &o, int i) { return genElementwise(r, o, i, false); };
  else if (op == "table") gen = genTable;
  else if (op == "avgpool") gen = genAvgPool;
  else if (op == "quantize") gen = genQuantize;
  else if (op == "dequantize") gen = genDequantize;
  else if (op == "requantize") gen = genRequantize;
  else if (op == "dynfc") gen = genDynamicFullyConnected;
  else {
    std::fprintf(stderr, "qt-testgen: unknown op '%s'\n", op.c_str());
    return 2;
  }
  Rng rng(seed);
  Output out;
  out.mlir << "// Generated by qt-testgen --op=" << op << " --seed=" << seed
           << " --count=" << count << "\n\n";
  for (int i = 0; i < count;) {
    if (gen(rng, out, i)) // cases without a fixed-point form are redrawn
      ++i;
  }
  auto write = [&](const std::string &name, const char *data, size_t size) {
    std::ofstream f(dir + "/" + name, std::ios::binary);
    f.write(data, size);
    return bool(f);
  };
  std::string mlir = out.mlir.str(), c = harness(out);
  if (!write("cases.mlir", mlir.data(), mlir.size()) ||
      !write("inputs.bin", out.inputs.data(), out.inputs.size()) ||
      !write("expected.bin", out.expected.data(), out.expected.size()) ||
      !write("harness.c", c.data(), c.size())) {
    std::fprintf(stderr, "qt-testgen: cannot write to '%s'\n", dir.c_str());
    return 1;
  }
  return 0;
}
