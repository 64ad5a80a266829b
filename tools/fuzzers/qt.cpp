//===- qt.cpp - libFuzzer target: the qt dialect's verifiers and lowering -===//
//
// The bytes choose one qt op and everything about it: operand and result
// types (shapes, storage types, per-tensor or per-axis scales and zero
// points, some of them absurd), attributes (pad / stride / dilation / kernel
// arrays, min / max, a table). Most choices make the parts agree (so the
// input gets past the verifier), and then one part may be bent. The op is
// printed as a function, parsed and verified; if it verifies it is lowered
// with `--lower-to-llvm` ("a pass never crashes on IR that verifies"). A
// crash, an assertion or a sanitizer report is a finding.
//
//===----------------------------------------------------------------------===//

#include "qopt/InitAll.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/FormatVariadic.h"

#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace {

/// Builds the op's text from the fuzzer's choices.
struct Generator {
  FuzzedDataProvider &in;

  /// Usually small sizes; sometimes 0, 1 or huge.
  int64_t dim() {
    switch (in.ConsumeIntegralInRange<int>(0, 15)) {
    case 0:
      return 0;
    case 1:
      return in.ConsumeIntegralInRange<int64_t>(1, int64_t(1) << 40);
    default:
      return in.ConsumeIntegralInRange<int64_t>(1, 6);
    }
  }
  int64_t smallInt() {
    if (in.ConsumeIntegralInRange<int>(0, 15) == 0)
      return in.ConsumeIntegral<int64_t>();
    return in.ConsumeIntegralInRange<int64_t>(-1, 4);
  }
  /// A float as MLIR text: usually ordinary, sometimes 0, negative,
  /// denormal, huge or not finite.
  std::string number() {
    switch (in.ConsumeIntegralInRange<int>(0, 35)) {
    case 0:
      return "0.0";
    case 1:
      return "-0.5";
    case 2:
      return "0x7FC00000"; // NaN
    case 3:
      return "0x7F800000"; // inf
    case 4:
      return "1.0e-45";
    case 5:
      return "3.0e38";
    default:
      return llvm::formatv("{0:e}", in.ConsumeFloatingPointInRange<float>(
                                        1.0e-4f, 4.0f))
          .str();
    }
  }
  std::string scalar() {
    static const char *kinds[] = {"f32", "i8", "i32", "f16", "i1"};
    return kinds[in.ConsumeIntegralInRange<int>(0, 4)];
  }
  /// A quantized element type over `channels` (per axis `axis` when
  /// axis >= 0) with storage `storage` (i8, i32, ...).
  std::string quant(const char *storage, int64_t axis, int64_t channels) {
    std::string zp = in.ConsumeIntegralInRange<int>(0, 7) == 0
                         ? std::to_string(smallInt())
                         : std::to_string(in.ConsumeIntegralInRange<int>(-128, 127));
    if (std::string(storage) == "i32" || in.ConsumeBool())
      zp = "0";
    if (axis < 0)
      return llvm::formatv("!quant.uniform<{0}:f32, {1}:{2}>", storage, number(), zp);
    std::string scales;
    int64_t n = in.ConsumeIntegralInRange<int>(0, 7) == 0
                    ? in.ConsumeIntegralInRange<int64_t>(1, 5)
                    : std::min<int64_t>(channels, 64);
    for (int64_t i = 0; i < n; ++i)
      scales += (i ? ", " : "") + number() + ":" + zp;
    return llvm::formatv("!quant.uniform<{0}:f32:{1}, {{{2}}>", storage, axis, scales);
  }
  /// An int8 (or, bent, other) element type for a tensor whose dimension
  /// `axisDim` along `axis` holds the channels.
  std::string element(int64_t rank, int64_t axisDim, int64_t axis = -1) {
    switch (in.ConsumeIntegralInRange<int>(0, 9)) {
    case 0:
      return scalar();
    case 1:
      return quant("i32", -1, 0);
    case 2:
      return quant("i8", std::min<int64_t>(smallInt(), rank), axisDim);
    default:
      return quant("i8", axis, axisDim);
    }
  }
  static std::string tensor(const std::vector<int64_t> &shape,
                            const std::string &elementType) {
    std::string text = "tensor<";
    for (int64_t d : shape)
      text += std::to_string(d) + "x";
    return text + elementType + ">";
  }
  /// Bends a shape one way or another, sometimes.
  std::vector<int64_t> maybeBend(std::vector<int64_t> shape) {
    switch (in.ConsumeIntegralInRange<int>(0, 7)) {
    case 0:
      if (!shape.empty())
        shape[in.ConsumeIntegralInRange<size_t>(0, shape.size() - 1)] = dim();
      break;
    case 1:
      shape.push_back(dim());
      break;
    case 2:
      if (!shape.empty())
        shape.pop_back();
      break;
    default:
      break;
    }
    return shape;
  }
  /// A dense array in the ops' custom syntax: `[a, b, ...]`.
  std::string array(size_t length) {
    if (in.ConsumeIntegralInRange<int>(0, 7) == 0)
      length = in.ConsumeIntegralInRange<size_t>(0, 5);
    std::string text = "[";
    for (size_t i = 0; i < length; ++i)
      text += (i ? ", " : "") + std::to_string(smallInt());
    return text + "]";
  }
  std::string clampAttrs() {
    std::string attrs;
    if (in.ConsumeBool())
      attrs += "min = " + number() + " : f32";
    if (in.ConsumeBool())
      attrs += std::string(attrs.empty() ? "" : ", ") + "max = " + number() + " : f32";
    return attrs.empty() ? "" : "{" + attrs + "}";
  }

