//===- ShapeOps.cpp - ONNX ops that move data ---------------------*- C++ -*-===//
//
// Handlers of the op registry (OpRegistry.cpp) for ops that reshape,
// reorder, slice, pad or join tensors.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include <numeric>

using namespace mlir;

namespace qopt::onnx_import {

Imported Importer::importSlice(const onnx::NodeProto &node) {
  return {slice(node)};
}

Imported Importer::importPad(const onnx::NodeProto &node) {
  Value result;
  bool resultNHWC = false;
  Value x = anyInput(node, 0);
  int64_t rank = shapeOf(x).size();
  std::string mode = attr(node, "mode") ? attr(node, "mode")->s() : "constant";
  if (mode != "constant" && mode != "edge" && mode != "reflect")
    fail("pad mode '" + mode + "' is not known");
  std::vector<int64_t> pads;
  float value = 0.0f;
  if (opset < 11) {
    if (auto *a = attr(node, "pads"))
      pads.assign(a->ints().begin(), a->ints().end());
    value = floatAttr(node, "value", 0.0f);
  } else {
    pads = ints(constantInput(node, 1));
    if (node.input_size() > 2 && !node.input(2).empty())
      value = scalar(constantInput(node, 2));
  }
  if (int64_t(pads.size()) != 2 * rank)
    fail("pads must hold " + Twine(2 * rank) + " values");
  // ONNX: all begins, then all ends. Negative pads crop, and edge /
  // reflect padding gathers the replicated or mirrored rows, per axis;
  // constant padding is one tosa.pad (begin, end per dimension).
  SmallVector<int64_t> padding;
  bool constantPad = false;
  for (int64_t d = 0; d < rank; ++d) {
    int64_t n = shapeOf(x)[d], begin = pads[d], end = pads[rank + d];
    bool gathered = begin < 0 || end < 0 || (mode != "constant" && (begin || end));
    if (mode == "reflect" && (begin >= n || end >= n))
      fail("reflect pads must be smaller than the dimension they pad");
    if (gathered) {
      SmallVector<int64_t> index;
      int64_t from = mode == "constant" ? std::max<int64_t>(begin, 0) : begin;
      int64_t to = mode == "constant" ? std::max<int64_t>(end, 0) : end;
      if (n + begin + end <= 0)
        fail("the pads remove every element of dimension " + Twine(d));
      for (int64_t i = -std::min<int64_t>(begin, 0); i < n + std::min<int64_t>(end, 0); ++i)
        index.push_back(i);
      // Edge / reflect rows before and after what is kept.
      SmallVector<int64_t> before, after;
      for (int64_t i = from; i > 0 && mode != "constant"; --i)
        before.push_back(mode == "edge" ? 0 : i);
      for (int64_t i = 1; i <= to && mode != "constant"; ++i)
        after.push_back(mode == "edge" ? n - 1 : n - 1 - i);
      index.insert(index.begin(), before.begin(), before.end());
      index.append(after.begin(), after.end());
      x = gatherAxis(x, d, index);
      begin = mode == "constant" ? std::max<int64_t>(begin, 0) : 0;
      end = mode == "constant" ? std::max<int64_t>(end, 0) : 0;
    }
    constantPad |= begin || end;
    padding.append({begin, end});
  }
  result = x;
  if (constantPad) {
    SmallVector<int64_t> shape(shapeOf(x));
    for (int64_t d = 0; d < rank; ++d)
      shape[d] += padding[2 * d] + padding[2 * d + 1];
    Type element = typeOf(x).getElementType();
    auto valueType = RankedTensorType::get({1}, element);
    Value padValue = tosa::ConstOp::create(
        b, loc, valueType,
        isa<IntegerType>(element)
            ? DenseElementsAttr::get(valueType, APInt(element.getIntOrFloatBitWidth(),
                                                      int64_t(value), /*isSigned=*/true))
            : DenseElementsAttr::get(valueType, value));
    result = tosa::PadOp::create(b, loc, typeOf(x).clone(shape), x, constShape(padding),
                                 padValue);
  }
  return {result, resultNHWC};
}

Imported Importer::importTranspose(const onnx::NodeProto &node) {
  Value result;
  bool resultNHWC = false;
  Value x = input(node, 0);
  SmallVector<int32_t> perms;
  if (auto *a = attr(node, "perm")) {
    int64_t rank = shapeOf(x).size();
    SmallVector<bool> seen(rank, false);
    for (int64_t p : a->ints()) {
      if (p < 0 || p >= rank || seen[p])
        fail("perm is not a permutation of the " + Twine(rank) + " dimensions");
      seen[p] = true;
      perms.push_back(int32_t(p));
    }
    if (int64_t(perms.size()) != rank)
      fail("perm is not a permutation of the " + Twine(rank) + " dimensions");
  } else
    for (int64_t d = shapeOf(x).size() - 1; d >= 0; --d)
      perms.push_back(int32_t(d));
  result = transpose(x, perms);
  return {result, resultNHWC};
}

Imported Importer::importConcat(const onnx::NodeProto &node) {
  Value result;
  bool resultNHWC = false;
  // 4-D parts of which one is NHWC are joined in NHWC.
  bool nhwc = false, all4d = true;
  for (int i = 0; i < node.input_size(); ++i) {
    nhwc |= hasNHWC(node, i);
    all4d &= hasNHWC(node, i) || shapeOf(input(node, i)).size() == 4;
  }
  resultNHWC = nhwc && all4d;
  SmallVector<Value> parts;
  for (int i = 0; i < node.input_size(); ++i)
    parts.push_back(resultNHWC ? inputNHWC(node, i) : input(node, i));
  int64_t rank = shapeOf(parts[0]).size();
  int64_t axis = normalizedAxis(intAttr(node, "axis", 0), rank);
  for (Value v : parts)
    if (int64_t(shapeOf(v).size()) != rank)
      fail("the inputs differ in rank");
  if (resultNHWC)
    axis = nhwcAxis(axis);
  SmallVector<int64_t> shape(shapeOf(parts[0]));
  shape[axis] = 0;
  for (Value v : parts)
    shape[axis] += shapeOf(v)[axis];
  result = tosa::ConcatOp::create(b, loc, RankedTensorType::get(shape, f32()), parts,
                                  b.getI32IntegerAttr(axis));
  return {result, resultNHWC};
}

/// Squeeze and Unsqueeze.
Imported Importer::importSqueeze(const onnx::NodeProto &node) {
  StringRef op = node.op_type();
  Value result;
  bool resultNHWC = false;
  Value x = input(node, 0);
  SmallVector<int64_t> axes;
  if (auto *a = attr(node, "axes"))
    axes.assign(a->ints().begin(), a->ints().end());
  else if (node.input_size() > 1)
    llvm::append_range(axes, ints(constantInput(node, 1)));
  SmallVector<int64_t> shape(shapeOf(x));
  int64_t outRank = op == "Squeeze" ? shape.size() : shape.size() + axes.size();
  for (int64_t &a : axes)
    a = normalizedAxis(a, outRank);
  if (op == "Squeeze") {
    int64_t rank = shape.size();
    SmallVector<int64_t> kept;
    for (int64_t d = 0; d < rank; ++d) {
      bool listed = llvm::is_contained(axes, d);
      if ((axes.empty() && shape[d] == 1) || listed) {
        if (shape[d] != 1)
          fail("dimension " + Twine(d) + " is not 1");
        continue;
      }
      kept.push_back(shape[d]);
    }
    shape = kept;
  } else {
    llvm::sort(axes);
    for (int64_t a : axes)
      shape.insert(shape.begin() + a, 1);
  }
  result = reshape(x, shape);
  return {result, resultNHWC};
}

Imported Importer::importFlatten(const onnx::NodeProto &node) {
  Value result;
  bool resultNHWC = false;
  Value x = input(node, 0);
  int64_t rank = shapeOf(x).size(), axis = intAttr(node, "axis", 1);
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis > rank)
    fail("axis " + Twine(axis) + " is out of range");
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < rank; ++d)
    (d < axis ? outer : inner) *= shapeOf(x)[d];
  result = reshape(x, {outer, inner});
  return {result, resultNHWC};
}

