//===- ImportONNX.cpp - ONNX models to TOSA MLIR ----------------*- C++ -*-===//
//
// A graph becomes one func.func @main on float32 tensors with static shapes.
// Each supported ONNX op is emitted as TOSA 1.0 ops; anything else is an
// error naming the node, its op type and the model's opset, so that no
// partial model is ever written.
//
//===----------------------------------------------------------------------===//

#include "qopt/Import/ONNX.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/Builders.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"

#include "onnx/checker.h"
#include "onnx/onnx_pb.h"
#include "onnx/shape_inference/implementation.h"

#include <cfloat>
#include <cstring>
#include <numeric>

using namespace mlir;

namespace {

/// Raised inside the importer with a message for the current node.
struct ImportError {
  std::string message;
};

class Importer {
public:
  Importer(MLIRContext *ctx, StringRef path, const qopt::ONNXImportOptions &options)
      : ctx(ctx), path(path.str()), options(options), b(ctx) {}

  OwningOpRef<ModuleOp> run(const onnx::ModelProto &model);

private:
  MLIRContext *ctx;
  std::string path;
  const qopt::ONNXImportOptions &options;
  OpBuilder b;
  int64_t opset = 0;
  llvm::StringMap<Value> values;
  llvm::StringMap<const onnx::TensorProto *> initializers;
  Location loc = UnknownLoc::get(ctx);

  Location fileLoc() { return FileLineColLoc::get(ctx, path, 0, 0); }
  [[noreturn]] static void fail(const Twine &message) { throw ImportError{message.str()}; }

  Type f32() { return b.getF32Type(); }
  static RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }
  static ArrayRef<int64_t> shapeOf(Value v) { return typeOf(v).getShape(); }

  // --- constants ---------------------------------------------------------
  static std::vector<float> floats(const onnx::TensorProto &t);
  static std::vector<int64_t> ints(const onnx::TensorProto &t);
  Value constant(ArrayRef<int64_t> shape, ArrayRef<float> data) {
    auto type = RankedTensorType::get(shape, f32());
    return tosa::ConstOp::create(b, loc, type, DenseElementsAttr::get(type, data));
  }
  Value zeroPoint() { return constant({1}, {0.0f}); }
  Value constShape(ArrayRef<int64_t> shape) {
    auto type = RankedTensorType::get({int64_t(shape.size())}, b.getIndexType());
    return tosa::ConstShapeOp::create(b, loc, tosa::shapeType::get(ctx, shape.size()),
                                      DenseIntElementsAttr::get(type, shape));
  }

  // --- helpers -----------------------------------------------------------
  Value input(const onnx::NodeProto &node, int i);
  std::optional<Value> optionalInput(const onnx::NodeProto &node, int i);
  /// `v` in `shape`; a constant is reshaped here, so that later passes
  /// (the quantizer) see a plain constant weight or bias.
  Value reshape(Value v, ArrayRef<int64_t> shape) {
    if (shapeOf(v) == shape)
      return v;
    auto type = RankedTensorType::get(shape, f32());
    if (auto c = v.getDefiningOp<tosa::ConstOp>())
      if (auto data = dyn_cast<DenseElementsAttr>(c.getValues()))
        return tosa::ConstOp::create(b, loc, type, data.reshape(type));
    return tosa::ReshapeOp::create(b, loc, type, v, constShape(shape));
  }
  /// Both operands at the broadcast rank (leading 1s), and the result shape.
  std::pair<Value, Value> broadcast(Value a, Value c, SmallVector<int64_t> &shape);
  /// [M,K] x [K,N] [+ bias broadcast over rows] as a batch-1 tosa.matmul
  /// and a bias add on [1, M, N] (the form qopt quantizes), then [M, N].
  Value matmul2d(Value a, Value w, std::optional<Value> bias = std::nullopt);
  static const onnx::AttributeProto *attr(const onnx::NodeProto &n, StringRef name) {
    for (const auto &a : n.attribute())
      if (a.name() == name)
        return &a;
    return nullptr;
  }
  static int64_t intAttr(const onnx::NodeProto &n, StringRef name, int64_t dflt) {
    auto *a = attr(n, name);
    return a ? a->i() : dflt;
  }
  static float floatAttr(const onnx::NodeProto &n, StringRef name, float dflt) {
    auto *a = attr(n, name);
    return a ? a->f() : dflt;
  }
  /// The values of an input that must be a constant (initializer or Constant).
  const onnx::TensorProto &constantInput(const onnx::NodeProto &node, int i);
  Value clamp(Value x, float lo, float hi) {
    return tosa::ClampOp::create(b, loc, typeOf(x), x, b.getF32FloatAttr(lo),
                                 b.getF32FloatAttr(hi));
  }

