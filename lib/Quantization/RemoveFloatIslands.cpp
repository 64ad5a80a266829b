//===- RemoveFloatIslands.cpp - int8 between the int8 layers ----*- C++ -*-===//
//
// After qt-quantize-int8, the ops between two int8 layers still run in
// float: dequantize -> HardSwish / residual add / squeeze-excite multiply /
// average pool -> quantize. This pass gives each an integer form where one
// exists, in program order (an op's operands are already rewritten when it
// is reached):
//
//  - an elementwise chain of one int8 value (constants aside) becomes one
//    qt.table built from the float ops themselves, so any such function
//    (HardSwish, HardSigmoid, Sigmoid, Tanh, GELU, Exp, ...) is exact by
//    construction: entry = quantize(f(dequantize(q)));
//  - an add or mul of two int8 values becomes qt.add / qt.mul (broadcasting
//    per-channel operands), with a following clamp fused;
//  - an unpadded average pool becomes qt.avg_pool2d;
//  - max pools, reshapes, transposes and gathers of int8 values move onto
//    the int8 storage; a concat of int8 values runs there too, its inputs
//    brought to its parameters by identity tables.
//
// Every float op left between int8 values gets a remark saying why.
//
//===----------------------------------------------------------------------===//

#include "qopt/Dialect/QT/IR/QTOps.h"
#include "qopt/Quantization/Passes.h"
#include "qopt/Quantization/QuantizationUtils.h"
#include "qopt/Reference/Numerics.h"
#include "qopt/Support/OutputFiles.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"

#include <cmath>

namespace qopt {
#define GEN_PASS_DEF_QTREMOVEFLOATISLANDS
#include "qopt/Quantization/Passes.h.inc"
} // namespace qopt

using namespace mlir;
using namespace qopt;

