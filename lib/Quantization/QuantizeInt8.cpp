//===- QuantizeInt8.cpp - static int8 post-training quantization -*- C++ -*-===//
//
// Turns the contractions of a calibrated float TOSA model into qt int8 ops
// with the parameters of SPEC §5, computed by the reference implementation.
// Everything else stays float here; qt.quantize / qt.dequantize mark the
// boundaries and fold away between adjacent int8 ops, and
// qt-remove-float-islands then gives the ops between int8 layers their
// integer forms.
//
//===----------------------------------------------------------------------===//

#include "qopt/Dialect/QT/IR/QTAttributes.h"
#include "qopt/Dialect/QT/IR/QTOps.h"
#include "qopt/Quantization/Passes.h"
#include "qopt/Quantization/QuantizationError.h"
#include "qopt/Quantization/QuantizationUtils.h"
#include "qopt/Reference/Numerics.h"
#include "qopt/Support/LinalgContractions.h"
#include "qopt/Support/OpSelection.h"
#include "qopt/Support/OutputFiles.h"

#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "llvm/Support/JSON.h"

#include <cfloat>
#include <cmath>

namespace qopt {
#define GEN_PASS_DEF_QTQUANTIZEINT8
#include "qopt/Quantization/Passes.h.inc"
} // namespace qopt

using namespace mlir;
using namespace qopt;

namespace {

struct QTQuantizeInt8 : qopt::impl::QTQuantizeInt8Base<QTQuantizeInt8> {
  using QTQuantizeInt8Base::QTQuantizeInt8Base;

  /// The pipeline's compiled models (null: a private cache for the report).
  std::shared_ptr<CompiledModelCache> sharedModels;

  llvm::json::Array reportOps;
  bool sawRange = false;
  /// With report= and data=: the float model's values by original value, and
  /// the points where both models are compared (index into reportOps).
  IRMapping floatMapping;
  SmallVector<std::pair<size_t, ErrorPoint>> errorPoints;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    // Quantized ONNX models (QuantizeLinear / DequantizeLinear) carry their
    // parameters in qt.quantize / qt.dequantize instead of ranges.
    module.walk([&](Operation *op) {
      if (op->hasAttr(kRangeAttrName) || isa<qt::QuantizeOp>(op))
        sawRange = true;
    });
    for (auto func : module.getOps<func::FuncOp>())
      for (unsigned i = 0; i < func.getNumArguments(); ++i)
        if (func.getArgAttr(i, kRangeAttrName))
          sawRange = true;
    if (!sawRange) {
      emitError(module.getLoc(), 
          "the model has no calibration ranges (qt.range attributes), so int8 "
          "scales cannot be chosen: give calibration samples "
          "(--quantize-int8=\"data=calib.npz\"), run --qt-calibrate=data=calib.npz "
          "first, or use --quantize-dynamic");
      return signalPassFailure();
    }

    // The float model, to measure what quantization costs in the report.
    OwningOpRef<ModuleOp> floatModel;
    floatMapping.clear();
    errorPoints.clear();
    if (!report.empty() && !data.empty())
      floatModel = cast<ModuleOp>(module->clone(floatMapping));

    warnAtLinalgContractions(
        module, "stays float: --quantize-int8 quantizes TOSA matmuls and "
                "convolutions, and linalg ones in the forms "
                "qt-raise-linalg-contractions raises (constant float32 "
                "weights, NHWC, a zero accumulator); this one is not");