  void importNode(const onnx::NodeProto &node);
  RankedTensorType inputType(const onnx::ValueInfoProto &info);
};

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
  if (t.data_type() != onnx::TensorProto::INT64)
    fail("tensor '" + t.name() + "' is not int64");
  size_t n = 1;
  for (int64_t d : t.dims())
    n *= d;
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
    return it->second;
  auto init = initializers.find(node.input(i));
  if (init == initializers.end())
    fail("input '" + node.input(i) + "' is not defined before this node");
  std::vector<float> data = floats(*init->second);
  SmallVector<int64_t> shape(init->second->dims().begin(), init->second->dims().end());
  Value v = constant(shape, data);
  values[node.input(i)] = v;
  return v;
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

Value Importer::matmul2d(Value a, Value w, std::optional<Value> bias) {
  int64_t m = shapeOf(a)[0], k = shapeOf(a)[1], n = shapeOf(w)[1];
  if (shapeOf(w)[0] != k)
    fail("inner dimensions differ (" + Twine(k) + " and " + Twine(shapeOf(w)[0]) + ")");
  Value a3 = reshape(a, {1, m, k}), w3 = reshape(w, {1, k, n});
  Value zp = zeroPoint();
  auto type = RankedTensorType::get({1, m, n}, f32());
  Value y = tosa::MatMulOp::create(b, loc, type, a3, w3, zp, zp);
  if (bias) {
    // A bias of N values (or one) per row; other broadcasts add on [M, N].
    int64_t size = typeOf(*bias).getNumElements();
    if (size == n || size == 1) {
      Value b3 = reshape(*bias, {1, 1, size});
      y = tosa::AddOp::create(b, loc, type, y, b3);
    } else {
      SmallVector<int64_t> shape;
      auto [x, c] = broadcast(reshape(y, {m, n}), *bias, shape);
      return tosa::AddOp::create(b, loc, RankedTensorType::get(shape, f32()), x, c);
    }
  }
  return reshape(y, {m, n});
}

