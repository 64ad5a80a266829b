//===- Values.cpp - tensors, inputs and layouts -----------------*- C++ -*-===//
//
// Constant data, the values of a node's inputs (in ONNX's layout, in NHWC,
// as float), broadcasting, and external data files.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

using namespace mlir;
using namespace qopt::onnx_import;

namespace qopt::onnx_import {

std::vector<float> Importer::floats(const onnx::TensorProto &t) {
  if (t.data_type() != onnx::TensorProto::FLOAT)
    fail("tensor '" + t.name() + "' is not float32");
  if (t.data_location() == onnx::TensorProto::EXTERNAL)
    fail("tensor '" + t.name() + "' keeps its data in an external file, which is not supported yet");
  size_t n = 1;
  for (int64_t d : t.dims())
    n *= d;
  std::vector<float> out(n);
  if (!t.raw_data().empty()) {
    if (t.raw_data().size() != n * 4)
      fail("tensor '" + t.name() + "' has " + Twine(t.raw_data().size()) +
           " bytes of data for " + Twine(n) + " floats");
    std::memcpy(out.data(), t.raw_data().data(), n * 4);
  } else {
    if (size_t(t.float_data_size()) != n)
      fail("tensor '" + t.name() + "' has " + Twine(t.float_data_size()) +
           " values for " + Twine(n) + " elements");
    std::copy(t.float_data().begin(), t.float_data().end(), out.begin());
  }
  return out;
}

std::vector<int64_t> Importer::ints(const onnx::TensorProto &t) {
  size_t n = 1;
  for (int64_t d : t.dims())
    n *= d;
  if (t.data_location() == onnx::TensorProto::EXTERNAL)
    fail("tensor '" + t.name() + "' keeps its data in an external file, which is not supported yet");
  if (t.data_type() == onnx::TensorProto::INT8 || t.data_type() == onnx::TensorProto::UINT8) {
    bool isSigned = t.data_type() == onnx::TensorProto::INT8;
    std::vector<int64_t> out(n);
    if (!t.raw_data().empty()) {
      if (t.raw_data().size() != n)
        fail("tensor '" + t.name() + "' has the wrong amount of data");
      for (size_t i = 0; i < n; ++i)
        out[i] = isSigned ? int64_t(int8_t(t.raw_data()[i])) : int64_t(uint8_t(t.raw_data()[i]));
    } else {
      if (size_t(t.int32_data_size()) != n)
        fail("tensor '" + t.name() + "' has the wrong number of values");
      std::copy(t.int32_data().begin(), t.int32_data().end(), out.begin());
    }
    return out;
  }
  if (t.data_type() == onnx::TensorProto::INT32) {
    std::vector<int64_t> out(n);
    if (!t.raw_data().empty()) {
      if (t.raw_data().size() != n * 4)
        fail("tensor '" + t.name() + "' has the wrong amount of data");
      for (size_t i = 0; i < n; ++i) {
        int32_t v;
        std::memcpy(&v, t.raw_data().data() + 4 * i, 4);
        out[i] = v;
      }
    } else {
      if (size_t(t.int32_data_size()) != n)
        fail("tensor '" + t.name() + "' has the wrong number of values");
      std::copy(t.int32_data().begin(), t.int32_data().end(), out.begin());
    }
    return out;
  }
  // Other widths (as exporters write exponents and the like): raw data, or
  // int32_data (16-bit) / uint64_data (unsigned 32- and 64-bit).
  auto raw = [&](auto sample) {
    using T = decltype(sample);
    std::vector<int64_t> out(n);
    if (t.raw_data().size() != n * sizeof(T))
      fail("tensor '" + t.name() + "' has the wrong amount of data");
    for (size_t i = 0; i < n; ++i) {
      T v;
      std::memcpy(&v, t.raw_data().data() + sizeof(T) * i, sizeof(T));
      out[i] = int64_t(v);
    }
    return out;
  };
  auto listed = [&](const auto &values) {
    if (size_t(values.size()) != n)
      fail("tensor '" + t.name() + "' has the wrong number of values");
    return std::vector<int64_t>(values.begin(), values.end());
  };
  bool hasRaw = !t.raw_data().empty();
  switch (t.data_type()) {
  case onnx::TensorProto::INT16:
    return hasRaw ? raw(int16_t()) : listed(t.int32_data());
  case onnx::TensorProto::UINT16:
    return hasRaw ? raw(uint16_t()) : listed(t.int32_data());
  case onnx::TensorProto::UINT32:
    return hasRaw ? raw(uint32_t()) : listed(t.uint64_data());
  case onnx::TensorProto::UINT64:
    return hasRaw ? raw(uint64_t()) : listed(t.uint64_data());
  default:
    break;
  }
  if (t.data_type() != onnx::TensorProto::INT64)
    fail("tensor '" + t.name() + "' is not an integer tensor");
  std::vector<int64_t> out(n);
  if (!t.raw_data().empty()) {
    if (t.raw_data().size() != n * 8)
      fail("tensor '" + t.name() + "' has the wrong amount of data");
    std::memcpy(out.data(), t.raw_data().data(), n * 8);
  } else {
    if (size_t(t.int64_data_size()) != n)
      fail("tensor '" + t.name() + "' has the wrong number of values");
    std::copy(t.int64_data().begin(), t.int64_data().end(), out.begin());
  }
  return out;
}

Value Importer::input(const onnx::NodeProto &node, int i) {
  if (i >= node.input_size() || node.input(i).empty())
    fail("input " + Twine(i) + " is missing");
  auto it = values.find(node.input(i));
  if (it != values.end())
    return floatOf(it->second);
  if (auto nhwc = nhwcValues.find(node.input(i)); nhwc != nhwcValues.end())
    return floatOf(values[node.input(i)] = toNCHW(nhwc->second));
  auto init = initializers.find(node.input(i));
  if (init == initializers.end())
    fail("input '" + node.input(i) + "' is not defined before this node");
  std::vector<float> data = floats(*init->second);
  SmallVector<int64_t> shape(init->second->dims().begin(), init->second->dims().end());
  Value v = constant(shape, data);
  values[node.input(i)] = v;
  return v;
}

Value Importer::rawInput(const onnx::NodeProto &node, int i, bool &nhwc) {
  nhwc = hasNHWC(node, i);
  if (nhwc)
    return nhwcValues[node.input(i)];
  if (i < node.input_size())
    if (auto it = values.find(node.input(i)); it != values.end())
      return it->second;
  return input(node, i);
}

Value Importer::floatOf(Value v) {
  if (isa<IntegerType>(typeOf(v).getElementType()))
    fail("an integer tensor reaches an op that computes in float; integer tensors can only "
         "be read by DequantizeLinear, the QLinear* and *Integer ops, integer Add, Sub, Mul, "
         "Div, Clip and MaxPool, Cast and ops that only move data (Pad)");
  if (!isa<quant::QuantizedType>(typeOf(v).getElementType()))
    return v;
  Value &copy = floatCopies[v];
  if (!copy)
    copy = qopt::qt::DequantizeOp::create(b, loc, typeOf(v).clone(f32()), v);
  return copy;
}

Value Importer::inputNHWC(const onnx::NodeProto &node, int i) {
  if (hasNHWC(node, i))
    return floatOf(nhwcValues[node.input(i)]);
  Value v = input(node, i);
  if (shapeOf(v).size() != 4)
    fail("input " + Twine(i) + " must be 4-D (NCHW)");
  Value t = toNHWC(v);
  if (!node.input(i).empty())
    nhwcValues[node.input(i)] = t;
  return t;
}

std::optional<Value> Importer::optionalInput(const onnx::NodeProto &node, int i) {
  if (i >= node.input_size() || node.input(i).empty())
    return std::nullopt;
  return input(node, i);
}

const onnx::TensorProto &Importer::constantInput(const onnx::NodeProto &node, int i) {
  if (i >= node.input_size())
    fail("input " + Twine(i) + " is missing");
  auto init = initializers.find(node.input(i));
  if (init == initializers.end())
    fail("input '" + node.input(i) + "' must be a constant (an initializer or a Constant node)");
  return *init->second;
}

std::pair<Value, Value> Importer::broadcast(Value a, Value c, SmallVector<int64_t> &shape) {
  size_t rank = std::max(shapeOf(a).size(), shapeOf(c).size());
  auto padTo = [&](Value v) {
    SmallVector<int64_t> s(rank - shapeOf(v).size(), 1);
    llvm::append_range(s, shapeOf(v));
    return reshape(v, s);
  };
  a = padTo(a);
  c = padTo(c);
  shape.clear();
  for (size_t d = 0; d < rank; ++d) {
    int64_t x = shapeOf(a)[d], y = shapeOf(c)[d];
    if (x != y && x != 1 && y != 1)
      fail("shapes do not broadcast");
    shape.push_back(std::max(x, y));
  }
  return {a, c};
}

Value Importer::broadcastTo(Value v, ArrayRef<int64_t> shape) {
  if (shapeOf(v) == shape)
    return v;
  SmallVector<int64_t> multiples;
  for (auto [have, want] : llvm::zip(shapeOf(v), shape)) {
    if (have != want && have != 1)
      fail("shapes do not broadcast");
    multiples.push_back(have == want ? 1 : want);
  }
  return tosa::TileOp::create(b, loc, typeOf(v).clone(shape), v, constShape(multiples));
}

/// Reads the data of every initializer and Constant kept in an external file
/// (ONNX's external data: location relative to the model, offset, length)
/// into the tensor. Returns an error message naming the tensor, its reader
/// and the file, or an empty string.
std::string loadExternalData(onnx::ModelProto &model, StringRef modelPath) {
  onnx::GraphProto &graph = *model.mutable_graph();
  int64_t opset = 0;
  for (const auto &set : model.opset_import())
    if (set.domain().empty() || set.domain() == "ai.onnx")
      opset = set.version();
  auto readerOf = [&](const std::string &name) -> std::string {
    for (const auto &node : graph.node())
      for (const auto &in : node.input())
        if (in == name)
          return " (read by node '" + node.name() + "' (" + node.op_type() + ", opset " +
                 std::to_string(opset) + "))";
    return "";
  };
  auto load = [&](onnx::TensorProto &t, const std::string &name) -> std::string {
    if (t.data_location() != onnx::TensorProto::EXTERNAL)
      return "";
    std::string location;
    uint64_t offset = 0, length = 0;
    bool hasLength = false;
    for (const auto &kv : t.external_data()) {
      if (kv.key() == "location")
        location = kv.value();
      else if (kv.key() == "offset")
        offset = std::strtoull(kv.value().c_str(), nullptr, 10);
      else if (kv.key() == "length")
        length = std::strtoull(kv.value().c_str(), nullptr, 10), hasLength = true;
    }
    std::string what = "tensor '" + name + "'" + readerOf(name);
    if (location.empty() || llvm::sys::path::is_absolute(location))
      return what + " keeps its data in an external file but gives no relative location";
    // ONNX's rule: the data lies in the model's folder or below. No `..`
    // component, and no symlink may lead out of it: a model from a stranger
    // must not embed other files of the machine into the compiled output.
    for (StringRef part : llvm::make_range(llvm::sys::path::begin(location),
                                           llvm::sys::path::end(location)))
      if (part == "..")
        return what + " keeps its data in '" + location +
               "', outside the model's folder ('..' is not allowed)";
    SmallString<256> folder(llvm::sys::path::parent_path(modelPath));
    if (folder.empty())
      folder = ".";
    SmallString<256> file(folder);
    llvm::sys::path::append(file, location);
    SmallString<256> realFolder, realFile;
    if (!llvm::sys::fs::real_path(folder, realFolder) &&
        !llvm::sys::fs::real_path(file, realFile)) {
      llvm::sys::path::append(realFolder, "");
      if (!StringRef(realFile).starts_with(realFolder))
        return what + " keeps its data in '" + location + "', which leads outside the model's "
               "folder (to " + std::string(realFile) + ")";
    }
    auto buffer = llvm::MemoryBuffer::getFile(file, /*IsText=*/false,
                                              /*RequiresNullTerminator=*/false);
    if (!buffer)
      return what + " keeps its data in '" + location + "', which cannot be read (" +
             std::string(file) + ": " + buffer.getError().message() + ")";
    uint64_t size = (*buffer)->getBufferSize();
    if (!hasLength)
      length = size > offset ? size - offset : 0;
    if (offset > size || length > size - offset)
      return what + ": '" + location + "' has " + std::to_string(size) +
             " bytes, fewer than offset " + std::to_string(offset) + " + length " +
             std::to_string(length);
    t.set_raw_data((*buffer)->getBufferStart() + offset, length);
    t.clear_external_data();
    t.set_data_location(onnx::TensorProto::DEFAULT);
    return "";
  };
  for (auto &init : *graph.mutable_initializer())
    if (std::string error = load(init, init.name()); !error.empty())
      return error;
  for (auto &node : *graph.mutable_node())
    for (auto &a : *node.mutable_attribute())
      if (a.has_t())
        if (std::string error = load(*a.mutable_t(), node.output_size() ? node.output(0) : "");
            !error.empty())
          return error;
  return "";
}

// Elementwise ops keep the layout of what they read: NHWC when an operand
// was computed in NHWC and the result is 4-D.
Value Importer::unaryInput(const onnx::NodeProto &node, bool &nhwc) {
  if (!hasNHWC(node, 0))
    return input(node, 0);
  nhwc = true;
  return floatOf(nhwcValues[node.input(0)]);
}

std::pair<Value, Value> Importer::binaryOperands(const onnx::NodeProto &node,
                                                 SmallVector<int64_t> &shape, bool &nhwc) {
  auto rank = [&](int i) { return hasNHWC(node, i) ? 4 : shapeOf(input(node, i)).size(); };
  if ((hasNHWC(node, 0) || hasNHWC(node, 1)) && std::max(rank(0), rank(1)) == 4) {
    nhwc = true;
    auto operand = [&](int i) {
      if (hasNHWC(node, i))
        return floatOf(nhwcValues[node.input(i)]);
      Value v = input(node, i);
      SmallVector<int64_t> s(4 - shapeOf(v).size(), 1);
      llvm::append_range(s, shapeOf(v));
      return toNHWC(reshape(v, s));
    };
    return broadcast(operand(0), operand(1), shape);
  }
  return broadcast(input(node, 0), input(node, 1), shape);
}

} // namespace qopt::onnx_import