    // Contractions, and the max pools and reshapes that can run on their
    // int8 results, in program order: a rewrite reads the parameters its
    // producer's rewrite chose.
    SmallVector<Operation *> candidates, dataMovement;
    module.walk([&](Operation *op) {
      if (isa<tosa::MatMulOp, tosa::Conv2DOp, tosa::DepthwiseConv2DOp>(op))
        candidates.push_back(op);
      else if (isa<tosa::MaxPool2dOp, tosa::ReshapeOp, tosa::TransposeOp>(op))
        dataMovement.push_back(op);
    });
    SmallVector<Operation *> ordered(candidates);
    llvm::append_range(ordered, dataMovement);
    llvm::sort(ordered, [](Operation *a, Operation *b) {
      return a->getBlock() == b->getBlock() ? a->isBeforeInBlock(b) : a < b;
    });
    // An exclude= entry that names no contraction is a typo, not a no-op.
    for (const std::string &e : exclude)
      if (llvm::none_of(candidates,
                        [&](Operation *op) { return opMatchesSelector(op, e); })) {
        emitError(module.getLoc()) << "exclude= entry '" << e
                           << "' names no matmul or convolution of the model "
                              "(give an op name such as tosa.conv2d or a piece "
                              "of an op's location)";
        return signalPassFailure();
      }
    for (Operation *op : ordered) {
      if (isa<tosa::MaxPool2dOp, tosa::ReshapeOp, tosa::TransposeOp>(op)) {
        (void)moveOntoInt8Storage(op); // qt-remove-float-islands retries
        continue;
      }
      if (isExcluded(op)) {
        op->emitRemark("stays float: excluded by exclude=");
        addReport(op, "float", "excluded");
        continue;
      }
      if (op->hasAttr(kKeepFloatAttrName)) {
        op->removeAttr(kKeepFloatAttrName);
        addReport(op, "float", "kept float by float-layers= (sensitive)");
        continue;
      }
      std::string why;
      LogicalResult result = failure();
      if (auto mm = dyn_cast<tosa::MatMulOp>(op))
        result = quantizeMatmul(mm, why);
      else if (auto conv = dyn_cast<tosa::Conv2DOp>(op))
        result = quantizeConv(conv, why);
      else if (auto dw = dyn_cast<tosa::DepthwiseConv2DOp>(op))
        result = quantizeDepthwise(dw, why);
      if (failed(result)) {
        op->emitRemark() << "stays float: " << why;
        addReport(op, "float", why);
      }
    }
    if (!report.empty()) {
      llvm::json::Object root;
      if (floatModel) {
        // The quantized module still has dequantize/quantize pairs to fold;
        // the runner lowers a copy, so measuring here is exact.
        SmallVector<ErrorPoint> points;
        for (const auto &[index, point] : errorPoints)
          points.push_back(point);
        auto error = measureQuantizationError(*floatModel, module, points, data,
                                              sharedModels.get());
        if (!error) {
          emitError(module.getLoc()) << "cannot measure the quantization error for "
                                "the report: "
                             << llvm::toString(error.takeError());
          return signalPassFailure();
        }
        for (auto [i, entry] : llvm::enumerate(errorPoints))
          (*reportOps[entry.first].getAsObject())["error_vs_float"] =
              std::move(error->points[i]);
        root["error_vs_float"] = std::move(error->model);
      }
      root["ops"] = std::move(reportOps);
      if (llvm::Error err = writeJSONReport(report, std::move(root))) {
        emitError(module.getLoc()) << llvm::toString(std::move(err));
        return signalPassFailure();
      }
    }
  }

  bool isExcluded(Operation *op) {
    return llvm::any_of(exclude, [&](const std::string &e) {
      return opMatchesSelector(op, e);
    });
  }

  struct Plan;
  void addReport(Operation *op, StringRef precision, StringRef note,
                 const Plan *plan = nullptr) {
    std::string loc;
    llvm::raw_string_ostream os(loc);
    op->getLoc().print(os);
    llvm::json::Object entry{{"op", op->getName().getStringRef().str()},
                             {"location", loc},
                             {"precision", precision.str()}};
    if (!note.empty())
      entry["note"] = note.str();
    auto side = [](ref::QuantParams q, Value v) {
      llvm::json::Object o{{"scale", q.scale}, {"zero_point", q.zeroPoint}};
      if (auto r = calibratedRange(v))
        o["range"] = llvm::json::Array{r->first, r->second};
      return o;
    };
    if (plan) {
      entry["input"] = side(plan->in, plan->input);
      entry["output"] = side(plan->out, plan->epilogue.last->getResult(0));
      const std::vector<float> &ws = plan->weights.scales;
      entry["weight_scales"] = llvm::json::Object{
          {"min", *std::min_element(ws.begin(), ws.end())},
          {"max", *std::max_element(ws.begin(), ws.end())},
          {"channels", static_cast<int64_t>(ws.size())}};
    }
    reportOps.push_back(std::move(entry));
  }