void Importer::importNode(const onnx::NodeProto &node) {
  StringRef op = node.op_type();
  Value result;
  auto binary = [&](auto tag) {
    SmallVector<int64_t> shape;
    auto [x, y] = broadcast(input(node, 0), input(node, 1), shape);
    return decltype(tag)::create(b, loc, RankedTensorType::get(shape, f32()), x, y);
  };
  if (op == "Identity" || op == "Dropout") {
    result = input(node, 0);
  } else if (op == "Relu") {
    result = clamp(input(node, 0), 0.0f, FLT_MAX);
  } else if (op == "Clip") {
    float lo = -FLT_MAX, hi = FLT_MAX;
    if (opset < 11) {
      lo = floatAttr(node, "min", lo);
      hi = floatAttr(node, "max", hi);
    } else {
      if (node.input_size() > 1 && !node.input(1).empty())
        lo = floats(constantInput(node, 1)).at(0);
      if (node.input_size() > 2 && !node.input(2).empty())
        hi = floats(constantInput(node, 2)).at(0);
    }
    result = clamp(input(node, 0), lo, hi);
  } else if (op == "Sigmoid") {
    Value x = input(node, 0);
    result = tosa::SigmoidOp::create(b, loc, typeOf(x), x);
  } else if (op == "Tanh") {
    Value x = input(node, 0);
    result = tosa::TanhOp::create(b, loc, typeOf(x), x);
  } else if (op == "Add") {
    result = binary(tosa::AddOp());
  } else if (op == "Sub") {
    result = binary(tosa::SubOp());
  } else if (op == "Mul" || op == "Div") {
    SmallVector<int64_t> shape;
    auto [x, y] = broadcast(input(node, 0), input(node, 1), shape);
    if (op == "Div")
      y = tosa::ReciprocalOp::create(b, loc, typeOf(y), y);
    auto shiftType = RankedTensorType::get({1}, b.getI8Type());
    Value shift = tosa::ConstOp::create(b, loc, shiftType,
                                        DenseElementsAttr::get(shiftType, int8_t(0)));
    result = tosa::MulOp::create(b, loc, RankedTensorType::get(shape, f32()), x, y, shift);
  } else if (op == "MatMul") {
    Value a = input(node, 0), w = input(node, 1);
    if (shapeOf(a).size() != 2 || shapeOf(w).size() != 2)
      fail("only 2-D MatMul is supported yet");
    result = matmul2d(a, w);
  } else if (op == "Gemm") {
    Value a = input(node, 0), w = input(node, 1);
    if (shapeOf(a).size() != 2 || shapeOf(w).size() != 2)
      fail("Gemm operands must be 2-D");
    // Constant weights are transposed here, so that later passes (the
    // quantizer) see a plain constant.
    auto transpose = [&](Value v) -> Value {
      int64_t rows = shapeOf(v)[0], cols = shapeOf(v)[1];
      DenseElementsAttr data;
      if (auto c = v.getDefiningOp<tosa::ConstOp>())
        data = dyn_cast<DenseElementsAttr>(c.getValues());
      if (data) {
        auto values = llvm::to_vector(data.getValues<float>());
        std::vector<float> t(values.size());
        for (int64_t r = 0; r < rows; ++r)
          for (int64_t c = 0; c < cols; ++c)
            t[c * rows + r] = values[r * cols + c];
        return constant({cols, rows}, t);
      }
      return tosa::TransposeOp::create(b, loc, RankedTensorType::get({cols, rows}, f32()),
                                       v, b.getDenseI32ArrayAttr({1, 0}));
    };
    if (intAttr(node, "transA", 0))
      a = transpose(a);
    if (intAttr(node, "transB", 0))
      w = transpose(w);
    float alpha = floatAttr(node, "alpha", 1.0f), beta = floatAttr(node, "beta", 1.0f);
    if (alpha != 1.0f)
      fail("alpha != 1 is not supported yet");
    std::optional<Value> c = optionalInput(node, 2);
    if (c && beta != 1.0f)
      fail("beta != 1 is not supported yet");
    result = matmul2d(a, w, c);
  } else if (op == "Flatten") {
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
  } else if (op == "Reshape") {
    Value x = input(node, 0);
    std::vector<int64_t> shape = ints(constantInput(node, 1));
    int64_t known = 1, unknown = -1, total = typeOf(x).getNumElements();
    for (size_t d = 0; d < shape.size(); ++d) {
      if (shape[d] == 0 && !intAttr(node, "allowzero", 0))
        shape[d] = shapeOf(x)[d];
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
  } else if (op == "Softmax") {
    Value x = input(node, 0);
    int64_t rank = shapeOf(x).size();
    int64_t axis = intAttr(node, "axis", opset >= 13 ? -1 : 1);
    if (axis < 0)
      axis += rank;
    if (axis != rank - 1)
      fail("only a softmax over the last axis is supported yet");
    SmallVector<int64_t> reduced(shapeOf(x));
    reduced[axis] = 1;
    auto rType = RankedTensorType::get(reduced, f32());
    auto axisAttr = b.getI32IntegerAttr(axis);
    Value mx = tosa::ReduceMaxOp::create(b, loc, rType, x, axisAttr);
    Value shifted = tosa::SubOp::create(b, loc, typeOf(x), x, mx);
    Value e = tosa::ExpOp::create(b, loc, typeOf(x), shifted);
    Value s = tosa::ReduceSumOp::create(b, loc, rType, e, axisAttr);
    Value r = tosa::ReciprocalOp::create(b, loc, rType, s);
    auto shiftType = RankedTensorType::get({1}, b.getI8Type());
    Value shift = tosa::ConstOp::create(b, loc, shiftType,
                                        DenseElementsAttr::get(shiftType, int8_t(0)));
    result = tosa::MulOp::create(b, loc, typeOf(x), e, r, shift);
  } else {
    fail("op type not supported by qopt's importer");
  }
  if (node.output_size() < 1)
    fail("the node has no output");
  values[node.output(0)] = result;
}

RankedTensorType Importer::inputType(const onnx::ValueInfoProto &info) {
  const auto &t = info.type().tensor_type();
  if (t.elem_type() != onnx::TensorProto::FLOAT)
    fail("graph input '" + info.name() + "' is not float32");
  SmallVector<int64_t> shape;
  auto over = options.inputShapes.find(info.name());
  if (over != options.inputShapes.end()) {
    shape.assign(over->second.begin(), over->second.end());
  } else {
    for (const auto &d : t.shape().dim()) {
      if (!d.has_dim_value() || d.dim_value() <= 0)
        fail("graph input '" + info.name() + "' has a dimension that is not fixed (" +
             (d.has_dim_param() ? "'" + d.dim_param() + "'" : std::string("unknown")) +
             "); give its shape with --input-shape=" + info.name() + ":1x...");
      shape.push_back(d.dim_value());
    }
  }
  return RankedTensorType::get(shape, f32());
}

OwningOpRef<ModuleOp> Importer::run(const onnx::ModelProto &model) {
  for (const auto &set : model.opset_import())
    if (set.domain().empty() || set.domain() == "ai.onnx")
      opset = set.version();
  const onnx::GraphProto &graph = model.graph();
  for (const auto &init : graph.initializer())
    initializers[init.name()] = &init;
  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc());
  std::string where = "graph";
  try {
    if (opset < 9 || opset > 17)
      fail("opset " + Twine(opset) + " is outside the opsets qopt imports (9 to 17)");
    SmallVector<Type> argTypes;
    SmallVector<const onnx::ValueInfoProto *> args;
    for (const auto &in : graph.input()) {
      if (initializers.count(in.name()))
        continue; // opset < 10 lists initializers as inputs too
      args.push_back(&in);
      argTypes.push_back(inputType(in));
    }
    b.setInsertionPointToEnd(module->getBody());
    auto func = func::FuncOp::create(b, fileLoc(), "main",
                                     b.getFunctionType(argTypes, {}));
    Block *body = func.addEntryBlock();
    for (auto [i, in] : llvm::enumerate(args)) {
      values[in->name()] = body->getArgument(i);
      func.setArgAttr(i, "qt.name", b.getStringAttr(in->name()));
    }
    b.setInsertionPointToEnd(body);
    std::vector<onnx::TensorProto> constants; // Constant nodes' values
    constants.reserve(graph.node_size());
    for (const auto &[index, node] : llvm::enumerate(graph.node())) {
      std::string name = node.name().empty()
                             ? (node.op_type() + "_" + std::to_string(index))
                             : node.name();
      where = "node '" + name + "' (" + node.op_type() + ", opset " +
              std::to_string(opset) + ")";
      loc = NameLoc::get(b.getStringAttr(name), fileLoc());
      if (!node.domain().empty() && node.domain() != "ai.onnx")
        fail("the domain '" + node.domain() + "' is not supported");
      if (node.op_type() == "Constant") {
        const auto *value = attr(node, "value");
        if (!value || !value->has_t())
          fail("only tensor-valued Constant nodes are supported");
        constants.push_back(value->t());
        constants.back().set_name(node.output(0));
        initializers[node.output(0)] = &constants.back();
        continue;
      }
      importNode(node);
    }
    where = "graph";
    SmallVector<Value> results;
    for (const auto &out : graph.output()) {
      auto it = values.find(out.name());
      if (it == values.end())
        fail("graph output '" + out.name() + "' is not computed by any supported node");
      results.push_back(it->second);
    }
    func::ReturnOp::create(b, fileLoc(), results);
    func.setType(b.getFunctionType(argTypes, ValueRange(results).getTypes()));
    for (auto [i, out] : llvm::enumerate(graph.output()))
      func.setResultAttr(i, "qt.name", b.getStringAttr(out.name()));
  } catch (const ImportError &e) {
    emitError(fileLoc()) << where << ": " << e.message;
    return nullptr;
  }
  if (failed(module->verify()))
    return nullptr;
  return module;
}

} // namespace

OwningOpRef<ModuleOp> qopt::importONNX(StringRef path, MLIRContext *context,
                                       const ONNXImportOptions &options) {
  context->loadDialect<func::FuncDialect, tosa::TosaDialect>();
  Location fileLoc = FileLineColLoc::get(context, path, 0, 0);
  auto buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer) {
    emitError(fileLoc) << "cannot read the file: " << buffer.getError().message();
    return nullptr;
  }
  onnx::ModelProto model;
  if (!model.ParseFromArray((*buffer)->getBufferStart(),
                            static_cast<int>((*buffer)->getBufferSize()))) {
    emitError(fileLoc) << "not an ONNX model (the protobuf does not parse; "
                          "truncated or another format?)";
    return nullptr;
  }
  try {
    onnx::checker::check_model(model);
    onnx::shape_inference::InferShapes(model);
  } catch (const std::exception &e) {
    emitError(fileLoc) << "ONNX's checker rejects the model: " << e.what();
    return nullptr;
  }
  return Importer(context, path, options).run(model);
}