Imported Importer::importReshape(const onnx::NodeProto &node) {
  Value result;
  bool resultNHWC = false;
  Value x = input(node, 0);
  std::vector<int64_t> shape = ints(constantInput(node, 1));
  int64_t known = 1, unknown = -1, total = typeOf(x).getNumElements();
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == 0 && !intAttr(node, "allowzero", 0)) {
      if (d >= shapeOf(x).size())
        fail("a 0 in the shape copies dimension " + Twine(d) + ", which the input lacks");
      shape[d] = shapeOf(x)[d];
    }
    if (shape[d] == -1) {
      if (unknown >= 0)
        fail("more than one -1 in the shape");
      unknown = d;
    } else {
      known *= shape[d];
    }
  }
  if (unknown >= 0)
    shape[unknown] = known ? total / known : 0;
  if (std::accumulate(shape.begin(), shape.end(), int64_t(1),
                      std::multiplies<int64_t>()) != total)
    fail("the new shape does not hold " + Twine(total) + " elements");
  result = reshape(x, shape);
  return {result, resultNHWC};
}

Value Importer::slice(const onnx::NodeProto &node) {
  Value x = anyInput(node, 0);
  int64_t rank = shapeOf(x).size();
  std::vector<int64_t> starts, ends, axes, steps;
  if (opset < 10) {
    auto list = [&](StringRef name) {
      std::vector<int64_t> v;
      if (auto *a = attr(node, name))
        v.assign(a->ints().begin(), a->ints().end());
      return v;
    };
    starts = list("starts"), ends = list("ends"), axes = list("axes");
  } else {
    starts = ints(constantInput(node, 1));
    ends = ints(constantInput(node, 2));
    if (node.input_size() > 3 && !node.input(3).empty())
      axes = ints(constantInput(node, 3));
    if (node.input_size() > 4 && !node.input(4).empty())
      steps = ints(constantInput(node, 4));
  }
  if (axes.empty())
    for (size_t i = 0; i < starts.size(); ++i)
      axes.push_back(i);
  if (steps.empty())
    steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() ||
      steps.size() != starts.size())
    fail("starts, ends, axes and steps must have the same length");
  for (size_t i = 0; i < starts.size(); ++i) {
    int64_t axis = axes[i] < 0 ? axes[i] + rank : axes[i];
    if (axis < 0 || axis >= rank)
      fail("axis " + Twine(axes[i]) + " is out of range");
    int64_t n = shapeOf(x)[axis], step = steps[i];
    if (step == 0)
      fail("a step is 0");
    // ONNX's clamping (INT64_MAX / INT64_MIN mean "to the end").
    auto clampIndex = [&](int64_t v) {
      if (v < 0)
        v = v < -n ? -1 - (step > 0) : v + n;
      return step > 0 ? std::clamp<int64_t>(v, 0, n) : std::clamp<int64_t>(v, -1, n - 1);
    };
    int64_t from = clampIndex(starts[i]), to = clampIndex(ends[i]);
    SmallVector<int64_t> index;
    for (int64_t j = from; step > 0 ? j < to : j > to; j += step)
      index.push_back(j);
    if (index.empty())
      fail("the slice of axis " + Twine(axis) + " is empty");
    if (step == 1) {
      SmallVector<int64_t> begin(rank, 0), size(shapeOf(x));
      begin[axis] = from;
      size[axis] = int64_t(index.size());
      x = tosa::SliceOp::create(b, loc, typeOf(x).clone(size), x, constShape(begin),
                                constShape(size));
    } else {
      x = gatherAxis(x, axis, index);
    }
  }
  return x;
}