  /// Shared checks and constants of an int8 contraction: activation
  /// parameters, bias, the int32-accumulation proof and the multipliers.
  struct Plan {
    Value input;
    ref::QuantParams in, out;
    QuantizedWeights weights;
    Epilogue epilogue;
    Value biasValue; // int32 constant, or null
  };

  /// A channel whose weights are tiny next to its bias (a dead channel, or
  /// a bias folded in after the weights were scaled down) would need a bias
  /// beyond int32: it gets the coarser weight scale |b| / (s_in 2^30), its
  /// weights requantized from their int8 values (q' = round(q * s / s'),
  /// half away from zero), all such channels in one pass over the weights.
  void widenScalesForBias(QuantizedWeights &w, ArrayRef<float> bias, float inputScale) {
    if (w.fromFile)
      return;
    std::vector<float> ratio(w.channels, 1.0f);
    bool any = false;
    for (int64_t c = 0; c < w.channels; ++c) {
      if (ref::quantizeBias(bias[c], inputScale, w.scales[c]) ||
          !std::isfinite(bias[c] / inputScale))
        continue;
      float scale = std::fabs(bias[c]) / inputScale / 0x1p30f;
      ratio[c] = w.scales[c] / scale;
      w.scales[c] = scale;
      any = true;
    }
    if (any)
      for (size_t i = 0; i < w.values.size(); ++i)
        if (float r = ratio[channelOfIndex(i)]; r != 1.0f)
          w.values[i] = static_cast<int8_t>(std::round(w.values[i] * r));
  }

  LogicalResult plan(Value input, Epilogue epilogue,
                     QuantizedWeights weights, int64_t reduction, Plan &p,
                     std::string &why) {
    auto in = fileParams(input, /*output=*/false);
    auto out = fileParams(epilogue.last->getResult(0), /*output=*/true);
    if (!in)
      if (auto chosen = activationParams(input, symmetricActivations))
        in = chosen->params;
    if (!out)
      if (auto chosen = activationParams(epilogue.last->getResult(0), symmetricActivations))
        out = chosen->params;
    if (!in || !out) {
      why = "its input or output has no calibrated range";
      return failure();
    }
    p.input = input;
    p.in = *in;
    p.out = *out;
    p.epilogue = epilogue;
    p.weights = std::move(weights);
    std::vector<int32_t> bias(p.weights.channels, 0);
    if (epilogue.bias) {
      widenScalesForBias(p.weights, *epilogue.bias, p.in.scale);
      for (int64_t c = 0; c < p.weights.channels; ++c) {
        auto q = ref::quantizeBias((*epilogue.bias)[c], p.in.scale, p.weights.scales[c]);
        if (!q) {
          why = "a bias does not fit int32 at the chosen scales";
          return failure();
        }
        bias[c] = *q;
      }
    }
    // SPEC §5: prove sum_k 255 |w_k| + |b| <= 2^31 - 1 per output channel.
    std::vector<int64_t> bound(p.weights.channels, 0);
    for (size_t i = 0; i < p.weights.values.size(); ++i)
      bound[channelOfIndex(i)] += 255 * std::abs(int64_t(p.weights.values[i]));
    for (int64_t c = 0; c < p.weights.channels; ++c)
      if (bound[c] + std::abs(int64_t(bias[c])) > INT32_MAX) {
        why = "its int32 accumulation could overflow (" +
              std::to_string(reduction) + " products per output)";
        return failure();
      }
    for (int64_t c = 0; c < p.weights.channels; ++c) {
      double m = double(p.in.scale) * p.weights.scales[c] / p.out.scale;
      if (!ref::quantizeMultiplier(m)) {
        why = "a requantization multiplier is 2^30 or larger";
        return failure();
      }
    }
    p.weights.bias = bias;
    return success();
  }