  /// One function holding one qt op.
  std::string function() {
    std::vector<std::string> args;
    std::string op, result;
    auto arg = [&](const std::string &type) {
      args.push_back(type);
      return "%a" + std::to_string(args.size() - 1);
    };
    int64_t m = dim(), n = dim(), k = dim(), b = dim();
    std::string a8 = quant("i8", -1, 0), o8 = quant("i8", -1, 0);
    switch (in.ConsumeIntegralInRange<int>(0, 11)) {
    case 0: { // quantize / dequantize / requantize / table / observe
      std::vector<int64_t> shape{m, n};
      std::string x = arg(tensor(shape, "f32"));
      result = tensor(maybeBend(shape), element(2, n));
      op = "qt.quantize " + x + " : " + args[0] + " -> " + result;
      break;
    }
    case 1: {
      std::vector<int64_t> shape{m, n};
      std::string x = arg(tensor(shape, element(2, n)));
      result = tensor(maybeBend(shape), in.ConsumeBool() ? "f32" : scalar());
      op = "qt.dequantize " + x + " : " + args[0] + " -> " + result;
      break;
    }
    case 2: {
      std::vector<int64_t> shape{m};
      std::string x = arg(tensor(shape, quant("i32", -1, 0)));
      result = tensor(maybeBend(shape), element(1, m));
      op = "qt.requantize " + x + " " + clampAttrs() + " : " + args[0] + " -> " + result;
      break;
    }
    case 3: {
      std::vector<int64_t> shape{m, n};
      std::string x = arg(tensor(shape, a8));
      result = tensor(maybeBend(shape), in.ConsumeBool() ? o8 : element(2, n));
      size_t entries = in.ConsumeIntegralInRange<int>(0, 15) == 0
                           ? in.ConsumeIntegralInRange<size_t>(0, 300)
                           : 256;
      std::string table = "[";
      for (size_t i = 0; i < entries; ++i)
        table += (i ? ", " : "") + std::to_string(in.ConsumeIntegral<int8_t>());
      op = "qt.table " + x + ", " + table + "] : " + args[0] + " -> " + result;
      break;
    }
    case 4: { // fully_connected / dynamic_fully_connected
      bool dynamic = in.ConsumeBool();
      std::string x = arg(tensor(maybeBend({m, k}), dynamic ? "f32" : a8));
      std::string w = arg(tensor(maybeBend({n, k}), element(2, n, 0)));
      bool bias = in.ConsumeBool();
      if (bias)
        arg(tensor(maybeBend({n}), dynamic ? "f32" : (in.ConsumeBool() ? "i32" : scalar())));
      result = tensor(maybeBend({m, n}), dynamic ? "f32" : o8);
      op = std::string(dynamic ? "qt.dynamic_fully_connected " : "qt.fully_connected ") +
           x + ", " + w + (bias ? ", %a2" : "") + " " + clampAttrs() + " : " +
           args[0] + ", " + args[1] + (bias ? ", " + args[2] : "") + " -> " + result;
      break;
    }
    case 5: { // batched matmul
      std::string l = arg(tensor(maybeBend({b, m, k}), a8));
      std::string r = arg(tensor(maybeBend({b, k, n}), element(3, n, 2)));
      result = tensor(maybeBend({b, m, n}), o8);
      op = "qt.matmul " + l + ", " + r + " " + clampAttrs() + " : " + args[0] + ", " +
           args[1] + " -> " + result;
      break;
    }
    case 6:
    case 7: { // conv2d / depthwise_conv2d, NHWC
      bool depthwise = in.ConsumeBool();
      int64_t h = dim() + 2, w = dim() + 2, c = dim(), kh = in.ConsumeIntegralInRange<int64_t>(1, 3),
              kw = in.ConsumeIntegralInRange<int64_t>(1, 3), oc = depthwise ? c * in.ConsumeIntegralInRange<int64_t>(1, 2) : n;
      std::string x = arg(tensor(maybeBend({b, h, w, c}), a8));
      std::vector<int64_t> filter = depthwise ? std::vector<int64_t>{kh, kw, oc}
                                              : std::vector<int64_t>{oc, kh, kw, c};
      std::string f = arg(tensor(maybeBend(filter), element(4, oc, depthwise ? 2 : 0)));
      bool bias = in.ConsumeBool();
      if (bias)
        arg(tensor(maybeBend({oc}), in.ConsumeBool() ? "i32" : scalar()));
      std::string padText = array(4), strideText = array(2), dilationText = array(2);
      if (in.ConsumeBool()) { // consistent: no padding, stride 1
        padText = "[0, 0, 0, 0]";
        strideText = dilationText = "[1, 1]";
      }
      result = tensor(maybeBend({b, h - kh + 1, w - kw + 1, oc}), o8);
      op = std::string(depthwise ? "qt.depthwise_conv2d " : "qt.conv2d ") + x + ", " + f +
           (bias ? ", %a2" : "") + " pad = " + padText + " stride = " + strideText +
           " dilation = " + dilationText + " " + clampAttrs() + " : " + args[0] + ", " +
           args[1] + (bias ? ", " + args[2] : "") + " -> " + result;
      break;
    }
    case 8:
    case 9: { // add / mul, broadcasting
      std::vector<int64_t> shape{m, n};
      std::string l = arg(tensor(shape, a8));
      std::string r = arg(tensor(in.ConsumeBool() ? std::vector<int64_t>{1, n} : maybeBend(shape),
                                 in.ConsumeBool() ? o8 : element(2, n)));
      result = tensor(maybeBend(shape), o8);
      op = std::string(in.ConsumeBool() ? "qt.add " : "qt.mul ") + l + ", " + r + " " +
           clampAttrs() + " : " + args[0] + ", " + args[1] + " -> " + result;
      break;
    }
    case 10: { // avg_pool2d
      int64_t h = dim() + 1, w = dim() + 1, c = dim(), kh = in.ConsumeIntegralInRange<int64_t>(1, 3),
              kw = in.ConsumeIntegralInRange<int64_t>(1, 3);
      std::string x = arg(tensor(maybeBend({b, h, w, c}), a8));
      std::string kernel =
          in.ConsumeBool() ? llvm::formatv("[{0}, {1}]", kh, kw).str() : array(2);
      std::string stride = in.ConsumeBool() ? "[1, 1]" : array(2);
      result = tensor(maybeBend({b, std::max<int64_t>(h - kh + 1, 0),
                                 std::max<int64_t>(w - kw + 1, 0), c}),
                      in.ConsumeBool() ? a8 : o8);
      op = "qt.avg_pool2d " + x + " kernel = " + kernel + " stride = " + stride + " " +
           clampAttrs() + " : " + args[0] + " -> " + result;
      break;
    }
    default: {
      std::string x = arg(tensor(maybeBend({m, n}), "f32"));
      result = args[0];
      op = "qt.observe " + x + " {id = " + std::to_string(smallInt()) + " : i64} : " + args[0];
      break;
    }
    }
    std::string signature;
    for (size_t i = 0; i < args.size(); ++i)
      signature += (i ? ", " : "") + ("%a" + std::to_string(i)) + ": " + args[i];
    return "func.func @main(" + signature + ") -> " + result + " {\n  %r = " + op +
           "\n  return %r : " + result + "\n}\n";
  }
};

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
  qopt::registerAllPasses();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  FuzzedDataProvider provider(data, size);
  std::string text = Generator{provider}.function();
  if (getenv("QOPT_FUZZ_PRINT")) // what an input means, to read a finding
    fprintf(stderr, "%s", text.c_str());
  mlir::DialectRegistry registry;
  qopt::registerAllDialects(registry);
  mlir::MLIRContext context(registry, mlir::MLIRContext::Threading::DISABLED);
  mlir::ScopedDiagnosticHandler quiet(&context, [](mlir::Diagnostic &) {
    return mlir::success();
  });
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>(text, &context);
  if (!module || mlir::failed(mlir::verify(*module)))
    return 0;
  if (getenv("QOPT_FUZZ_PRINT"))
    fprintf(stderr, "// verifies; lowering\n");
  mlir::PassManager pm(&context);
  if (mlir::failed(mlir::parsePassPipeline("builtin.module(lower-to-llvm)", pm)))
    abort();
  (void)pm.run(*module);
  return 0;
}