/// Gather with constant indices (negative ones count from the end): the
/// slices of `axis` they name, laid out in the indices' shape.
Imported Importer::importGather(const onnx::NodeProto &node) {
  Value x = anyInput(node, 0);
  int64_t rank = shapeOf(x).size();
  int64_t axis = normalizedAxis(intAttr(node, "axis", 0), rank);
  const onnx::TensorProto &indices = constantInput(node, 1);
  std::vector<int64_t> index = ints(indices);
  int64_t size = shapeOf(x)[axis];
  if (index.empty())
    fail("the indices are empty");
  for (int64_t &i : index) {
    if (i < -size || i >= size)
      fail("index " + Twine(i) + " is out of range for dimension " + Twine(axis) + " of size " +
           Twine(size));
    if (i < 0)
      i += size;
  }
  SmallVector<int64_t> shape(shapeOf(x).begin(), shapeOf(x).begin() + axis);
  llvm::append_range(shape, indices.dims());
  shape.append(shapeOf(x).begin() + axis + 1, shapeOf(x).end());
  return {reshape(gatherAxis(x, axis, index), shape)};
}

/// Expand: `x` broadcast with a constant shape (both ways, as numpy).
Imported Importer::importExpand(const onnx::NodeProto &node) {
  Value x = anyInput(node, 0);
  std::vector<int64_t> target = ints(constantInput(node, 1));
  size_t rank = std::max(target.size(), shapeOf(x).size());
  SmallVector<int64_t> have(rank - shapeOf(x).size(), 1), want(rank - target.size(), 1), out;
  llvm::append_range(have, shapeOf(x));
  llvm::append_range(want, target);
  for (size_t d = 0; d < rank; ++d) {
    if (have[d] != want[d] && have[d] != 1 && want[d] != 1)
      fail("the shape does not broadcast with the input's at dimension " + Twine(d));
    if (want[d] < 1)
      fail("dimension " + Twine(d) + " of the shape is not positive");
    out.push_back(have[d] == 1 ? want[d] : have[d]);
  }
  return {broadcastTo(reshape(x, have), out)};
}

