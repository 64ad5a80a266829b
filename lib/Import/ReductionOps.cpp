//===- ReductionOps.cpp - ONNX reductions -------------------------*- C++ -*-===//
//
// Handlers of the op registry (OpRegistry.cpp) for the Reduce* ops and
// Softmax.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

using namespace mlir;

namespace qopt::onnx_import {

/// ReduceMean, ReduceSum, ReduceMax, ReduceMin, ReduceL1, ReduceL2,
/// ReduceSumSquare, ReduceLogSum and ReduceLogSumExp: one TOSA reduction per
/// axis (ReduceMean: a sum times 1 / count; LogSumExp shifted by the maximum,
/// so that large values do not overflow).
Imported Importer::importReduce(const onnx::NodeProto &node) {
  StringRef op = node.op_type();
  Value result;
  bool resultNHWC = false;
  int64_t rank = hasNHWC(node, 0) ? 4 : shapeOf(input(node, 0)).size();
  SmallVector<int64_t> axes;
  if (op == "ReduceSum" && opset >= 13) {
    // Axes as input 1; none (or empty) means all, or nothing with
    // noop_with_empty_axes.
    if (node.input_size() > 1 && !node.input(1).empty())
      llvm::append_range(axes, ints(constantInput(node, 1)));
    if (axes.empty() && intAttr(node, "noop_with_empty_axes", 0)) {
      Value x = unaryInput(node, resultNHWC);
      return {x, resultNHWC};
    }
  } else if (auto *a = attr(node, "axes")) {
    axes.assign(a->ints().begin(), a->ints().end());
  }
  if (axes.empty())
    for (int64_t d = 0; d < rank; ++d)
      axes.push_back(d);
  for (int64_t &a : axes)
    a = normalizedAxis(a, rank);
  // On NHWC when the kept dimensions have the same order in both layouts
  // (channels reduced, or both spatial dimensions).
  bool keepdims = intAttr(node, "keepdims", 1);
  bool channelKept = !llvm::is_contained(axes, 1);
  bool spatialKept = !llvm::is_contained(axes, 2) || !llvm::is_contained(axes, 3);
  Value x;
  if (hasNHWC(node, 0) && (keepdims || !(channelKept && spatialKept))) {
    x = nhwcValues[node.input(0)];
    for (int64_t &a : axes)
      a = nhwcAxis(a);
    resultNHWC = keepdims;
  } else {
    x = input(node, 0);
  }
  Value v = reduce(op, x, axes);
  if (!keepdims) {
    SmallVector<int64_t> kept;
    for (int64_t d = 0; d < rank; ++d)
      if (!llvm::is_contained(axes, d))
        kept.push_back(shapeOf(v)[d]);
    v = reshape(v, kept);
  }
  result = v;
  return {result, resultNHWC};
}

Value Importer::reduce(StringRef op, Value x, ArrayRef<int64_t> axes) {
  if (op == "ReduceMean")
    return reduceMean(x, axes);
  auto each = [&](Value v, auto tag) {
    SmallVector<int64_t> shape(shapeOf(v));
    for (int64_t a : axes) {
      shape[a] = 1;
      v = decltype(tag)::create(b, loc, RankedTensorType::get(shape, f32()), v,
                                b.getI32IntegerAttr(a));
    }
    return v;
  };
  auto square = [&](Value v) { return mul(typeOf(v), v, v); };
  if (op == "ReduceSum")
    return each(x, tosa::ReduceSumOp());
  if (op == "ReduceMax")
    return each(x, tosa::ReduceMaxOp());
  if (op == "ReduceMin")
    return each(x, tosa::ReduceMinOp());
  if (op == "ReduceL1")
    return each(tosa::AbsOp::create(b, loc, typeOf(x), x), tosa::ReduceSumOp());
  if (op == "ReduceSumSquare")
    return each(square(x), tosa::ReduceSumOp());
  if (op == "ReduceL2") {
    Value s = each(square(x), tosa::ReduceSumOp());
    Value half = constant(SmallVector<int64_t>(shapeOf(s).size(), 1), {0.5f});
    return tosa::PowOp::create(b, loc, typeOf(s), s, half);
  }
  if (op == "ReduceLogSum") {
    Value s = each(x, tosa::ReduceSumOp());
    return tosa::LogOp::create(b, loc, typeOf(s), s);
  }
  assert(op == "ReduceLogSumExp" && "not a Reduce* op of the registry");
  Value m = each(x, tosa::ReduceMaxOp());
  Value shifted = tosa::SubOp::create(b, loc, typeOf(x), x, m);
  Value s = each(tosa::ExpOp::create(b, loc, typeOf(x), shifted), tosa::ReduceSumOp());
  Value logSum = tosa::LogOp::create(b, loc, typeOf(s), s);
  return tosa::AddOp::create(b, loc, typeOf(s), logSum, m);
}

Imported Importer::importSoftmax(const onnx::NodeProto &node) {
  Value result;
  bool resultNHWC = false;
  Value x = input(node, 0);
  int64_t rank = shapeOf(x).size();
  int64_t axis = normalizedAxis(intAttr(node, "axis", opset >= 13 ? -1 : 1), rank);
  // Before opset 13 Softmax normalizes over all dimensions from `axis` on;
  // that is one axis only when it is the last.
  if (opset < 13 && axis != rank - 1)
    fail("a softmax over several trailing axes (opset < 13) is not supported yet");
  SmallVector<int64_t> reduced(shapeOf(x));
  reduced[axis] = 1;
  auto rType = RankedTensorType::get(reduced, f32());
  auto axisAttr = b.getI32IntegerAttr(axis);
  Value mx = tosa::ReduceMaxOp::create(b, loc, rType, x, axisAttr);
  Value shifted = tosa::SubOp::create(b, loc, typeOf(x), x, mx);
  Value e = tosa::ExpOp::create(b, loc, typeOf(x), shifted);
  Value s = tosa::ReduceSumOp::create(b, loc, rType, e, axisAttr);
  Value r = tosa::ReciprocalOp::create(b, loc, rType, s);
  result = mul(typeOf(x), e, r);
  return {result, resultNHWC};
}

/// LayerNormalization (opset 17): mean and variance over the axes from
/// `axis` on, y = (x - mean) / sqrt(var + epsilon) * Scale + B; the Mean and
/// InvStdDev outputs when asked for.
Imported Importer::importLayerNormalization(const onnx::NodeProto &node) {
  Value x = input(node, 0);
  int64_t rank = shapeOf(x).size();
  int64_t axis = normalizedAxis(intAttr(node, "axis", -1), rank);
  float epsilon = floatAttr(node, "epsilon", 1e-5f);
  SmallVector<int64_t> axes, paramShape(axis, 1);
  for (int64_t d = axis; d < rank; ++d) {
    axes.push_back(d);
    paramShape.push_back(shapeOf(x)[d]);
  }
  auto param = [&](Value p) {
    SmallVector<int64_t> shape(rank - shapeOf(p).size(), 1);
    llvm::append_range(shape, shapeOf(p));
    return broadcastTo(reshape(p, shape), paramShape);
  };
  Value mean = reduceMean(x, axes);
  Value centered = tosa::SubOp::create(b, loc, typeOf(x), x, mean);
  Value var = reduceMean(mul(typeOf(centered), centered, centered), axes);
  Value eps = constant(SmallVector<int64_t>(rank, 1), {epsilon});
  Value inv = tosa::RsqrtOp::create(b, loc, typeOf(var),
                                    tosa::AddOp::create(b, loc, typeOf(var), var, eps));
  Value y = mul(typeOf(x), mul(typeOf(x), centered, inv), param(input(node, 1)));
  if (std::optional<Value> bias = optionalInput(node, 2))
    y = tosa::AddOp::create(b, loc, typeOf(x), y, param(*bias));
  if (node.output_size() > 1 && !node.output(1).empty())
    values[node.output(1)] = mean;
  if (node.output_size() > 2 && !node.output(2).empty())
    values[node.output(2)] = inv;
  return {y};
}

} // namespace qopt::onnx_import