  /// The parameters a quantized model gives a value: those it is
  /// dequantized from (an input), or those its only reader quantizes it with,
  /// seen through reshapes (an output).
  static std::optional<ref::QuantParams> fileParams(Value v, bool output) {
    auto params = [](Type t) -> std::optional<ref::QuantParams> {
      auto q = dyn_cast<quant::UniformQuantizedType>(cast<ShapedType>(t).getElementType());
      if (!q || !q.getStorageType().isInteger(8))
        return std::nullopt;
      return ref::QuantParams{float(q.getScale()), int32_t(q.getZeroPoint())};
    };
    if (!output) {
      auto dq = v.getDefiningOp<qt::DequantizeOp>();
      return dq ? params(dq.getInput().getType()) : std::nullopt;
    }
    while (v.hasOneUse()) {
      Operation *user = *v.getUsers().begin();
      if (auto q = dyn_cast<qt::QuantizeOp>(user))
        return params(q.getType());
      if (!isa<tosa::ReshapeOp>(user))
        break;
      v = user->getResult(0);
    }
    return std::nullopt;
  }

  /// The weight scales a quantized model gave the op (qt.weight_scales, set
  /// by the ONNX importer), or empty.
  static std::vector<float> fileWeightScales(Operation *op) {
    auto scales = op->getAttrOfType<DenseF32ArrayAttr>(qopt::kWeightScalesAttrName);
    return scales ? std::vector<float>(scales.asArrayRef().begin(), scales.asArrayRef().end())
                  : std::vector<float>();
  }

  /// Set by each rewrite before plan(): the output channel of a flat weight
  /// index in the layout it emits.
  std::function<int64_t(size_t)> channelOfIndex;

  Value weightConstant(OpBuilder &b, Location loc, const Plan &p,
                       ArrayRef<int64_t> shape, int32_t axis) {
    MLIRContext *ctx = b.getContext();
    auto storage = RankedTensorType::get(shape, b.getI8Type());
    Value raw = arith::ConstantOp::create(
        b, loc, storage,
        DenseElementsAttr::get(storage, ArrayRef<int8_t>(p.weights.values)));
    SmallVector<double> scales(p.weights.scales.begin(), p.weights.scales.end());
    SmallVector<int64_t> zps(scales.size(), 0);
    auto qtype = quant::UniformQuantizedPerAxisType::get(
        quant::QuantizationFlags::Signed, b.getI8Type(), Float32Type::get(ctx),
        scales, zps, axis, -128, 127);
    return quant::StorageCastOp::create(b, loc, storage.clone(qtype), raw);
  }

  Value biasConstant(OpBuilder &b, Location loc, const Plan &p) {
    if (!p.epilogue.bias)
      return Value();
    auto type = RankedTensorType::get({p.weights.channels}, b.getI32Type());
    return arith::ConstantOp::create(
        b, loc, type,
        DenseElementsAttr::get(type, ArrayRef<int32_t>(p.weights.bias)));
  }

  FloatAttr boundAttr(OpBuilder &b, std::optional<float> v) {
    return v ? b.getF32FloatAttr(*v) : FloatAttr();
  }

