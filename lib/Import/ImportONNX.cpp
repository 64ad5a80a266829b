//===- ImportONNX.cpp - ONNX models to TOSA MLIR ----------------*- C++ -*-===//
//
// A graph becomes one func.func @main with static shapes. Each node is
// imported by the handler the op registry (OpRegistry.cpp) holds for its op
// type, as TOSA 1.0 (and qt) ops; anything else is an error naming the
// node, its op type and the model's opset, so that no partial model is
// ever written. Importer.h lists where the handlers and helpers live.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"
#include "qopt/Dialect/QT/IR/QTAttributes.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/MemoryBuffer.h"



using namespace mlir;

namespace qopt::onnx_import {

void Importer::importNode(const onnx::NodeProto &node) {
  const OpEntry *entry = findOp(node.op_type());
  if (!entry)
    fail("op type not supported by qopt's importer");
  if (!entry->handler)
    fail("imported only when its inputs are constants (shape arithmetic, folded at import)");
  if (opset < entry->minOpset || opset > entry->maxOpset)
    fail("qopt imports " + node.op_type() + " from opset " + Twine(entry->minOpset) + " to " +
         Twine(entry->maxOpset));
  foldedBatchNorm = nullptr;
  Imported result = (this->*entry->handler)(node);
  if (node.output_size() < 1)
    fail("the node has no output");
  (result.nhwc ? nhwcValues : values)[node.output(0)] = result.value;
  if (foldedBatchNorm) {
    (result.nhwc ? nhwcValues : values)[foldedBatchNorm->output(0)] = result.value;
    foldedNodes.insert(foldedBatchNorm);
  }
}

RankedTensorType Importer::inputType(const onnx::ValueInfoProto &info) {
  const auto &t = info.type().tensor_type();
  if (t.elem_type() != onnx::TensorProto::FLOAT && !isInt8Tensor(t.elem_type()) &&
      t.elem_type() != onnx::TensorProto::INT32)
    fail("graph input '" + info.name() + "' is neither float32 nor uint8 / int8 / int32");
  SmallVector<int64_t> shape;
  auto over = options.inputShapes.find(info.name());
  if (over != options.inputShapes.end()) {
    shape.assign(over->second.begin(), over->second.end());
    // --input-shape fills in open dimensions; it may not contradict the
    // file's rank or its fixed dimensions.
    const std::string given = "--input-shape=" + info.name() + ":" +
                              llvm::join(llvm::map_range(shape, [](int64_t d) {
                                           return std::to_string(d);
                                         }),
                                         "x");
    if (t.has_shape() && t.shape().dim_size() != int64_t(shape.size()))
      fail(given + " gives " + std::to_string(shape.size()) + " dimensions; graph input '" +
           info.name() + "' has " + std::to_string(t.shape().dim_size()));
    for (int i = 0, e = t.has_shape() ? t.shape().dim_size() : 0; i < e; ++i) {
      const auto &d = t.shape().dim(i);
      if (d.has_dim_value() && d.dim_value() > 0 && d.dim_value() != shape[i])
        fail(given + " changes dimension " + std::to_string(i) + " of graph input '" +
             info.name() + "', which the model fixes at " + std::to_string(d.dim_value()));
    }
    int64_t elements = 1;
    for (int64_t d : shape)
      if (llvm::MulOverflow(elements, d, elements) || elements > (int64_t(1) << 40))
        fail(given + ": more than 2^40 elements");
  } else {
    for (const auto &d : t.shape().dim()) {
      if (!d.has_dim_value() || d.dim_value() <= 0)
        fail("graph input '" + info.name() + "' has a dimension that is not fixed (" +
             (d.has_dim_param() ? "'" + d.dim_param() + "'" : std::string("unknown")) +
             "); give its shape with --input-shape=" + info.name() + ":1x...");
      shape.push_back(d.dim_value());
    }
  }
  return RankedTensorType::get(shape, t.elem_type() == onnx::TensorProto::FLOAT ? f32()
                                      : t.elem_type() == onnx::TensorProto::INT32
                                          ? Type(b.getI32Type())
                                          : Type(b.getI8Type()));
}

OwningOpRef<ModuleOp> Importer::run(const onnx::ModelProto &model) {
  for (const auto &set : model.opset_import())
    if (set.domain().empty() || set.domain() == "ai.onnx")
      opset = set.version();
  const onnx::GraphProto &graph = model.graph();
  for (const auto &init : graph.initializer())
    initializers[init.name()] = &init;
  for (const auto &node : graph.node()) {
    for (const auto &in : node.input())
      if (!in.empty())
        ++consumers[in];
    if (node.op_type() == "BatchNormalization" && node.input_size() > 0)
      batchNormOf[node.input(0)] = &node;
  }
  for (const auto &out : graph.output())
    ++consumers[out.name()];
  findDynamicPatterns(graph);
  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc());
  std::string where = "graph";
  try {
    if (opset < 1 || opset > kMaxOpset)
      fail("opset " + Twine(opset) + " is outside the opsets qopt imports (1 to " +
           Twine(kMaxOpset) + ")");
    SmallVector<Type> argTypes;
    SmallVector<const onnx::ValueInfoProto *> args;
    for (const auto &in : graph.input()) {
      if (initializers.count(in.name()))
        continue; // opset < 10 lists initializers as inputs too
      args.push_back(&in);
      argTypes.push_back(inputType(in));
    }
    for (const auto &entry : options.inputShapes) {
      const std::string &name = entry.first;
      if (llvm::none_of(args, [&](const onnx::ValueInfoProto *in) { return in->name() == name; }))
        fail("--input-shape names '" + name + "', which is not a graph input (inputs: " +
             llvm::join(llvm::map_range(args, [](const onnx::ValueInfoProto *in) {
                          return in->name();
                        }),
                        ", ") +
             ")");
    }
    b.setInsertionPointToEnd(module->getBody());
    auto func = func::FuncOp::create(b, fileLoc(), "main",
                                     b.getFunctionType(argTypes, {}));
    Block *body = func.addEntryBlock();
    for (auto [i, in] : llvm::enumerate(args)) {
      values[in->name()] = body->getArgument(i);
      func.setArgAttr(i, qopt::kNameAttrName, b.getStringAttr(in->name()));
    }
    b.setInsertionPointToEnd(body);
    // uint8 inputs (qt.unsigned) are carried as int8 minus 128.
    for (auto [i, in] : llvm::enumerate(args))
      if (in->type().tensor_type().elem_type() == onnx::TensorProto::UINT8) {
        unsignedNames.insert(in->name());
        func.setArgAttr(i, qopt::kUnsignedAttrName, b.getUnitAttr());
        values[in->name()] = xorSignBit(body->getArgument(i));
      }
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
      if (foldedNodes.count(&node))
        continue; // a BatchNormalization folded into its Conv
      if (opset < 9)
        checkLegacyAttributes(node);
      if (std::optional<onnx::TensorProto> folded = foldShapeComputation(node)) {
        constants.push_back(std::move(*folded));
        constants.back().set_name(node.output(0));
        initializers[node.output(0)] = &constants.back();
        continue;
      }
      importNode(node);
    }
    where = "graph";
    SmallVector<Value> results;
    for (const auto &out : graph.output()) {
      if (!values.count(out.name()) && !nhwcValues.count(out.name()) &&
          !initializers.count(out.name()))
        fail("graph output '" + out.name() + "' is not computed by any supported node");
      onnx::NodeProto reader;
      reader.add_input(out.name());
      int32_t type = out.type().tensor_type().elem_type();
      if (isInt8Tensor(type)) {
        // Quantized outputs leave as their integers; uint8 with 128 added.
        bool nhwc;
        Value q = rawInput(reader, 0, nhwc);
        if (nhwc)
          q = toNCHW(q);
        if (!isa<quant::QuantizedType>(typeOf(q).getElementType()) &&
            !typeOf(q).getElementType().isSignlessInteger(8))
          fail("graph output '" + out.name() + "' is not an integer tensor");
        if (isa<quant::QuantizedType>(typeOf(q).getElementType()))
          q = quant::StorageCastOp::create(b, loc, typeOf(q).clone(b.getI8Type()), q);
        results.push_back(type == onnx::TensorProto::UINT8 ? xorSignBit(q) : q);
        continue;
      }
      results.push_back(anyInput(reader, 0));
    }
    func::ReturnOp::create(b, fileLoc(), results);
    func.setType(b.getFunctionType(argTypes, ValueRange(results).getTypes()));
    for (auto [i, out] : llvm::enumerate(graph.output())) {
      func.setResultAttr(i, qopt::kNameAttrName, b.getStringAttr(out.name()));
      if (out.type().tensor_type().elem_type() == onnx::TensorProto::UINT8)
        func.setResultAttr(i, qopt::kUnsignedAttrName, b.getUnitAttr());
    }
  } catch (const ImportError &e) {
    emitError(fileLoc()) << where << ": " << e.message;
    return nullptr;
  } catch (const std::exception &e) { // e.g. protobuf accessors on bad data
    emitError(fileLoc()) << where << ": " << e.what();
    return nullptr;
  }
  if (failed(module->verify()))
    return nullptr;
  return module;
}

} // namespace qopt::onnx_import

using namespace qopt::onnx_import;

OwningOpRef<ModuleOp> qopt::importONNX(StringRef path, MLIRContext *context,
                                       const ONNXImportOptions &options) {
  context->loadDialect<func::FuncDialect, tosa::TosaDialect, quant::QuantDialect,
                       qopt::qt::QTDialect>();
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
  if (std::string error = loadExternalData(model, path); !error.empty()) {
    emitError(fileLoc) << error;
    return nullptr;
  }
  if (std::string bad = badWindow(model.graph()); !bad.empty()) {
    emitError(fileLoc) << bad;
    return nullptr;
  }
  if (std::string error = checkAndInferShapes(model); !error.empty()) {
    emitError(fileLoc) << error;
    return nullptr;
  }
  return Importer(context, path, options).run(model);
}