namespace {

/// The parameters of a per-tensor signed int8 type, if it is one.
std::optional<ref::QuantParams> int8Params(Type type) {
  auto q = dyn_cast<quant::UniformQuantizedType>(
      cast<ShapedType>(type).getElementType());
  if (!q || !q.isSigned() || !q.getStorageType().isInteger(8) ||
      q.getStorageTypeMin() != -128 || q.getStorageTypeMax() != 127)
    return std::nullopt;
  return ref::QuantParams{float(q.getScale()), int32_t(q.getZeroPoint())};
}

/// The int8 value a float value is dequantized from, if it is.
Value int8Source(Value v) {
  auto dq = v.getDefiningOp<qt::DequantizeOp>();
  if (!dq || !int8Params(dq.getInput().getType()))
    return Value();
  return dq.getInput();
}

/// The value of a float constant whose elements are all equal.
std::optional<float> splatConstant(Value v) {
  DenseElementsAttr attr;
  if (!matchPattern(v, m_Constant(&attr)) || !attr.getElementType().isF32() ||
      attr.getNumElements() == 0)
    return std::nullopt;
  auto values = attr.getValues<float>();
  float first = values[0];
  for (float x : values)
    if (!(x == first || (std::isnan(x) && std::isnan(first))))
      return std::nullopt;
  return first;
}

/// The operands of an elementwise float op that carry data (the others are
/// TOSA's shift and zero-point operands), or nothing if qopt cannot
/// evaluate the op for a table.
std::optional<SmallVector<Value, 2>> dataOperands(Operation *op) {
  auto type = op->getNumResults() == 1
                  ? dyn_cast<RankedTensorType>(op->getResult(0).getType())
                  : RankedTensorType();
  if (!type || !type.getElementType().isF32())
    return std::nullopt;
  if (isa<tosa::AddOp, tosa::SubOp, tosa::MaximumOp, tosa::MinimumOp,
          tosa::PowOp>(op))
    return SmallVector<Value, 2>{op->getOperand(0), op->getOperand(1)};
  if (auto mul = dyn_cast<tosa::MulOp>(op)) {
    DenseElementsAttr shift;
    if (!matchPattern(mul.getShift(), m_Constant(&shift)) ||
        llvm::any_of(shift.getValues<APInt>(), [](APInt v) { return !v.isZero(); }))
      return std::nullopt;
    return SmallVector<Value, 2>{mul.getInput1(), mul.getInput2()};
  }
  if (auto neg = dyn_cast<tosa::NegateOp>(op)) {
    if (!isZeroConstant(neg.getInput1Zp()) || !isZeroConstant(neg.getOutputZp()))
      return std::nullopt;
    return SmallVector<Value, 2>{neg.getInput1()};
  }
  if (isa<tosa::ClampOp, tosa::SigmoidOp, tosa::TanhOp, tosa::ExpOp, tosa::ErfOp,
          tosa::ReciprocalOp, tosa::AbsOp, tosa::RsqrtOp, tosa::LogOp,
          tosa::FloorOp, tosa::CeilOp>(op))
    return SmallVector<Value, 2>{op->getOperand(0)};
  return std::nullopt;
}

/// Evaluates one op of a table's chain on float32 values, as the compiled
/// float model would (docs/numerics.md, "Tables").
float evaluate(Operation *op, ArrayRef<float> x) {
  return llvm::TypeSwitch<Operation *, float>(op)
      .Case([&](tosa::AddOp) { return x[0] + x[1]; })
      .Case([&](tosa::SubOp) { return x[0] - x[1]; })
      .Case([&](tosa::MulOp) { return x[0] * x[1]; })
      .Case([&](tosa::MaximumOp) { return std::fmax(x[0], x[1]); })
      .Case([&](tosa::MinimumOp) { return std::fmin(x[0], x[1]); })
      .Case([&](tosa::PowOp) { return std::pow(x[0], x[1]); })
      .Case([&](tosa::NegateOp) { return -x[0]; })
      .Case([&](tosa::ClampOp c) {
        float lo = cast<FloatAttr>(c.getMinValAttr()).getValue().convertToFloat();
        float hi = cast<FloatAttr>(c.getMaxValAttr()).getValue().convertToFloat();
        return std::isnan(x[0]) ? x[0] : std::fmin(std::fmax(x[0], lo), hi);
      })
      .Case([&](tosa::SigmoidOp) { return 1.0f / (1.0f + std::exp(-x[0])); })
      .Case([&](tosa::TanhOp) { return std::tanh(x[0]); })
      .Case([&](tosa::ExpOp) { return std::exp(x[0]); })
      .Case([&](tosa::ErfOp) { return std::erf(x[0]); })
      .Case([&](tosa::ReciprocalOp) { return 1.0f / x[0]; })
      .Case([&](tosa::AbsOp) { return std::fabs(x[0]); })
      .Case([&](tosa::RsqrtOp) { return 1.0f / std::sqrt(x[0]); })
      .Case([&](tosa::LogOp) { return std::log(x[0]); })
      .Case([&](tosa::FloorOp) { return std::floor(x[0]); })
      .Case([&](tosa::CeilOp) { return std::ceil(x[0]); })
      .Default([](Operation *) -> float { llvm_unreachable("not a table op"); });
}

/// A constant operand of a chain: all elements equal and broadcastable to
/// the chain's shape.
bool isChainConstant(Value v, ArrayRef<int64_t> shape) {
  if (!splatConstant(v))
    return false;
  auto type = dyn_cast<RankedTensorType>(v.getType());
  if (!type || type.getRank() != static_cast<int64_t>(shape.size()))
    return false;
  for (auto [a, b] : llvm::zip(type.getShape(), shape))
    if (a != 1 && a != b)
      return false;
  return true;
}

struct QTRemoveFloatIslands
    : qopt::impl::QTRemoveFloatIslandsBase<QTRemoveFloatIslands> {
  using QTRemoveFloatIslandsBase::QTRemoveFloatIslandsBase;

  /// Why an op stays float, for the remarks at the end.
  DenseMap<Operation *, std::string> reasons;

  void runOnOperation() override {
    reasons.clear();
    ModuleOp module = getOperation();
    for (auto func : module.getOps<func::FuncOp>()) {
      SmallVector<Operation *> ops;
      func.walk([&](Operation *op) { ops.push_back(op); });
      DenseSet<Operation *> erased;
      for (Operation *op : ops) {
        if (erased.contains(op))
          continue;
        if (Operation *gone = rewrite(op))
          erased.insert(gone);
      }
      requantizeByTables(func);
      eraseDeadFloatOps(func);
    }
    // The float ops left that read int8 values: the islands.
    llvm::json::Array islands;
    module.walk([&](Operation *op) {
      auto it = reasons.find(op);
      if (it == reasons.end())
        return;
      op->emitRemark() << "stays float between int8 values: " << it->second;
      std::string loc;
      llvm::raw_string_ostream os(loc);
      op->getLoc().print(os);
      islands.push_back(llvm::json::Object{{"op", op->getName().getStringRef().str()},
                                           {"location", loc},
                                           {"reason", it->second}});
    });
    if (!report.empty() && failed(addToReport(std::move(islands))))
      return signalPassFailure();
  }

  /// Adds the islands to the report qt-quantize-int8 wrote (or starts one).
  LogicalResult addToReport(llvm::json::Array islands) {
    llvm::json::Object root;
    if (auto buffer = llvm::MemoryBuffer::getFile(report)) {
      llvm::Expected<llvm::json::Value> parsed = llvm::json::parse((*buffer)->getBuffer());
      if (parsed && parsed->getAsObject())
        root = std::move(*parsed->getAsObject());
      else if (!parsed)
        llvm::consumeError(parsed.takeError());
    }
    root["float_islands"] = std::move(islands);
    if (llvm::Error err = writeJSONReport(report, std::move(root))) {
      emitError(getOperation().getLoc()) << llvm::toString(std::move(err));
      return failure();
    }
    return success();
  }

  /// Rewrites `op` if it has an integer form; returns an op it erased.
  Operation *rewrite(Operation *op) {
    if (isa<tosa::MaxPool2dOp, tosa::ReshapeOp, tosa::TransposeOp, tosa::GatherOp,
            tensor::CollapseShapeOp, tensor::ExpandShapeOp>(op)) {
      if (succeeded(moveOntoInt8Storage(op)))
        return op;
      return nullptr;
    }
    // A model output computed in float from int8 values is exact; an int8
    // form would round it once more.
    if (op->getNumResults() == 1 && !op->getResult(0).use_empty() &&
        llvm::all_of(op->getResult(0).getUsers(),
                     [](Operation *user) { return isa<func::ReturnOp>(user); }))
      return nullptr;
    if (auto pool = dyn_cast<tosa::AvgPool2dOp>(op))
      return rewriteAvgPool(pool);
    if (auto concat = dyn_cast<tosa::ConcatOp>(op))
      return rewriteConcat(concat);
    if (isa<tosa::AddOp, tosa::MulOp>(op) && binaryOperands(op))
      return rewriteBinary(op);
    if (op->getNumResults() != 1)
      return nullptr;
    if (Value root = unaryRoot(op->getResult(0)); root && root != op->getResult(0) &&
                                                   isChainEnd(op, root))
      rewriteTable(op, root);
    else if (!isa<qt::QTDialect>(op->getDialect()) && readsInt8(op))
      reasons.try_emplace(op, whyNot(op));
    return nullptr;
  }

  /// Why an op reading an int8 value keeps float.
  std::string whyNot(Operation *op) {
    if (!dataOperands(op))
      return "qopt has no integer form of '" + op->getName().getStringRef().str() + "'";
    if (isa<tosa::AddOp, tosa::SubOp, tosa::MulOp, tosa::MaximumOp, tosa::MinimumOp,
            tosa::PowOp>(op))
      return "its other operand is neither an int8 value nor a constant with one "
             "value for every element";
    return "its result has no calibrated range";
  }

  static bool readsInt8(Operation *op) {
    return llvm::any_of(op->getOperands(), [](Value v) { return int8Source(v); });
  }

  /// Output parameters for a float value becoming int8: those its readers
  /// already quantize it with (so the pair folds), else its calibrated range.
  std::optional<ref::QuantParams> outputParams(Value v) {
    for (Operation *user : v.getUsers())
      if (auto q = dyn_cast<qt::QuantizeOp>(user))
        if (auto p = int8Params(q.getType()))
          return p;
    if (auto chosen = activationParams(v, symmetricActivations))
      return chosen->params;
    return std::nullopt;
  }

  /// Replaces `v` with dequantize(q) where q is `int8`; the range of `v`
  /// moves to the dequantize (readers quantize with it).
  void replaceWithInt8(Value v, Value int8, Operation *rangeFrom) {
    OpBuilder b(int8.getContext());
    b.setInsertionPointAfterValue(int8);
    auto dq = qt::DequantizeOp::create(b, int8.getLoc(), v.getType(), int8);
    if (Attribute range = rangeFrom->getAttr(kRangeAttrName))
      dq->setAttr(kRangeAttrName, range);
    v.replaceAllUsesWith(dq.getResult());
  }

  //===--------------------------------------------------------------------===//
  // Tables
  //===--------------------------------------------------------------------===//

  /// The dequantized int8 value that `v` is an elementwise function of
  /// (constants aside), or null.
  Value unaryRoot(Value v) {
    if (int8Source(v))
      return v;
    Operation *op = v.getDefiningOp();
    auto operands = op ? dataOperands(op) : std::nullopt;
    if (!operands)
      return Value();
    ArrayRef<int64_t> shape = cast<RankedTensorType>(v.getType()).getShape();
    Value root;
    for (Value operand : *operands) {
      if (isChainConstant(operand, shape))
        continue;
      Value r = unaryRoot(operand);
      if (!r || (root && r != root) ||
          cast<RankedTensorType>(r.getType()).getShape() != shape)
        return Value();
      root = r;
    }
    return root;
  }

  /// `op` is the last op of its chain: something other than the chain reads
  /// its result.
  bool isChainEnd(Operation *op, Value root) {
    return llvm::any_of(op->getResult(0).getUsers(), [&](Operation *user) {
      return user->getNumResults() != 1 || !dataOperands(user) ||
             unaryRoot(user->getResult(0)) != root;
    });
  }

  void rewriteTable(Operation *end, Value root) {
    Value result = end->getResult(0);
    std::optional<ref::QuantParams> out = outputParams(result);
    if (!out) {
      reasons.try_emplace(end, "its result has no calibrated range");
      return;
    }
    Value source = int8Source(root);
    ref::QuantParams in = *int8Params(source.getType());
    // Evaluate the chain for every int8 input at once. Results are copied
    // out of the memo: a reference into it would dangle once evaluating
    // another operand grows it (found by the ASan build).
    DenseMap<Value, std::array<float, 256>> values;
    std::function<std::array<float, 256>(Value)> eval =
        [&](Value v) -> std::array<float, 256> {
      auto it = values.find(v);
      if (it != values.end())
        return it->second;
      std::array<float, 256> r;
      if (v == root) {
        for (int q = -128; q <= 127; ++q)
          r[q + 128] = ref::dequantize(q, in);
      } else if (auto c = splatConstant(v); c && v.getDefiningOp() &&
                                            !dataOperands(v.getDefiningOp())) {
        r.fill(*c);
      } else {
        Operation *op = v.getDefiningOp();
        // Named: a range-for over `*dataOperands(op)` would iterate the
        // temporary optional after its end (C++17).
        std::optional<SmallVector<Value, 2>> operands = dataOperands(op);
        SmallVector<std::array<float, 256>, 2> args;
        for (Value operand : *operands)
          args.push_back(eval(operand));
        for (int i = 0; i < 256; ++i) {
          SmallVector<float, 2> x;
          for (const auto &a : args)
            x.push_back(a[i]);
          r[i] = evaluate(op, x);
        }
      }
      values.try_emplace(v, r);
      return r;
    };
    std::array<float, 256> f = eval(result);
    SmallVector<int8_t> table(256);
    for (int i = 0; i < 256; ++i)
      table[i] = static_cast<int8_t>(ref::quantize(f[i], *out));

    OpBuilder b(end);
    MLIRContext *ctx = b.getContext();
    auto sourceType = cast<RankedTensorType>(source.getType());
    auto type = sourceType.clone(perTensorType(ctx, *out));
    auto lut = qt::TableOp::create(b, end->getLoc(), type, source,
                                   b.getDenseI8ArrayAttr(table));
    OpBuilder after(end);
    after.setInsertionPointAfter(lut);
    auto dq = qt::DequantizeOp::create(after, end->getLoc(), result.getType(),
                                       lut.getResult());
    if (Attribute range = end->getAttr(kRangeAttrName))
      dq->setAttr(kRangeAttrName, range);
    // Readers inside a longer chain keep the float value; the rest read the
    // table.
    result.replaceUsesWithIf(dq.getResult(), [&](OpOperand &use) {
      Operation *user = use.getOwner();
      return user == dq || user->getNumResults() != 1 || !dataOperands(user) ||
             unaryRoot(user->getResult(0)) != root;
    });
  }

  //===--------------------------------------------------------------------===//
  // Add and mul of two int8 values
  //===--------------------------------------------------------------------===//

  /// Both operands of an add / mul are non-constant dequantized int8 values
  /// with the result's rank.
  static bool binaryOperands(Operation *op) {
    auto type = dyn_cast<RankedTensorType>(op->getResult(0).getType());
    if (!type || !type.getElementType().isF32())
      return false;
    return llvm::all_of(ArrayRef<Value>{op->getOperand(0), op->getOperand(1)},
                        [&](Value v) {
                          auto t = dyn_cast<RankedTensorType>(v.getType());
                          return int8Source(v) && t && t.getRank() == type.getRank();
                        });
  }

  Operation *rewriteBinary(Operation *op) {
    if (auto mul = dyn_cast<tosa::MulOp>(op))
      if (!dataOperands(mul)) {
        reasons.try_emplace(op, "its shift is not zero");
        return nullptr;
      }
    Value a = int8Source(op->getOperand(0)), b = int8Source(op->getOperand(1));
    ref::QuantParams pa = *int8Params(a.getType()), pb = *int8Params(b.getType());
    // A clamp reading only this op becomes the output clamp.
    Operation *last = op;
    std::optional<float> min, max;
    Value result = op->getResult(0);
    if (result.hasOneUse())
      if (auto clamp = dyn_cast<tosa::ClampOp>(*result.getUsers().begin())) {
        last = clamp;
        min = cast<FloatAttr>(clamp.getMinValAttr()).getValue().convertToFloat();
        max = cast<FloatAttr>(clamp.getMaxValAttr()).getValue().convertToFloat();
        if (std::isinf(*min) && *min < 0)
          min.reset();
        if (std::isinf(*max) && *max > 0)
          max.reset();
      }
    std::optional<ref::QuantParams> out = outputParams(last->getResult(0));
    if (!out) {
      reasons.try_emplace(op, "its result has no calibrated range");
      return nullptr;
    }
    bool isAdd = isa<tosa::AddOp>(op);
    std::string error;
    bool representable =
        isAdd ? bool(ref::quantizeAddMultipliers(pa.scale, pb.scale, out->scale, &error))
              : bool(ref::quantizeMultiplier(double(pa.scale) * pb.scale / out->scale,
                                             &error));
    if (!representable) {
      reasons.try_emplace(op, "its multiplier has no fixed-point form (" + error + ")");
      return nullptr;
    }
    OpBuilder builder(last);
    auto type = cast<RankedTensorType>(result.getType())
                    .clone(perTensorType(builder.getContext(), *out));
    FloatAttr minAttr = min ? builder.getF32FloatAttr(*min) : FloatAttr();
    FloatAttr maxAttr = max ? builder.getF32FloatAttr(*max) : FloatAttr();
    Value q = isAdd ? qt::AddOp::create(builder, op->getLoc(), type, a, b, minAttr, maxAttr)
                          .getResult()
                    : qt::MulOp::create(builder, op->getLoc(), type, a, b, minAttr, maxAttr)
                          .getResult();
    replaceWithInt8(last->getResult(0), q, last);
    if (last != op) {
      reasons.erase(last);
      last->erase();
      return last;
    }
    return nullptr;
  }

  //===--------------------------------------------------------------------===//
  // Pooling and data movement
  //===--------------------------------------------------------------------===//

  Operation *rewriteAvgPool(tosa::AvgPool2dOp pool) {
    Value source = int8Source(pool.getInput());
    if (!source)
      return nullptr;
    if (llvm::any_of(pool.getPad(), [](int64_t p) { return p != 0; })) {
      reasons.try_emplace(pool, "it is padded (qt.avg_pool2d has no padding)");
      return nullptr;
    }
    if (!isZeroConstant(pool.getInputZp()) || !isZeroConstant(pool.getOutputZp())) {
      reasons.try_emplace(pool, "its zero points are not zero");
      return nullptr;
    }
    std::optional<ref::QuantParams> out = outputParams(pool.getResult());
    if (!out) {
      reasons.try_emplace(pool, "its result has no calibrated range");
      return nullptr;
    }
    ref::QuantParams in = *int8Params(source.getType());
    ArrayRef<int64_t> kernel = pool.getKernel();
    int64_t area = kernel[0] * kernel[1];
    std::string error;
    if (area > INT32_MAX / 255 ||
        !ref::quantizeMultiplier(double(in.scale) / (double(out->scale) * double(area)),
                                 &error)) {
      reasons.try_emplace(pool, "its multiplier has no fixed-point form (" + error + ")");
      return nullptr;
    }
    OpBuilder b(pool);
    auto type = cast<RankedTensorType>(pool.getType())
                    .clone(perTensorType(b.getContext(), *out));
    auto q = qt::AvgPool2DOp::create(b, pool.getLoc(), type, source,
                                     pool.getKernelAttr(), pool.getStrideAttr(),
                                     FloatAttr(), FloatAttr());
    replaceWithInt8(pool.getResult(), q.getResult(), pool);
    return nullptr; // erased with the dead ops
  }

  // Pattern: concat(dequantize(q_i)...) -> dequantize(concat(table_i(q_i)))
  //   on the storage, each input brought to the output's parameters by an
  //   identity table (exactly the float round trip) unless it has them.
  Operation *rewriteConcat(tosa::ConcatOp concat) {
    if (!llvm::all_of(concat.getInput1(), [](Value v) { return int8Source(v); }))
      return nullptr;
    std::optional<ref::QuantParams> out = outputParams(concat.getResult());
    if (!out) {
      reasons.try_emplace(concat, "its result has no calibrated range");
      return nullptr;
    }
    OpBuilder b(concat);
    Location loc = concat.getLoc();
    MLIRContext *ctx = b.getContext();
    auto outElement = perTensorType(ctx, *out);
    SmallVector<Value> storage;
    for (Value v : concat.getInput1()) {
      Value q = int8Source(v);
      auto type = cast<RankedTensorType>(q.getType());
      if (type.getElementType() != outElement) {
        std::array<int8_t, 256> table = ref::buildTable(
            [](float x) { return x; }, *int8Params(type), *out);
        q = qt::TableOp::create(b, loc, type.clone(outElement), q,
                                b.getDenseI8ArrayAttr(table));
      }
      storage.push_back(quant::StorageCastOp::create(b, loc, type.clone(b.getI8Type()), q));
    }
    auto resultType = cast<RankedTensorType>(concat.getType());
    auto onStorage = tosa::ConcatOp::create(b, loc, resultType.clone(b.getI8Type()), storage,
                                            concat.getAxisAttr());
    Value q = quant::StorageCastOp::create(b, loc, resultType.clone(outElement), onStorage);
    replaceWithInt8(concat.getResult(), q, concat);
    return nullptr; // erased with the dead ops
  }

  //===--------------------------------------------------------------------===//

  /// quantize(dequantize(q)) between two different int8 parameter sets (a
  /// max pool's input and output ranges, say) -> a table of the identity:
  /// exactly the float round trip, one lookup.
  void requantizeByTables(func::FuncOp func) {
    SmallVector<qt::QuantizeOp> pairs;
    func.walk([&](qt::QuantizeOp q) {
      Value source = int8Source(q.getInput());
      if (source && int8Params(q.getType()) && source.getType() != q.getType())
        pairs.push_back(q);
    });
    for (qt::QuantizeOp q : pairs) {
      Value source = int8Source(q.getInput());
      ref::QuantParams in = *int8Params(source.getType()), out = *int8Params(q.getType());
      std::array<int8_t, 256> table =
          ref::buildTable([](float x) { return x; }, in, out);
      OpBuilder b(q);
      auto lut = qt::TableOp::create(b, q.getLoc(), q.getType(), source,
                                     b.getDenseI8ArrayAttr(table));
      q.replaceAllUsesWith(lut.getResult());
      q.erase();
    }
  }

  /// Erases the float ops nothing reads any more, readers first.
  void eraseDeadFloatOps(func::FuncOp func) {
    bool changed = true;
    while (changed) {
      changed = false;
      SmallVector<Operation *> dead;
      func.walk([&](Operation *op) {
        if (op->use_empty() && isPure(op) && op->getNumResults() > 0 &&
            (isa<tosa::TosaDialect>(op->getDialect()) ||
             isa<qt::DequantizeOp, qt::QuantizeOp>(op)))
          dead.push_back(op);
      });
      for (Operation *op : llvm::reverse(dead)) {
        reasons.erase(op);
        op->erase();
        changed = true;
      }
    }
  }
};

} // namespace