  /// Replaces the fused chain's result with `floatResult` and erases the
  /// chain, last op first.
  void finish(const Plan &p, Value floatResult) {
    // The report compares this op's (fused) output with the float model's.
    if (Value floatValue = floatMapping.lookupOrNull(p.epilogue.last->getResult(0)))
      errorPoints.push_back({reportOps.size() - 1, {floatValue, floatResult}});
    // Later rewrites read the range of this value from its new producer.
    if (Attribute range = p.epilogue.last->getAttr(kRangeAttrName))
      floatResult.getDefiningOp()->setAttr(kRangeAttrName, range);
    p.epilogue.last->getResult(0).replaceAllUsesWith(floatResult);
    for (Operation *o : llvm::reverse(p.epilogue.chain))
      if (o->use_empty())
        o->erase();
  }

  // Pattern: matmul(x[1,M,K], const W[1,K,N]) [+ const b[N]] [clamp]
  //   -> dequantize(fully_connected(quantize(x[M,K]), Wq[N,K], bq) {min, max})
  LogicalResult quantizeMatmul(tosa::MatMulOp op, std::string &why) {
    FailureOr<FullyConnectedMatch> fc = matchFullyConnected(op, why);
    if (failed(fc))
      return failure();
    int64_t m = fc->m, k = fc->k, n = fc->n;
    channelOfIndex = [k](size_t i) { return static_cast<int64_t>(i) / k; };
    QuantizedWeights weights = std::move(fc->weights);
    Plan p;
    if (failed(plan(op.getA(), fuseEpilogue(op, n, true), std::move(weights),
                    k, p, why)))
      return failure();

    OpBuilder b(p.epilogue.last);
    Location loc = op.getLoc();
    MLIRContext *ctx = b.getContext();
    Value x2 = tensor::CollapseShapeOp::create(
        b, loc, op.getA(), SmallVector<ReassociationIndices>{{0, 1}, {2}});
    auto inType = perTensorType(ctx, p.in);
    auto outType = perTensorType(ctx, p.out);
    Value xq = qt::QuantizeOp::create(
        b, loc, RankedTensorType::get({m, k}, inType), x2);
    Value wq = weightConstant(b, loc, p, {n, k}, 0);
    Value bias = biasConstant(b, loc, p);
    Value y = qt::FullyConnectedOp::create(
        b, loc, RankedTensorType::get({m, n}, outType), xq, wq, bias,
        boundAttr(b, p.epilogue.min), boundAttr(b, p.epilogue.max));
    Value yf = qt::DequantizeOp::create(
        b, loc, RankedTensorType::get({m, n}, b.getF32Type()), y);
    Value y3 = tensor::ExpandShapeOp::create(
        b, loc, RankedTensorType::get({1, m, n}, b.getF32Type()), yf,
        SmallVector<ReassociationIndices>{{0, 1}, {2}});
    addReport(op, "int8", "", &p);
    finish(p, y3);
    return success();
  }

  /// Emits quantize(x) -> QTConvOp (weights of `weightShape`, per-channel
  /// along `axis`) -> dequantize for a planned TOSA convolution `op`.
  template <typename QTConvOp, typename TosaConvOp>
  void emitConvolution(TosaConvOp op, const Plan &p,
                       ArrayRef<int64_t> weightShape, int32_t axis) {
    OpBuilder b(p.epilogue.last);
    Location loc = op.getLoc();
    MLIRContext *ctx = b.getContext();
    auto inShape = cast<RankedTensorType>(op.getInput().getType()).getShape();
    auto outShape = cast<RankedTensorType>(op.getType()).getShape();
    Value xq = qt::QuantizeOp::create(
        b, loc, RankedTensorType::get(inShape, perTensorType(ctx, p.in)),
        op.getInput());
    Value wq = weightConstant(b, loc, p, weightShape, axis);
    Value y = QTConvOp::create(
        b, loc, RankedTensorType::get(outShape, perTensorType(ctx, p.out)), xq,
        wq, biasConstant(b, loc, p), op.getPadAttr(), op.getStrideAttr(),
        op.getDilationAttr(), boundAttr(b, p.epilogue.min),
        boundAttr(b, p.epilogue.max));
    Value yf = qt::DequantizeOp::create(
        b, loc, RankedTensorType::get(outShape, b.getF32Type()), y);
    addReport(op, "int8", "", &p);
    finish(p, yf);
  }

