//===- ShapeFolding.cpp - shape arithmetic folded at import -------*- C++ -*-===//
//
// A graph-level step of the importer (before the op registry is asked):
// Shape, and Cast, Slice, Concat, Unsqueeze, ConstantOfShape of constants,
// as exporters emit them for Flatten / Reshape, become constants.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

using namespace mlir;

namespace qopt::onnx_import {

std::optional<onnx::TensorProto>
Importer::foldShapeComputation(const onnx::NodeProto &node) {
  StringRef op = node.op_type();
  auto isConstant = [&](int i) {
    return i < node.input_size() && initializers.count(node.input(i));
  };
  auto intTensor = [](ArrayRef<int64_t> values, ArrayRef<int64_t> dims) {
    onnx::TensorProto t;
    t.set_data_type(onnx::TensorProto::INT64);
    for (int64_t d : dims)
      t.add_dims(d);
    for (int64_t v : values)
      t.add_int64_data(v);
    return t;
  };
  auto asInts = [&](const onnx::TensorProto &t) {
    if (t.data_type() != onnx::TensorProto::FLOAT)
      return ints(t);
    std::vector<int64_t> out;
    for (float f : floats(t))
      out.push_back(static_cast<int64_t>(f));
    return out;
  };
  if (op == "Shape") {
    if (isConstant(0)) {
      const auto &t = *initializers[node.input(0)];
      std::vector<int64_t> dims(t.dims().begin(), t.dims().end());
      return intTensor(dims, {int64_t(dims.size())});
    }
    ArrayRef<int64_t> shape = shapeOf(input(node, 0));
    return intTensor(shape, {int64_t(shape.size())});
  }
  if (op == "Cast" && isConstant(0)) {
    const auto &t = *initializers[node.input(0)];
    int64_t to = intAttr(node, "to", 0);
    std::vector<int64_t> dims(t.dims().begin(), t.dims().end());
    // Shape arithmetic: int32 values are kept as int64.
    if (to == onnx::TensorProto::INT64 || to == onnx::TensorProto::INT32)
      return intTensor(asInts(t), dims);
    if (to == onnx::TensorProto::FLOAT) {
      onnx::TensorProto out;
      out.set_data_type(onnx::TensorProto::FLOAT);
      for (int64_t d : dims)
        out.add_dims(d);
      if (t.data_type() == onnx::TensorProto::FLOAT)
        for (float f : floats(t))
          out.add_float_data(f);
      else
        for (int64_t v : asInts(t))
          out.add_float_data(float(v));
      return out;
    }
    return std::nullopt;
  }
  if ((op == "Slice" || op == "Unsqueeze") && isConstant(0) &&
      initializers[node.input(0)]->dims_size() <= 1 &&
      initializers[node.input(0)]->data_type() == onnx::TensorProto::INT64) {
    std::vector<int64_t> v = ints(*initializers[node.input(0)]);
    if (op == "Unsqueeze") // a scalar or a vector becomes [N] (shape arithmetic)
      return intTensor(v, {int64_t(v.size())});
    std::vector<int64_t> starts, ends;
    int64_t step = 1;
    if (opset < 10) {
      if (auto *a = attr(node, "starts"))
        starts.assign(a->ints().begin(), a->ints().end());
      if (auto *a = attr(node, "ends"))
        ends.assign(a->ints().begin(), a->ints().end());
    } else {
      if (!isConstant(1) || !isConstant(2))
        return std::nullopt;
      starts = ints(*initializers[node.input(1)]);
      ends = ints(*initializers[node.input(2)]);
      if (node.input_size() > 4 && isConstant(4))
        step = ints(*initializers[node.input(4)]).at(0);
    }
    if (starts.size() != 1 || ends.size() != 1 || step != 1)
      return std::nullopt;
    int64_t n = v.size();
    auto clampIndex = [&](int64_t i) {
      if (i < 0)
        i += n;
      return std::clamp<int64_t>(i, 0, n);
    };
    int64_t from = clampIndex(starts[0]), to = clampIndex(ends[0]);
    std::vector<int64_t> out(v.begin() + from, v.begin() + std::max(from, to));
    return intTensor(out, {int64_t(out.size())});
  }
  if (op == "ConstantOfShape" && isConstant(0)) {
    std::vector<int64_t> dims = ints(*initializers[node.input(0)]);
    int64_t n = std::accumulate(dims.begin(), dims.end(), int64_t(1), std::multiplies<int64_t>());
    const auto *value = attr(node, "value");
    if (!value || !value->has_t() || value->t().data_type() == onnx::TensorProto::FLOAT) {
      onnx::TensorProto out;
      out.set_data_type(onnx::TensorProto::FLOAT);
      for (int64_t d : dims)
        out.add_dims(d);
      out.mutable_float_data()->Resize(n, value ? floats(value->t())[0] : 0.0f);
      return out;
    }
    return intTensor(std::vector<int64_t>(n, ints(value->t())[0]),
                     dims);
  }
  if (op == "Concat" && node.input_size() > 0) {
    std::vector<int64_t> out;
    for (int i = 0; i < node.input_size(); ++i) {
      if (!isConstant(i) || initializers[node.input(i)]->data_type() != onnx::TensorProto::INT64 ||
          initializers[node.input(i)]->dims_size() > 1)
        return std::nullopt;
      llvm::append_range(out, ints(*initializers[node.input(i)]));
    }
    return intTensor(out, {int64_t(out.size())});
  }
  return std::nullopt;
}

} // namespace qopt::onnx_import
