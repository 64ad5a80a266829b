//===- ReductionOps.cpp - ONNX reductions -------------------------*- C++ -*-===//
//
// Handlers of the op registry (OpRegistry.cpp) for ReduceMean and Softmax.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

using namespace mlir;

namespace qopt::onnx_import {

Imported Importer::importReduceMean(const onnx::NodeProto &node) {
  Value result;
  bool resultNHWC = false;
  int64_t rank = hasNHWC(node, 0) ? 4 : shapeOf(input(node, 0)).size();
  SmallVector<int64_t> axes;
  if (auto *a = attr(node, "axes"))
    axes.assign(a->ints().begin(), a->ints().end());
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
  Value v = reduceMean(x, axes);
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

} // namespace qopt::onnx_import