  // Pattern: conv2d(x, const W[O,KH,KW,I], const b[O]) [clamp]
  //   -> dequantize(qt.conv2d(quantize(x), Wq, bq) {min, max})
  LogicalResult quantizeConv(tosa::Conv2DOp op, std::string &why) {
    auto w = constantValues(op.getWeight());
    auto bias = constantValues(op.getBias());
    auto wType = cast<RankedTensorType>(op.getWeight().getType());
    if (!w || !bias) {
      why = "its weights or bias are not constants";
      return failure();
    }
    if (!allFinite(*w) || !allFinite(*bias)) {
      why = kNonFiniteWeights;
      return failure();
    }
    if (!isZeroConstant(op.getInputZp()) || !isZeroConstant(op.getWeightZp())) {
      why = "its zero points are not zero";
      return failure();
    }
    int64_t o = wType.getDimSize(0);
    int64_t perChannel = wType.getNumElements() / o;
    channelOfIndex = [perChannel](size_t i) {
      return static_cast<int64_t>(i) / perChannel;
    };
    QuantizedWeights weights = quantizeWeights(*w, o, channelOfIndex, fileWeightScales(op));
    Epilogue e = fuseEpilogue(op, o, false);
    if (bias->size() == 1 && o != 1)
      bias->assign(o, (*bias)[0]);
    e.bias = bias;
    Plan p;
    if (failed(plan(op.getInput(), e, std::move(weights), perChannel, p, why)))
      return failure();
    emitConvolution<qt::Conv2DOp>(op, p, wType.getShape(), /*axis=*/0);
    return success();
  }

  // Pattern: depthwise_conv2d(x, const W[KH,KW,C,M], const b[C*M]) [clamp]
  //   -> dequantize(qt.depthwise_conv2d(quantize(x), Wq[KH,KW,C*M], bq))
  LogicalResult quantizeDepthwise(tosa::DepthwiseConv2DOp op, std::string &why) {
    auto w = constantValues(op.getWeight());
    auto bias = constantValues(op.getBias());
    auto wType = cast<RankedTensorType>(op.getWeight().getType());
    if (!w || !bias) {
      why = "its weights or bias are not constants";
      return failure();
    }
    if (!allFinite(*w) || !allFinite(*bias)) {
      why = kNonFiniteWeights;
      return failure();
    }
    if (!isZeroConstant(op.getInputZp()) || !isZeroConstant(op.getWeightZp())) {
      why = "its zero points are not zero";
      return failure();
    }
    int64_t kh = wType.getDimSize(0), kw = wType.getDimSize(1);
    int64_t channels = wType.getDimSize(2) * wType.getDimSize(3);
    // [KH, KW, C, M] flattened row-major is [KH, KW, C * M].
    channelOfIndex = [channels](size_t i) {
      return static_cast<int64_t>(i) % channels;
    };
    QuantizedWeights weights =
        quantizeWeights(*w, channels, channelOfIndex, fileWeightScales(op));
    Epilogue e = fuseEpilogue(op, channels, false);
    if (bias->size() == 1 && channels != 1)
      bias->assign(channels, (*bias)[0]);
    e.bias = bias;
    Plan p;
    if (failed(plan(op.getInput(), e, std::move(weights), kh * kw, p, why)))
      return failure();
    emitConvolution<qt::DepthwiseConv2DOp>(op, p, {kh, kw, channels},
                                           /*axis=*/2);
    return success();
  }
};

} // namespace

std::unique_ptr<Pass>
qopt::createQTQuantizeInt8(const QTQuantizeInt8Options &options,
                           std::shared_ptr<CompiledModelCache> models) {
  auto pass = std::make_unique<QTQuantizeInt8>(options);
  pass->sharedModels = std::move(models);
  return pass;
}