/// Split along `axis` into the sizes `split` gives (an attribute before
/// opset 13, an input after) or into equal parts, one per output; outputs
/// after the first are recorded here.
Imported Importer::importSplit(const onnx::NodeProto &node) {
  bool nhwc = false;
  Value x = rawInput(node, 0, nhwc);
  x = nhwc ? floatOf(x) : anyInput(node, 0);
  int64_t rank = shapeOf(x).size();
  int64_t onnxAxis = normalizedAxis(intAttr(node, "axis", 0), rank);
  int64_t axis = nhwc ? nhwcAxis(onnxAxis) : onnxAxis;
  int64_t outputs = node.output_size(), size = shapeOf(x)[axis];
  std::vector<int64_t> sizes;
  if (opset < 13) {
    SmallVector<int64_t> given = intsAttr(node, "split", {});
    sizes.assign(given.begin(), given.end());
  } else if (node.input_size() > 1 && !node.input(1).empty()) {
    sizes = ints(constantInput(node, 1));
  }
  if (sizes.empty()) {
    if (outputs < 1 || size % outputs != 0)
      fail("dimension " + Twine(onnxAxis) + " of size " + Twine(size) + " does not split into " +
           Twine(outputs) + " equal parts");
    sizes.assign(outputs, size / outputs);
  }
  if (int64_t(sizes.size()) != outputs)
    fail("split gives " + Twine(sizes.size()) + " sizes for " + Twine(outputs) + " outputs");
  if (llvm::any_of(sizes, [](int64_t v) { return v <= 0; }))
    fail("a split size is not positive (empty tensors are not supported)");
  if (std::accumulate(sizes.begin(), sizes.end(), int64_t(0)) != size)
    fail("the split sizes do not add up to dimension " + Twine(onnxAxis) + " (" + Twine(size) +
         ")");
  Value first;
  int64_t begin = 0;
  for (int64_t i = 0; i < outputs; ++i) {
    SmallVector<int64_t> offsets(rank, 0), shape(shapeOf(x));
    offsets[axis] = begin;
    shape[axis] = sizes[i];
    begin += sizes[i];
    Value part = tosa::SliceOp::create(b, loc, typeOf(x).clone(shape), x, constShape(offsets),
                                       constShape(shape));
    if (i == 0)
      first = part;
    else if (!node.output(i).empty())
      (nhwc ? nhwcValues : values)[node.output(i)] = part;
  }
  return {first, nhwc};
}

} // namespace qopt::onnx_import
