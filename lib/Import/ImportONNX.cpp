//===- ImportONNX.cpp - ONNX models to TOSA MLIR ----------------*- C++ -*-===//
//
// A graph becomes one func.func @main on float32 tensors with static shapes.
// Each supported ONNX op is emitted as TOSA 1.0 ops; anything else is an
// error naming the node, its op type and the model's opset, so that no
// partial model is ever written.
//
//===----------------------------------------------------------------------===//

#include "qopt/Import/ONNX.h"
#include "qopt/Dialect/QT/IR/QTOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include "onnx/checker.h"
#include "onnx/onnx_pb.h"
#include "onnx/shape_inference/implementation.h"

#include <cfloat>
#include <cmath>
#include <algorithm>
#include <cstring>
#include <deque>
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
  /// Each ONNX value in ONNX's layout; 4-D activations computed by spatial
  /// ops are kept in NHWC instead (nhwcValues) and transposed back only for
  /// an op that needs NCHW, so chains of convolutions, elementwise ops and
  /// pools never transpose.
  llvm::StringMap<Value> values, nhwcValues;
  llvm::StringMap<const onnx::TensorProto *> initializers;
  /// How many nodes (and graph outputs) read each value.
  llvm::StringMap<int> consumers;
  /// The BatchNormalization node reading each value, and the ones folded
  /// into the Conv that produces their input.
  llvm::StringMap<const onnx::NodeProto *> batchNormOf;
  llvm::DenseSet<const onnx::NodeProto *> foldedNodes;
  /// Constant nodes' values and tensors folded at import, by output name in
  /// `initializers`.
  std::deque<onnx::TensorProto> constants;

  // --- quantized values (QuantizeLinear / DequantizeLinear, QLinear*) ------
  /// Scales and zero points of a quantized ONNX tensor. uint8 is expressed
  /// as int8 with z - 128 (the same real values; q - 128 fits int8).
  struct OnnxQuant {
    std::vector<float> scales;
    std::vector<int64_t> zeroPoints; // in int8 terms
    int64_t axis = -1;               // per tensor
    int32_t type = onnx::TensorProto::UINT8;
    bool isUnsigned() const { return type == onnx::TensorProto::UINT8; }
  };
  /// The scale (input `scaleIndex`) and zero point (`zpIndex`, optional) of
  /// a quantized operand of `node`, for a tensor of rank `rank`.
  /// `fixedAxis` is the axis of QLinear* weights (which have no attribute).
  OnnxQuant quantOperands(const onnx::NodeProto &node, int scaleIndex, int zpIndex,
                          int64_t rank, int64_t fixedAxis = -1);
  /// The quantized element type of an activation (per tensor, or per axis).
  quant::QuantizedType int8Type(const OnnxQuant &q);
  /// `v` (quantized, or an integer graph input) as a value of quantized
  /// type `q`: an integer tensor takes the type; a quantized one must have it.
  Value asQuantized(Value v, const OnnxQuant &q);
  /// Integer ONNX tensor types qopt carries as i8 (uint8 with 128 subtracted).
  static bool isInt8Tensor(int32_t type) {
    return type == onnx::TensorProto::UINT8 || type == onnx::TensorProto::INT8;
  }
  Value xorSignBit(Value v) {
    SmallVector<int64_t> ones(shapeOf(v).size(), 1);
    auto type = RankedTensorType::get(ones, b.getI8Type());
    Value c = tosa::ConstOp::create(b, loc, type, DenseElementsAttr::get(type, int8_t(-128)));
    return tosa::BitwiseXorOp::create(b, loc, typeOf(v), v, c);
  }
  /// Weights given as integers in the file: their float constant's Value ->
  /// the file's scales, so that qt-quantize-int8 keeps the file's integers.
  llvm::DenseMap<Value, OnnxQuant> weightQuant;
  /// (q - z) * s of an integer constant, as a float constant.
  Value dequantizedConstant(const onnx::TensorProto &t, const OnnxQuant &q);
  /// Records on `op` (a tosa.conv2d, depthwise_conv2d or matmul) the
  /// per-output-channel scales of `weight` when it came from integers with
  /// zero zero points quantized along `outputAxis` (or per tensor).
  void attachWeightScales(Operation *op, Value weight, int64_t outputAxis, int64_t channels);
  /// A quantized value as float (qt.dequantize); float values as they are.
  Value floatOf(Value v);
  /// The value of input i as stored (quantized values stay quantized).
  Value rawInput(const onnx::NodeProto &node, int i, bool &nhwc);
  /// ONNX values of type uint8 (carried as int8 minus 128), by name.
  llvm::StringSet<> unsignedNames;
  /// Operand i of MatMulInteger / ConvInteger as an i8 tensor (uint8 minus
  /// 128), and its zero point (input zpIndex, or 0) in the same terms.
  std::pair<Value, int64_t> integerOperand(const onnx::NodeProto &node, int i, int zpIndex,
                                           bool &nhwc);
  /// MatMulInteger / ConvInteger: TOSA's int8 matmul / conv2d, int32 results.
  Value integerMatmul(const onnx::NodeProto &node);
  Value integerConv(const onnx::NodeProto &node);
  /// Set by matmul2d: the tosa.matmul it created.
  Operation *lastMatmul = nullptr;
  llvm::DenseMap<Value, Value> floatCopies; // floatOf's dequantized values
  Location loc = UnknownLoc::get(ctx);

  Location fileLoc() { return FileLineColLoc::get(ctx, path, 0, 0); }
  [[noreturn]] static void fail(const Twine &message) { throw ImportError{message.str()}; }

  Type f32() { return b.getF32Type(); }
  static RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }
  static ArrayRef<int64_t> shapeOf(Value v) { return typeOf(v).getShape(); }

  // --- constants ---------------------------------------------------------
  static std::vector<float> floats(const onnx::TensorProto &t);
  static std::vector<int64_t> ints(const onnx::TensorProto &t);
  static float scalar(const onnx::TensorProto &t) {
    std::vector<float> v = floats(t);
    if (v.size() != 1)
      fail("tensor '" + t.name() + "' must hold one value");
    return v[0];
  }
  Value constant(ArrayRef<int64_t> shape, ArrayRef<float> data) {
    auto type = RankedTensorType::get(shape, f32());
    return tosa::ConstOp::create(b, loc, type, DenseElementsAttr::get(type, data));
  }
  Value zeroPoint() { return constant({1}, {0.0f}); }
  /// tosa.mul on float tensors (its shift operand is 0).
  Value mul(RankedTensorType type, Value x, Value y) {
    auto shiftType = RankedTensorType::get({1}, b.getI8Type());
    Value shift = tosa::ConstOp::create(b, loc, shiftType,
                                        DenseElementsAttr::get(shiftType, int8_t(0)));
    return tosa::MulOp::create(b, loc, type, x, y, shift);
  }
  Value constShape(ArrayRef<int64_t> shape) {
    auto type = RankedTensorType::get({int64_t(shape.size())}, b.getIndexType());
    return tosa::ConstShapeOp::create(b, loc, tosa::shapeType::get(ctx, shape.size()),
                                      DenseIntElementsAttr::get(type, shape));
  }

  // --- helpers -----------------------------------------------------------
  Value input(const onnx::NodeProto &node, int i);
  Value input0Raw(const onnx::NodeProto &node) {
    bool nhwc;
    Value v = rawInput(node, 0, nhwc);
    return nhwc ? toNCHW(v) : v;
  }
  /// Add / Sub / Mul / Div of integer tensors, wrapping as ONNX (numpy):
  /// computed in int32; uint8 / int8 results reduced modulo 256.
  Value integerArithmetic(const onnx::NodeProto &node);
  /// Whether input 0 is a plain integer tensor (not a quantized one).
  bool hasIntegerInput(const onnx::NodeProto &node) {
    bool nhwc;
    return node.input_size() > 0 && !initializers.count(node.input(0)) &&
           isa<IntegerType>(typeOf(rawInput(node, 0, nhwc)).getElementType());
  }
  /// Input i for an op that only moves data: integer tensors as they are.
  Value anyInput(const onnx::NodeProto &node, int i) {
    bool nhwc;
    Value v = rawInput(node, i, nhwc);
    if (!isa<IntegerType>(typeOf(v).getElementType()))
      return input(node, i);
    return nhwc ? values[node.input(i)] = toNCHW(v) : v;
  }
  std::optional<Value> optionalInput(const onnx::NodeProto &node, int i);
  /// `v` in `shape`; a constant is reshaped here, so that later passes
  /// (the quantizer) see a plain constant weight or bias.
  Value reshape(Value v, ArrayRef<int64_t> shape) {
    if (shapeOf(v) == shape)
      return v;
    if (auto q = dyn_cast<quant::QuantizedType>(typeOf(v).getElementType())) {
      Value storage = quant::StorageCastOp::create(b, loc, typeOf(v).clone(b.getI8Type()), v);
      Value moved = reshape(storage, shape);
      return quant::StorageCastOp::create(b, loc, typeOf(moved).clone(q), moved);
    }
    auto type = typeOf(v).clone(shape);
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
  /// numpy.matmul: 1-D operands, and batch dimensions that broadcast. A 2-D
  /// right operand makes one fully connected layer of all rows.
  Value matmulND(Value a, Value w);
  /// `v` broadcast to `shape` (same rank) with tosa.tile.
  Value broadcastTo(Value v, ArrayRef<int64_t> shape);
  /// ConvTranspose (group 1) as tosa.transpose_conv2d on NHWC.
  Value convTranspose(const onnx::NodeProto &node);
  /// Resize / Upsample of H and W (nearest, linear, cubic) on NHWC: per axis
  /// a gather of the source rows each output row reads, weighted.
  Value resize(const onnx::NodeProto &node);
  /// The rows `index` of `x` along `axis`, with tosa.gather.
  Value gatherAxis(Value x, int axis, ArrayRef<int64_t> index);
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

  /// NCHW <-> NHWC around TOSA's spatial ops (ONNX is NCHW).
  /// A transpose that moves only unit dimensions is a reshape; constants
  /// are transposed here.
  Value transpose(Value v, ArrayRef<int32_t> perms) {
    // Quantized values move as their integers.
    if (auto q = dyn_cast<quant::QuantizedType>(typeOf(v).getElementType())) {
      Value storage = quant::StorageCastOp::create(b, loc, typeOf(v).clone(b.getI8Type()), v);
      Value moved = transpose(storage, perms);
      return quant::StorageCastOp::create(b, loc, typeOf(moved).clone(q), moved);
    }
    SmallVector<int64_t> shape;
    SmallVector<int32_t> moved;
    for (int32_t p : perms) {
      shape.push_back(shapeOf(v)[p]);
      if (shapeOf(v)[p] != 1)
        moved.push_back(p);
    }
    if (llvm::is_sorted(moved))
      return reshape(v, shape);
    if (auto data = constantData(v)) {
      SmallVector<int64_t> inStrides(perms.size(), 1);
      for (int64_t d = int64_t(perms.size()) - 2; d >= 0; --d)
        inStrides[d] = inStrides[d + 1] * shapeOf(v)[d + 1];
      std::vector<float> out(data->size());
      SmallVector<int64_t> index(perms.size(), 0);
      for (size_t i = 0; i < out.size(); ++i) {
        int64_t from = 0;
        for (size_t d = 0; d < perms.size(); ++d)
          from += index[d] * inStrides[perms[d]];
        out[i] = (*data)[from];
        for (int64_t d = int64_t(perms.size()) - 1; d >= 0 && ++index[d] == shape[d]; --d)
          index[d] = 0;
      }
      return constant(shape, out);
    }
    return tosa::TransposeOp::create(b, loc, typeOf(v).clone(shape), v,
                                     b.getDenseI32ArrayAttr(perms));
  }
  Value toNHWC(Value v) { return transpose(v, {0, 2, 3, 1}); }
  Value toNCHW(Value v) { return transpose(v, {0, 3, 1, 2}); }
  /// NCHW axis -> NHWC axis.
  static int64_t nhwcAxis(int64_t d) { return d == 0 ? 0 : d == 1 ? 3 : d - 1; }
  bool hasNHWC(const onnx::NodeProto &node, int i) {
    return i < node.input_size() && nhwcValues.count(node.input(i));
  }
  /// Input i of a 4-D op in NHWC (transposed if it was computed in NCHW).
  Value inputNHWC(const onnx::NodeProto &node, int i);
  /// A constant operand's values, or failure if it is not a constant.
  static std::optional<std::vector<float>> constantData(Value v) {
    auto c = v.getDefiningOp<tosa::ConstOp>();
    auto data = c ? dyn_cast<DenseElementsAttr>(c.getValues()) : DenseElementsAttr();
    if (!data)
      return std::nullopt;
    auto values = data.getValues<float>();
    return std::vector<float>(values.begin(), values.end());
  }
  /// The spatial window of a Conv or pooling node on an NCHW input: TOSA's
  /// [top, bottom, left, right] pads (auto_pad resolved, and trimmed so that
  /// the window positions divide exactly, as TOSA requires), strides,
  /// dilations and the output size.
  struct Window {
    SmallVector<int64_t> pad, stride, dilation, out;
    SmallVector<int64_t> trim = {0, 0}; // input rows / columns no window reads
  };
  Window window(const onnx::NodeProto &node, ArrayRef<int64_t> inHW, ArrayRef<int64_t> kernel);
  /// A Conv, pooling or GlobalAveragePool node on NHWC: its NHWC result.
  Value spatial(const onnx::NodeProto &node, StringRef op);
  /// The same ops on [N, C, L]: as 2-D ops on [N, C, 1, L]; an [N, C, L] result.
  Value spatial1d(const onnx::NodeProto &node);
  /// The BatchNormalization that alone reads `conv`'s output, with
  /// constant parameters, so that it folds into the weights; else null.
  const onnx::NodeProto *foldableBatchNorm(const onnx::NodeProto &conv);
  /// BatchNormalization at inference as y = x * scale + shift per channel.
  std::pair<std::vector<float>, std::vector<float>>
  batchNormAffine(const onnx::NodeProto &bn, int64_t channels);
  /// Set by spatial() when it folded a BatchNormalization into a Conv.
  const onnx::NodeProto *foldedBatchNorm = nullptr;

  void importNode(const onnx::NodeProto &node);
  /// Opsets before 9: the ops qopt imports kept their meaning, except
  /// where an older attribute changes it; those are rejected here.
  void checkLegacyAttributes(const onnx::NodeProto &node) {
    StringRef op = node.op_type();
    auto legacy = [&](StringRef name, StringRef why) {
      fail("the attribute '" + name + "' of opsets before 9 (" + why + ") is not supported");
    };
    if (attr(node, "consumed_inputs"))
      legacy("consumed_inputs", "opsets before 6");
    if (attr(node, "broadcast") &&
        (op == "Add" || op == "Sub" || op == "Mul" || op == "Div" || op == "Gemm"))
      legacy("broadcast", "limited broadcasting before opset 7");
    if (op == "BatchNormalization" && (attr(node, "is_test") || intAttr(node, "spatial", 1) != 1))
      legacy(attr(node, "is_test") ? "is_test" : "spatial", "before opset 9");
    if (op == "Reshape" && attr(node, "shape"))
      legacy("shape", "before opset 5");
    if (op == "Concat" && !attr(node, "axis"))
      fail("Concat without an axis (opsets before 4) is not supported");
  }
  /// Shape arithmetic on static shapes (Shape, and Cast, Slice, Concat,
  /// Unsqueeze of constants), as exporters emit for Flatten/Reshape: folded
  /// to a constant here. None when `node` is not such a computation.
  std::optional<onnx::TensorProto> foldShapeComputation(const onnx::NodeProto &node);
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

Importer::OnnxQuant Importer::quantOperands(const onnx::NodeProto &node, int scaleIndex,
                                            int zpIndex, int64_t rank, int64_t fixedAxis) {
  OnnxQuant q;
  const onnx::TensorProto &scale = constantInput(node, scaleIndex);
  q.scales = floats(scale);
  if (zpIndex < node.input_size() && !node.input(zpIndex).empty()) {
    const onnx::TensorProto &zp = constantInput(node, zpIndex);
    q.type = zp.data_type();
    q.zeroPoints = ints(zp);
  }
  if (q.zeroPoints.empty())
    q.zeroPoints.assign(q.scales.size(), 0);
  if (q.zeroPoints.size() != q.scales.size())
    fail("the zero point has " + Twine(q.zeroPoints.size()) + " values for " +
         Twine(q.scales.size()) + " scales");
  if (q.isUnsigned())
    for (int64_t &z : q.zeroPoints)
      z -= 128;
  else if (q.type != onnx::TensorProto::INT8 && !llvm::all_of(q.zeroPoints, [](int64_t z) { return z == 0; }))
    fail("only uint8 and int8 quantized tensors (and int32 with zero point 0) are supported");
  for (float sc : q.scales)
    if (!(sc > 0.0f) || !std::isfinite(sc) || !std::isnormal(sc))
      fail("a scale is " + Twine(std::to_string(sc)) + "; scales must be positive normal floats");
  if (scale.dims_size() == 1 && (q.scales.size() > 1 || opset >= 13)) {
    q.axis = fixedAxis >= 0 ? fixedAxis : intAttr(node, "axis", 1);
    if (q.axis < 0)
      q.axis += rank;
    if (q.axis < 0 || q.axis >= rank)
      fail("axis " + Twine(intAttr(node, "axis", 1)) + " is out of range");
  }
  if (q.scales.size() == 1)
    q.axis = -1;
  return q;
}

quant::QuantizedType Importer::int8Type(const OnnxQuant &q) {
  if (q.type != onnx::TensorProto::INT8 && q.type != onnx::TensorProto::UINT8)
    fail("activations must be quantized to uint8 or int8");
  if (q.axis >= 0) {
    SmallVector<double> scales(q.scales.begin(), q.scales.end());
    return quant::UniformQuantizedPerAxisType::get(quant::QuantizationFlags::Signed,
                                                   b.getI8Type(), f32(), scales, q.zeroPoints,
                                                   int32_t(q.axis), -128, 127);
  }
  return quant::UniformQuantizedType::get(quant::QuantizationFlags::Signed, b.getI8Type(), f32(),
                                          q.scales[0], q.zeroPoints[0], -128, 127);
}

Value Importer::asQuantized(Value v, const OnnxQuant &q) {
  quant::QuantizedType type = int8Type(q);
  Type element = typeOf(v).getElementType();
  if (element.isSignlessInteger(8))
    return quant::StorageCastOp::create(b, loc, typeOf(v).clone(type), v);
  if (element != type)
    fail("the scale and zero point differ from those the input was quantized with");
  return v;
}

Value Importer::dequantizedConstant(const onnx::TensorProto &t, const OnnxQuant &q) {
  std::vector<int64_t> values = ints(t);
  SmallVector<int64_t> shape(t.dims().begin(), t.dims().end());
  int64_t inner = 1, dim = 1;
  if (q.axis >= 0) {
    if (q.axis >= int64_t(shape.size()) || shape[q.axis] != int64_t(q.scales.size()))
      fail("tensor '" + t.name() + "' has no axis " + Twine(q.axis) + " of " +
           Twine(q.scales.size()) + " values for its scales");
    dim = shape[q.axis];
    for (size_t d = q.axis + 1; d < shape.size(); ++d)
      inner *= shape[d];
  }
  int64_t shift = t.data_type() == onnx::TensorProto::UINT8 ? 128 : 0;
  std::vector<float> out(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    size_t c = q.axis >= 0 ? (i / inner) % dim : 0;
    out[i] = float(values[i] - shift - q.zeroPoints[c]) * q.scales[c];
  }
  Value v = constant(shape, out);
  weightQuant[v] = q;
  return v;
}

void Importer::attachWeightScales(Operation *op, Value weight, int64_t outputAxis,
                                  int64_t channels) {
  auto it = weightQuant.find(weight);
  if (it == weightQuant.end() || (it->second.axis >= 0 && it->second.axis != outputAxis) ||
      !llvm::all_of(it->second.zeroPoints, [](int64_t z) { return z == 0; }))
    return;
  SmallVector<float> scales(it->second.scales.begin(), it->second.scales.end());
  if (scales.size() == 1)
    scales.assign(channels, scales[0]);
  if (int64_t(scales.size()) == channels)
    op->setAttr("qt.weight_scales", b.getDenseF32ArrayAttr(scales));
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

Value Importer::matmul2d(Value a, Value w, std::optional<Value> bias) {
  int64_t m = shapeOf(a)[0], k = shapeOf(a)[1], n = shapeOf(w)[1];
  if (shapeOf(w)[0] != k)
    fail("inner dimensions differ (" + Twine(k) + " and " + Twine(shapeOf(w)[0]) + ")");
  Value a3 = reshape(a, {1, m, k}), w3 = reshape(w, {1, k, n});
  Value zp = zeroPoint();
  auto type = RankedTensorType::get({1, m, n}, f32());
  Value y = tosa::MatMulOp::create(b, loc, type, a3, w3, zp, zp);
  lastMatmul = y.getDefiningOp();
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

Value Importer::matmulND(Value a, Value w) {
  bool vectorA = shapeOf(a).size() == 1, vectorW = shapeOf(w).size() == 1;
  if (vectorA)
    a = reshape(a, {1, shapeOf(a)[0]});
  if (vectorW)
    w = reshape(w, {shapeOf(w)[0], 1});
  ArrayRef<int64_t> as = shapeOf(a), ws = shapeOf(w);
  int64_t m = as[as.size() - 2], k = as.back(), n = ws.back();
  if (ws[ws.size() - 2] != k)
    fail("inner dimensions differ (" + Twine(k) + " and " + Twine(ws[ws.size() - 2]) + ")");
  SmallVector<int64_t> batch;
  Value y;
  if (ws.size() == 2) {
    // All rows of all batches through one [K, N] weight.
    batch.assign(as.begin(), as.end() - 2);
    int64_t rows = typeOf(a).getNumElements() / k;
    y = matmul2d(reshape(a, {rows, k}), w);
    attachWeightScales(lastMatmul, w, 1, n);
  } else {
    size_t rank = std::max(as.size(), ws.size());
    SmallVector<int64_t> ba(rank - as.size(), 1), bw(rank - ws.size(), 1);
    ba.append(as.begin(), as.end() - 2);
    bw.append(ws.begin(), ws.end() - 2);
    int64_t count = 1;
    for (size_t d = 0; d + 2 < rank; ++d) {
      if (ba[d] != bw[d] && ba[d] != 1 && bw[d] != 1)
        fail("batch dimensions do not broadcast");
      batch.push_back(std::max(ba[d], bw[d]));
      count *= batch.back();
    }
    SmallVector<int64_t> sa(ba), sw(bw), fa(batch), fw(batch);
    sa.append({m, k});
    sw.append({k, n});
    fa.append({m, k});
    fw.append({k, n});
    Value a3 = reshape(broadcastTo(reshape(a, sa), fa), {count, m, k});
    Value w3 = reshape(broadcastTo(reshape(w, sw), fw), {count, k, n});
    Value zp = zeroPoint();
    y = tosa::MatMulOp::create(b, loc, RankedTensorType::get({count, m, n}, f32()), a3, w3, zp, zp);
  }
  SmallVector<int64_t> shape(batch);
  if (!vectorA)
    shape.push_back(m);
  if (!vectorW)
    shape.push_back(n);
  return reshape(y, shape);
}

Value Importer::convTranspose(const onnx::NodeProto &node) {
  Value xh = inputNHWC(node, 0);
  int64_t n = shapeOf(xh)[0], c = shapeOf(xh)[3];
  SmallVector<int64_t> in = {shapeOf(xh)[1], shapeOf(xh)[2]};
  auto data = constantData(input(node, 1));
  Value w = input(node, 1);
  if (!data || shapeOf(w).size() != 4 || shapeOf(w)[0] != c)
    fail("the weights must be a constant [C, O, KH, KW] tensor for an input of " + Twine(c) +
         " channels");
  if (intAttr(node, "group", 1) != 1)
    fail("a grouped ConvTranspose is not supported yet");
  int64_t o = shapeOf(w)[1];
  auto ints = [&](StringRef name, SmallVector<int64_t> dflt) {
    if (auto *a = attr(node, name))
      return SmallVector<int64_t>(a->ints().begin(), a->ints().end());
    return dflt;
  };
  SmallVector<int64_t> stride = ints("strides", {1, 1}), dilation = ints("dilations", {1, 1}),
                       pads = ints("pads", {0, 0, 0, 0}), outPad = ints("output_padding", {0, 0}),
                       outShape = ints("output_shape", {});
  if (stride.size() != 2 || pads.size() != 4 || outPad.size() != 2 ||
      (!outShape.empty() && outShape.size() != 2 && outShape.size() != 4))
    fail("only 2-D windows are supported");
  if (dilation.size() != 2 || dilation[0] < 1 || dilation[1] < 1)
    fail("dilations must be 2 positive values");
  // A dilated kernel is the kernel with zeros between its taps.
  SmallVector<int64_t> kernel = {(shapeOf(w)[2] - 1) * dilation[0] + 1,
                                 (shapeOf(w)[3] - 1) * dilation[1] + 1};
  if (outShape.size() == 4)
    outShape.erase(outShape.begin(), outShape.begin() + 2);
  std::string autoPad = attr(node, "auto_pad") ? attr(node, "auto_pad")->s() : "NOTSET";
  SmallVector<int64_t> out, tosaPad;
  for (int d = 0; d < 2; ++d) {
    int64_t full = stride[d] * (in[d] - 1) + outPad[d] + kernel[d];
    int64_t begin = pads[d], end = pads[d + 2];
    if (!outShape.empty() || autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
      int64_t target = outShape.empty() ? in[d] * stride[d] : outShape[d];
      int64_t total = full - target;
      // A larger output_shape extends the end (bias only there).
      begin = total < 0 ? 0 : autoPad == "SAME_UPPER" ? total / 2 : total - total / 2;
      end = total - begin;
    }
    out.push_back(full - begin - end);
    tosaPad.append({-begin, outPad[d] - end});
  }
  std::vector<float> bias(o, 0.0f);
  if (std::optional<Value> bv = optionalInput(node, 2)) {
    auto bd = constantData(*bv);
    if (!bd || bd->size() != size_t(o))
      fail("the bias must be a constant of " + Twine(o) + " values");
    bias = *bd;
  }
  // [C, O, KH, KW] -> [O, KH', KW', C], dilated
  int64_t kh = kernel[0], kw = kernel[1], fh = shapeOf(w)[2], fw = shapeOf(w)[3];
  std::vector<float> ohwi(o * kh * kw * c, 0.0f);
  for (int64_t i = 0; i < c; ++i)
    for (int64_t a = 0; a < o; ++a)
      for (int64_t y0 = 0; y0 < fh; ++y0)
        for (int64_t x0 = 0; x0 < fw; ++x0)
          ohwi[((a * kh + y0 * dilation[0]) * kw + x0 * dilation[1]) * c + i] =
              (*data)[((i * o + a) * fh + y0) * fw + x0];
  Value zp = zeroPoint();
  return tosa::TransposeConv2DOp::create(
      b, loc, RankedTensorType::get({n, out[0], out[1], o}, f32()), xh,
      constant({o, kh, kw, c}, ohwi), constant({o}, bias), zp, zp,
      b.getDenseI64ArrayAttr(tosaPad), b.getDenseI64ArrayAttr(stride), TypeAttr::get(f32()));
}

Value Importer::gatherAxis(Value x, int axis, ArrayRef<int64_t> index) {
  ArrayRef<int64_t> s = shapeOf(x);
  int64_t outer = 1, inner = 1, k = s[axis], count = index.size();
  for (int d = 0; d < int(s.size()); ++d)
    (d < axis ? outer : inner) *= d == axis ? 1 : s[d];
  std::vector<int32_t> indices;
  for (int64_t r = 0; r < outer; ++r)
    for (int64_t i : index)
      indices.push_back(int32_t(i));
  auto indexType = RankedTensorType::get({outer, count}, b.getI32Type());
  Value indexConst = tosa::ConstOp::create(
      b, loc, indexType, DenseElementsAttr::get(indexType, ArrayRef<int32_t>(indices)));
  Value g = tosa::GatherOp::create(b, loc, typeOf(x).clone({outer, count, inner}),
                                   reshape(x, {outer, k, inner}), indexConst);
  SmallVector<int64_t> shape(s);
  shape[axis] = count;
  return reshape(g, shape);
}

Value Importer::resize(const onnx::NodeProto &node) {
  Value xh = inputNHWC(node, 0);
  ArrayRef<int64_t> shape = shapeOf(xh); // N, H, W, C
  // Output sizes from `sizes` or `scales` (NCHW order); opset 10 has only
  // scales (input 1), Upsample too.
  bool opset10 = node.op_type() == "Upsample" || opset < 11;
  std::vector<float> scales;
  std::vector<int64_t> sizes;
  int scalesIndex = opset10 ? 1 : 2;
  if (node.op_type() == "Upsample" && opset < 9)
    fail("Upsample before opset 9 is not supported");
  if (!opset10 && node.input_size() > 3 && !node.input(3).empty() &&
      initializers.count(node.input(3)) && constantInput(node, 3).dims_size() &&
      constantInput(node, 3).dims(0) > 0)
    sizes = ints(constantInput(node, 3));
  else if (scalesIndex < node.input_size() && !node.input(scalesIndex).empty())
    scales = floats(constantInput(node, scalesIndex));
  if (sizes.empty() && scales.empty())
    fail("neither constant scales nor sizes are given");
  if ((!sizes.empty() && sizes.size() != 4) || (!scales.empty() && scales.size() != 4))
    fail("only 4-D inputs are supported");
  // NCHW dims 2, 3 are NHWC 1, 2; N and C must stay.
  int64_t nchw[4] = {shape[0], shape[3], shape[1], shape[2]};
  for (int d : {0, 1})
    if ((!sizes.empty() && sizes[d] != nchw[d]) || (!scales.empty() && scales[d] != 1.0f))
      fail("only the spatial dimensions can be resized");
  std::string mode = attr(node, "mode") ? attr(node, "mode")->s() : "nearest";
  std::string coord = opset10 ? "asymmetric"
                      : attr(node, "coordinate_transformation_mode")
                          ? attr(node, "coordinate_transformation_mode")->s()
                          : "half_pixel";
  std::string nearestMode = opset10 ? "floor"
                            : attr(node, "nearest_mode") ? attr(node, "nearest_mode")->s()
                                                         : "round_prefer_floor";
  float cubicA = floatAttr(node, "cubic_coeff_a", -0.75f);
  bool excludeOutside = intAttr(node, "exclude_outside", 0);
  if (mode != "nearest" && mode != "linear" && mode != "cubic")
    fail("mode '" + mode + "' is not supported");
  if (coord == "tf_crop_and_resize")
    fail("coordinate_transformation_mode 'tf_crop_and_resize' is not supported yet");
  Value y = xh;
  for (int d : {2, 3}) {
    int axis = d - 1;
    int64_t inSize = nchw[d];
    double scale = sizes.empty() ? double(scales[d]) : double(sizes[d]) / double(inSize);
    int64_t outSize = sizes.empty() ? int64_t(std::floor(double(inSize) * scales[d])) : sizes[d];
    if (outSize <= 0)
      fail("an output dimension would be empty");
    if (outSize == inSize && scale == 1.0)
      continue;
    // ONNX's coordinate transformation: the source position of each output,
    // with the unrounded output length scale * in, as ONNX's reference.
    double outLength = scale * double(inSize);
    auto source = [&](int64_t i) -> double {
      if (coord == "half_pixel")
        return (i + 0.5) / scale - 0.5;
      if (coord == "pytorch_half_pixel")
        return outLength > 1 ? (i + 0.5) / scale - 0.5 : 0.0;
      if (coord == "align_corners")
        return outLength == 1 ? 0.0 : double(i) * (inSize - 1) / (outLength - 1);
      if (coord == "asymmetric")
        return i / scale;
      if (coord == "tf_half_pixel_for_nn")
        return (i + 0.5) / scale;
      fail("coordinate_transformation_mode '" + coord + "' is not known");
    };
    auto clampIndex = [&](int64_t i) { return std::clamp<int64_t>(i, 0, inSize - 1); };
    // Taps: per output position, source rows and their weights.
    std::vector<std::vector<std::pair<int64_t, float>>> taps(outSize);
    for (int64_t i = 0; i < outSize; ++i) {
      double x = source(i);
      if (mode == "nearest") {
        double r;
        if (nearestMode == "round_prefer_floor")
          r = x == std::floor(x) + 0.5 ? std::floor(x) : std::round(x);
        else if (nearestMode == "round_prefer_ceil")
          r = std::round(x);
        else if (nearestMode == "floor")
          r = std::floor(x);
        else if (nearestMode == "ceil")
          r = std::ceil(x);
        else
          fail("nearest_mode '" + nearestMode + "' is not known");
        taps[i].push_back({clampIndex(int64_t(r)), 1.0f});
        continue;
      }
      double base = std::floor(x), t = x - base;
      std::vector<std::pair<int64_t, double>> raw;
      if (mode == "linear") {
        raw = {{int64_t(base), 1.0 - t}, {int64_t(base) + 1, t}};
      } else {
        auto cubic = [&](double s) {
          s = std::fabs(s);
          if (s <= 1)
            return ((cubicA + 2) * s - (cubicA + 3)) * s * s + 1;
          if (s < 2)
            return ((cubicA * s - 5 * cubicA) * s + 8 * cubicA) * s - 4 * cubicA;
          return 0.0;
        };
        for (int64_t j = -1; j <= 2; ++j)
          raw.push_back({int64_t(base) + j, cubic(t - j)});
      }
      if (excludeOutside) {
        double sum = 0;
        for (auto &[idx, wt] : raw) {
          if (idx < 0 || idx >= inSize)
            wt = 0;
          sum += wt;
        }
        for (auto &p : raw)
          p.second /= sum;
      }
      for (auto [idx, wt] : raw)
        taps[i].push_back({clampIndex(idx), float(wt)});
    }
    // One gather per tap, weighted by a constant per output position.
    size_t count = taps[0].size();
    Value sum;
    for (size_t t = 0; t < count; ++t) {
      SmallVector<int64_t> index;
      std::vector<float> weight;
      for (auto &tap : taps) {
        index.push_back(tap[t].first);
        weight.push_back(tap[t].second);
      }
      Value g = gatherAxis(y, axis, index);
      if (count > 1) {
        SmallVector<int64_t> wshape = {1, 1, 1, 1};
        wshape[axis] = outSize;
        g = mul(typeOf(g), g, constant(wshape, weight));
        sum = sum ? tosa::AddOp::create(b, loc, typeOf(g), sum, g).getResult() : g;
      } else {
        sum = g;
      }
    }
    y = sum;
  }
  return y;
}

std::pair<Value, int64_t> Importer::integerOperand(const onnx::NodeProto &node, int i,
                                                   int zpIndex, bool &nhwc) {
  nhwc = false;
  bool isUnsigned;
  Value v;
  if (initializers.count(node.input(i))) {
    const onnx::TensorProto &t = constantInput(node, i);
    if (!isInt8Tensor(t.data_type()))
      fail("input " + Twine(i) + " must be uint8 or int8");
    isUnsigned = t.data_type() == onnx::TensorProto::UINT8;
    std::vector<int8_t> data;
    for (int64_t x : ints(t))
      data.push_back(int8_t(isUnsigned ? x - 128 : x));
    auto type = RankedTensorType::get(SmallVector<int64_t>(t.dims().begin(), t.dims().end()),
                                      b.getI8Type());
    v = tosa::ConstOp::create(b, loc, type, DenseElementsAttr::get(type, ArrayRef<int8_t>(data)));
  } else {
    v = rawInput(node, i, nhwc);
    isUnsigned = unsignedNames.count(node.input(i));
    if (isa<quant::QuantizedType>(typeOf(v).getElementType()))
      v = quant::StorageCastOp::create(b, loc, typeOf(v).clone(b.getI8Type()), v);
    if (!typeOf(v).getElementType().isSignlessInteger(8))
      fail("input " + Twine(i) + " must be a uint8 or int8 tensor");
  }
  int64_t zp = 0;
  if (zpIndex < node.input_size() && !node.input(zpIndex).empty()) {
    std::vector<int64_t> zps = ints(constantInput(node, zpIndex));
    if (zps.empty() || !llvm::all_equal(zps))
      fail("zero point " + Twine(zpIndex) + " must be one value (per-channel zero points are "
           "not supported)");
    zp = zps[0];
  }
  return {v, isUnsigned ? zp - 128 : zp};
}

Value Importer::integerMatmul(const onnx::NodeProto &node) {
  bool nhwcA, nhwcW;
  auto [a, azp] = integerOperand(node, 0, 2, nhwcA);
  auto [w, wzp] = integerOperand(node, 1, 3, nhwcW);
  if (nhwcA)
    a = toNCHW(a);
  if (nhwcW)
    w = toNCHW(w);
  if (shapeOf(w).size() != 2 || shapeOf(a).size() < 2)
    fail("only [..., M, K] x [K, N] MatMulInteger is supported");
  int64_t k = shapeOf(a).back(), n = shapeOf(w)[1], rows = typeOf(a).getNumElements() / k;
  if (shapeOf(w)[0] != k)
    fail("inner dimensions differ (" + Twine(k) + " and " + Twine(shapeOf(w)[0]) + ")");
  auto zpConst = [&](int64_t zp) {
    auto type = RankedTensorType::get({1}, b.getI8Type());
    return tosa::ConstOp::create(b, loc, type, DenseElementsAttr::get(type, int8_t(zp)));
  };
  Value y = tosa::MatMulOp::create(b, loc, RankedTensorType::get({1, rows, n}, b.getI32Type()),
                                   reshape(a, {1, rows, k}), reshape(w, {1, k, n}), zpConst(azp),
                                   zpConst(wzp));
  SmallVector<int64_t> shape(shapeOf(a));
  shape.back() = n;
  return reshape(y, shape);
}

Value Importer::integerConv(const onnx::NodeProto &node) {
  bool nhwc, constW;
  auto [x, xzp] = integerOperand(node, 0, 2, nhwc);
  auto [w, wzp] = integerOperand(node, 1, 3, constW);
  if (!nhwc) {
    if (shapeOf(x).size() != 4)
      fail("only 4-D (NCHW) inputs are supported");
    x = transpose(x, {0, 2, 3, 1});
  }
  DenseElementsAttr wData;
  if (!matchPattern(w, m_Constant(&wData)) || shapeOf(w).size() != 4)
    fail("the weights must be a constant 4-D tensor");
  if (intAttr(node, "group", 1) != 1)
    fail("a grouped ConvInteger is not supported yet");
  int64_t n = shapeOf(x)[0], c = shapeOf(x)[3];
  int64_t o = shapeOf(w)[0], ic = shapeOf(w)[1], kh = shapeOf(w)[2], kw = shapeOf(w)[3];
  if (ic != c)
    fail("the weights have " + Twine(ic) + " input channels for an input of " + Twine(c));
  Window win = window(node, {shapeOf(x)[1], shapeOf(x)[2]}, {kh, kw});
  if (win.trim[0] || win.trim[1]) {
    SmallVector<int64_t> size = {n, shapeOf(x)[1] - win.trim[0], shapeOf(x)[2] - win.trim[1], c};
    x = tosa::SliceOp::create(b, loc, typeOf(x).clone(size), x, constShape({0, 0, 0, 0}),
                              constShape(size));
  }
  auto values = llvm::to_vector(wData.getValues<int8_t>());
  std::vector<int8_t> ohwi(values.size());
  for (int64_t a = 0; a < o; ++a)
    for (int64_t i = 0; i < ic; ++i)
      for (int64_t y0 = 0; y0 < kh; ++y0)
        for (int64_t x0 = 0; x0 < kw; ++x0)
          ohwi[((a * kh + y0) * kw + x0) * ic + i] = values[((a * ic + i) * kh + y0) * kw + x0];
  auto wType = RankedTensorType::get({o, kh, kw, ic}, b.getI8Type());
  auto biasType = RankedTensorType::get({o}, b.getI32Type());
  auto zpConst = [&](int64_t zp) {
    auto type = RankedTensorType::get({1}, b.getI8Type());
    return tosa::ConstOp::create(b, loc, type, DenseElementsAttr::get(type, int8_t(zp)));
  };
  // TOSA pads with the input zero point, as ONNX's ConvInteger.
  return tosa::Conv2DOp::create(
      b, loc, RankedTensorType::get({n, win.out[0], win.out[1], o}, b.getI32Type()), x,
      tosa::ConstOp::create(b, loc, wType, DenseElementsAttr::get(wType, ArrayRef<int8_t>(ohwi))),
      tosa::ConstOp::create(b, loc, biasType, DenseElementsAttr::get(biasType, int32_t(0))),
      zpConst(xzp), zpConst(wzp), b.getDenseI64ArrayAttr(win.pad),
      b.getDenseI64ArrayAttr(win.stride), b.getDenseI64ArrayAttr(win.dilation),
      TypeAttr::get(b.getI32Type()));
}

Value Importer::integerArithmetic(const onnx::NodeProto &node) {
  StringRef op = node.op_type();
  auto i32 = b.getI32Type();
  int64_t width = 0;
  bool isUnsigned = false;
  SmallVector<Value, 2> operands;
  for (int i = 0; i < 2; ++i) {
    Value v;
    if (initializers.count(node.input(i))) {
      const onnx::TensorProto &t = constantInput(node, i);
      std::vector<int64_t> data = ints(t);
      SmallVector<int32_t> narrow(data.begin(), data.end());
      auto type = RankedTensorType::get(SmallVector<int64_t>(t.dims().begin(), t.dims().end()), i32);
      v = tosa::ConstOp::create(b, loc, type, DenseElementsAttr::get(type, ArrayRef(narrow)));
    } else {
      bool nhwc;
      v = rawInput(node, i, nhwc);
      if (nhwc)
        v = toNCHW(v);
      auto element = dyn_cast<IntegerType>(typeOf(v).getElementType());
      if (!element || (element.getWidth() != 8 && element.getWidth() != 32))
        fail("input " + Twine(i) + " must be an int8, uint8 or int32 tensor");
      width = element.getWidth();
      bool u = unsignedNames.count(node.input(i));
      isUnsigned |= u;
      if (width == 8) {
        v = tosa::CastOp::create(b, loc, typeOf(v).clone(i32), v);
        if (u) { // back to the uint8 value
          SmallVector<int64_t> ones(shapeOf(v).size(), 1);
          auto type = RankedTensorType::get(ones, i32);
          v = tosa::AddOp::create(b, loc, typeOf(v), v,
                                  tosa::ConstOp::create(b, loc, type, DenseElementsAttr::get(type, int32_t(128))));
        }
      }
    }
    operands.push_back(v);
  }
  if (width == 0)
    fail("an integer operation on constants only is not supported");
  SmallVector<int64_t> shape;
  auto [x, y] = broadcast(operands[0], operands[1], shape);
  auto type = RankedTensorType::get(shape, i32);
  Value r;
  if (op == "Add")
    r = tosa::AddOp::create(b, loc, type, x, y);
  else if (op == "Sub")
    r = tosa::SubOp::create(b, loc, type, x, y);
  else if (op == "Mul")
    r = mul(type, x, y);
  else
    r = tosa::IntDivOp::create(b, loc, type, x, y);
  if (width == 32)
    return r;
  // Modulo 256 into the stored int8 form: (r + 128 - shift) & 255 - 128.
  int32_t shift = isUnsigned ? 128 : 0;
  SmallVector<int64_t> ones(shape.size(), 1);
  auto scalarType = RankedTensorType::get(ones, i32);
  auto scalar = [&](int32_t v) {
    return tosa::ConstOp::create(b, loc, scalarType, DenseElementsAttr::get(scalarType, v));
  };
  r = tosa::AddOp::create(b, loc, type, r, scalar(128 - shift));
  r = tosa::BitwiseAndOp::create(b, loc, type, r, scalar(255));
  r = tosa::SubOp::create(b, loc, type, r, scalar(128));
  if (isUnsigned)
    unsignedNames.insert(node.output(0));
  return tosa::CastOp::create(b, loc, type.clone(b.getI8Type()), r);
}

Importer::Window Importer::window(const onnx::NodeProto &node, ArrayRef<int64_t> inHW,
                                  ArrayRef<int64_t> kernel) {
  auto ints = [&](StringRef name, SmallVector<int64_t> dflt) {
    if (auto *a = attr(node, name))
      return SmallVector<int64_t>(a->ints().begin(), a->ints().end());
    return dflt;
  };
  Window w;
  w.stride = ints("strides", {1, 1});
  w.dilation = ints("dilations", {1, 1});
  SmallVector<int64_t> onnxPads = ints("pads", {0, 0, 0, 0}); // t, l, b, r
  if (w.stride.size() != 2 || w.dilation.size() != 2 || onnxPads.size() != 4)
    fail("only 2-D windows are supported");
  bool ceilMode = intAttr(node, "ceil_mode", 0);
  if (ceilMode && node.op_type() == "AveragePool" && intAttr(node, "count_include_pad", 0))
    fail("ceil_mode = 1 with count_include_pad = 1 is not supported yet");
  std::string autoPad = attr(node, "auto_pad") ? attr(node, "auto_pad")->s() : "NOTSET";
  w.pad = {onnxPads[0], onnxPads[2], onnxPads[1], onnxPads[3]};
  for (int d = 0; d < 2; ++d) {
    int64_t extent = (kernel[d] - 1) * w.dilation[d] + 1;
    if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
      int64_t out = (inHW[d] + w.stride[d] - 1) / w.stride[d];
      int64_t total = std::max<int64_t>(0, (out - 1) * w.stride[d] + extent - inHW[d]);
      int64_t small = total / 2, large = total - small;
      w.pad[2 * d] = autoPad == "SAME_UPPER" ? small : large;
      w.pad[2 * d + 1] = autoPad == "SAME_UPPER" ? large : small;
    } else if (autoPad == "VALID") {
      w.pad[2 * d] = w.pad[2 * d + 1] = 0;
    } else if (autoPad != "NOTSET") {
      fail("auto_pad '" + autoPad + "' is not known");
    }
    int64_t span = inHW[d] + w.pad[2 * d] + w.pad[2 * d + 1] - extent;
    if (span < 0)
      fail("the window is larger than the padded input");
    if (ceilMode) {
      // One more window for a partial one at the end (not one that would
      // start in the trailing padding), read through extra end padding,
      // which pooling ignores.
      int64_t out = (span + w.stride[d] - 1) / w.stride[d] + 1;
      if ((out - 1) * w.stride[d] >= inHW[d] + w.pad[2 * d])
        --out;
      int64_t extra = (out - 1) * w.stride[d] + extent - (inHW[d] + w.pad[2 * d] + w.pad[2 * d + 1]);
      if (extra >= 0) {
        w.pad[2 * d + 1] += extra;
        w.out.push_back(out);
        continue;
      }
    }
    // ONNX floors; TOSA wants exact division: drop the trailing padding
    // and input rows that no window position reaches.
    int64_t rem = span % w.stride[d];
    int64_t fromPad = std::min(rem, w.pad[2 * d + 1]);
    w.pad[2 * d + 1] -= fromPad;
    w.trim[d] = rem - fromPad;
    w.out.push_back(span / w.stride[d] + 1);
  }
  return w;
}

const onnx::NodeProto *Importer::foldableBatchNorm(const onnx::NodeProto &conv) {
  auto it = batchNormOf.find(conv.output(0));
  if (it == batchNormOf.end() || consumers.lookup(conv.output(0)) != 1)
    return nullptr;
  const onnx::NodeProto *bn = it->second;
  if (bn->input_size() != 5 || bn->output_size() != 1)
    return nullptr;
  for (int i = 1; i < 5; ++i)
    if (!initializers.count(bn->input(i)))
      return nullptr;
  return bn;
}

std::pair<std::vector<float>, std::vector<float>>
Importer::batchNormAffine(const onnx::NodeProto &bn, int64_t channels) {
  std::vector<std::vector<float>> p;
  for (int i = 1; i <= 4; ++i) {
    p.push_back(floats(constantInput(bn, i)));
    if (p.back().size() != size_t(channels))
      fail("scale, bias, mean and variance must be constants of " + Twine(channels) +
           " values");
  }
  // Computed in double: a = scale / sqrt(var + eps), b = bias - mean * a.
  double eps = floatAttr(bn, "epsilon", 1e-5f);
  std::vector<float> a(channels), shift(channels);
  for (int64_t i = 0; i < channels; ++i) {
    double s = double(p[0][i]) / std::sqrt(double(p[3][i]) + eps);
    a[i] = float(s);
    shift[i] = float(double(p[1][i]) - double(p[2][i]) * s);
  }
  return {a, shift};
}

Value Importer::spatial1d(const onnx::NodeProto &node) {
  onnx::NodeProto lifted = node;
  lifted.clear_input();
  std::string prefix = node.output(0) + "#2d";
  for (int i = 0; i < node.input_size(); ++i) {
    if (node.input(i).empty() || (i == 2 && node.op_type() != "MaxPool")) {
      lifted.add_input(node.input(i)); // bias: as it is
      continue;
    }
    Value v = input(node, i);
    SmallVector<int64_t> shape(shapeOf(v));
    if (shape.size() != 3)
      fail("input " + Twine(i) + " must be 3-D");
    shape.insert(shape.begin() + 2, 1);
    values[prefix + std::to_string(i)] = reshape(v, shape);
    lifted.add_input(prefix + std::to_string(i));
  }
  // Attributes over one spatial axis gain the unit H axis.
  for (auto &a : *lifted.mutable_attribute()) {
    StringRef name = a.name();
    std::vector<int64_t> v(a.ints().begin(), a.ints().end());
    if (name == "kernel_shape" || name == "strides" || name == "dilations" ||
        name == "output_padding" || name == "output_shape") {
      if (v.size() != 1)
        continue;
      v.insert(v.begin(), name == "output_padding" ? 0 : 1);
    } else if (name == "pads" && v.size() == 2) {
      v = {0, v[0], 0, v[1]};
    } else {
      continue;
    }
    a.clear_ints();
    for (int64_t x : v)
      a.add_ints(x);
  }
  foldedBatchNorm = nullptr; // a BatchNorm after a 1-D Conv stays separate
  batchNormOf.erase(lifted.output(0));
  Value y = lifted.op_type() == "ConvTranspose" ? convTranspose(lifted)
                                                 : spatial(lifted, lifted.op_type());
  // [N, 1, L, C] -> [N, C, L]
  Value nchw = toNCHW(y);
  SmallVector<int64_t> shape(shapeOf(nchw));
  shape.erase(shape.begin() + 2);
  return reshape(nchw, shape);
}

Value Importer::spatial(const onnx::NodeProto &node, StringRef op) {
  if (!hasNHWC(node, 0) && shapeOf(input(node, 0)).size() != 4)
    fail("only 4-D (NCHW) inputs are supported");
  // Max pooling also takes integer tensors as they are.
  Value xh = op == "MaxPool" && hasNHWC(node, 0) ? nhwcValues[node.input(0)]
                                                 : inputNHWC(node, 0);
  int64_t n = shapeOf(xh)[0], c = shapeOf(xh)[3];
  SmallVector<int64_t> inHW = {shapeOf(xh)[1], shapeOf(xh)[2]};
  // Rows and columns at the end that no window reads are sliced off.
  auto trimmed = [&](const Window &win) -> Value {
    if (win.trim[0] == 0 && win.trim[1] == 0)
      return xh;
    SmallVector<int64_t> size = {n, inHW[0] - win.trim[0], inHW[1] - win.trim[1], c};
    return tosa::SliceOp::create(b, loc, typeOf(xh).clone(size), xh,
                                 constShape({0, 0, 0, 0}), constShape(size))
        .getResult();
  };
  auto f32Attr = TypeAttr::get(f32());
  if (op == "Conv") {
    Value w = input(node, 1);
    auto data = constantData(w);
    if (!data || shapeOf(w).size() != 4)
      fail("the weights must be a constant 4-D tensor");
    int64_t o = shapeOf(w)[0], ic = shapeOf(w)[1], kh = shapeOf(w)[2], kw = shapeOf(w)[3];
    int64_t group = intAttr(node, "group", 1);
    Window win = window(node, inHW, {kh, kw});
    std::vector<float> bias(o, 0.0f);
    if (std::optional<Value> bv = optionalInput(node, 2)) {
      auto bd = constantData(*bv);
      if (!bd || bd->size() != size_t(o))
        fail("the bias must be a constant of " + Twine(o) + " values");
      bias = *bd;
    }
    // A BatchNormalization that alone reads the result scales the weights
    // and shifts the bias of each output channel instead.
    if ((foldedBatchNorm = foldableBatchNorm(node))) {
      auto [scale, shift] = batchNormAffine(*foldedBatchNorm, o);
      int64_t perChannel = int64_t(data->size()) / o;
      for (int64_t a = 0; a < o; ++a) {
        for (int64_t i = 0; i < perChannel; ++i)
          (*data)[a * perChannel + i] *= scale[a];
        bias[a] = bias[a] * scale[a] + shift[a];
      }
    }
    Value biasC = constant({o}, bias);
    // The file's weight scales survive the folding only without a BatchNorm.
    auto withScales = [&](Value y) {
      if (!foldedBatchNorm)
        attachWeightScales(y.getDefiningOp(), w, 0, o);
      return y;
    };
    auto outType = RankedTensorType::get({n, win.out[0], win.out[1], o}, f32());
    Value y;
    if (group > 0 && ic * group == c && o % group == 0 && !(group == c && group > 1 && ic == 1)) {
      // One convolution per group on its slice of the input channels,
      // joined on the channel axis (group 1: one convolution).
      int64_t og = o / group;
      Value in = trimmed(win);
      SmallVector<Value> parts;
      for (int64_t g = 0; g < group; ++g) {
        std::vector<float> ohwi(og * kh * kw * ic); // OIHW -> OHWI
        for (int64_t a = 0; a < og; ++a)
          for (int64_t i = 0; i < ic; ++i)
            for (int64_t y0 = 0; y0 < kh; ++y0)
              for (int64_t x0 = 0; x0 < kw; ++x0)
                ohwi[((a * kh + y0) * kw + x0) * ic + i] =
                    (*data)[(((g * og + a) * ic + i) * kh + y0) * kw + x0];
        Value slice = in;
        if (group > 1) {
          SmallVector<int64_t> size(shapeOf(in));
          size[3] = ic;
          slice = tosa::SliceOp::create(b, loc, RankedTensorType::get(size, f32()), in,
                                        constShape({0, 0, 0, g * ic}), constShape(size));
        }
        std::vector<float> groupBias(bias.begin() + g * og, bias.begin() + (g + 1) * og);
        parts.push_back(tosa::Conv2DOp::create(
            b, loc, RankedTensorType::get({n, win.out[0], win.out[1], og}, f32()), slice,
            constant({og, kh, kw, ic}, ohwi), constant({og}, groupBias),
            b.getDenseI64ArrayAttr(win.pad), b.getDenseI64ArrayAttr(win.stride),
            b.getDenseI64ArrayAttr(win.dilation), f32Attr));
      }
      if (group == 1)
        return withScales(parts[0]);
      return tosa::ConcatOp::create(b, loc, outType, parts, b.getI32IntegerAttr(3));
    } else if (group == c && ic == 1 && o % c == 0) {
      // Depthwise: [C*M, 1, KH, KW] -> [KH, KW, C, M]
      int64_t m = o / c;
      std::vector<float> hwcm(data->size());
      for (int64_t a = 0; a < o; ++a)
        for (int64_t y0 = 0; y0 < kh; ++y0)
          for (int64_t x0 = 0; x0 < kw; ++x0)
            hwcm[((y0 * kw + x0) * c + a / m) * m + a % m] = (*data)[(a * kh + y0) * kw + x0];
      y = tosa::DepthwiseConv2DOp::create(
          b, loc, outType, trimmed(win), constant({kh, kw, c, m}, hwcm), biasC,
          b.getDenseI64ArrayAttr(win.pad), b.getDenseI64ArrayAttr(win.stride),
          b.getDenseI64ArrayAttr(win.dilation), f32Attr);
    } else {
      fail("the weights have " + Twine(ic) + " input channels per group for an input of " +
           Twine(c) + " channels in " + Twine(group) + " groups");
    }
    return withScales(y);
  }
  SmallVector<int64_t> kernel;
  if (op == "GlobalAveragePool") {
    kernel = inHW;
  } else {
    auto *k = attr(node, "kernel_shape");
    if (!k || k->ints_size() != 2)
      fail("kernel_shape must give 2 sizes");
    kernel.assign(k->ints().begin(), k->ints().end());
  }
  Window win = op == "GlobalAveragePool" ? Window{{0, 0, 0, 0}, {1, 1}, {1, 1}, {1, 1}}
                                         : window(node, inHW, kernel);
  if (win.dilation != SmallVector<int64_t>{1, 1})
    fail("dilated pooling is not supported yet");
  auto outType = typeOf(xh).clone({n, win.out[0], win.out[1], c});
  Value y;
  if (op == "MaxPool") {
    if (node.output_size() > 1 && !node.output(1).empty())
      fail("the Indices output is not supported");
    y = tosa::MaxPool2dOp::create(b, loc, outType, trimmed(win), b.getDenseI64ArrayAttr(kernel),
                                  b.getDenseI64ArrayAttr(win.stride),
                                  b.getDenseI64ArrayAttr(win.pad));
  } else {
    // TOSA's average excludes padding, as ONNX's count_include_pad = 0;
    // with count_include_pad = 1 the zeros are padded explicitly first, so
    // that they count.
    Value in = trimmed(win);
    SmallVector<int64_t> pad = win.pad;
    if (intAttr(node, "count_include_pad", 0) &&
        llvm::any_of(pad, [](int64_t p) { return p != 0; })) {
      SmallVector<int64_t> shape(shapeOf(in));
      shape[1] += pad[0] + pad[1];
      shape[2] += pad[2] + pad[3];
      in = tosa::PadOp::create(b, loc, RankedTensorType::get(shape, f32()), in,
                               constShape({0, 0, pad[0], pad[1], pad[2], pad[3], 0, 0}),
                               constant({1}, {0.0f}));
      pad.assign(4, 0);
    }
    y = tosa::AvgPool2dOp::create(b, loc, outType, in, b.getDenseI64ArrayAttr(kernel),
                                  b.getDenseI64ArrayAttr(win.stride),
                                  b.getDenseI64ArrayAttr(pad), f32Attr);
  }
  return y;
}

void Importer::importNode(const onnx::NodeProto &node) {
  StringRef op = node.op_type();
  Value result;
  bool resultNHWC = false; // result is in nhwcValues' layout
  foldedBatchNorm = nullptr;
  // Elementwise ops keep the layout of what they read: NHWC when an operand
  // was computed in NHWC and the result is 4-D.
  auto unaryInput = [&]() {
    if (!hasNHWC(node, 0))
      return input(node, 0);
    resultNHWC = true;
    return floatOf(nhwcValues[node.input(0)]);
  };
  auto binaryOperands = [&](SmallVector<int64_t> &shape) {
    auto rank = [&](int i) { return hasNHWC(node, i) ? 4 : shapeOf(input(node, i)).size(); };
    if ((hasNHWC(node, 0) || hasNHWC(node, 1)) && std::max(rank(0), rank(1)) == 4) {
      resultNHWC = true;
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
  };
  auto binary = [&](auto tag) {
    SmallVector<int64_t> shape;
    auto [x, y] = binaryOperands(shape);
    return decltype(tag)::create(b, loc, RankedTensorType::get(shape, f32()), x, y);
  };
  if (op == "Identity" || op == "Dropout") {
    if (op == "Dropout") {
      bool training = false;
      if (node.input_size() > 2 && !node.input(2).empty()) {
        const onnx::TensorProto &t = constantInput(node, 2);
        training = !t.raw_data().empty() ? t.raw_data()[0] != 0
                                         : (t.int32_data_size() && t.int32_data(0) != 0);
      }
      // Training mode drops at random, except with ratio 0.
      float ratio = opset < 12 ? floatAttr(node, "ratio", 0.5f)
                    : node.input_size() > 1 && !node.input(1).empty()
                        ? scalar(constantInput(node, 1))
                        : 0.5f;
      if ((training || intAttr(node, "is_test", 1) == 0) && ratio != 0.0f)
        fail("Dropout in training mode (random) is not supported; export for inference");
      if (node.output_size() > 1 && !node.output(1).empty()) {
        // Nothing is dropped: the mask is all true.
        bool nhwc;
        Value x = rawInput(node, 0, nhwc);
        if (nhwc)
          x = input(node, 0);
        auto maskType = typeOf(x).clone(b.getI1Type());
        values[node.output(1)] =
            tosa::ConstOp::create(b, loc, maskType, DenseElementsAttr::get(maskType, true));
      }
    }
    result = unaryInput();
  } else if (op == "Relu") {
    result = clamp(unaryInput(), 0.0f, FLT_MAX);
  } else if (op == "Clip" && hasIntegerInput(node)) {
    // int8 / uint8 / int32: an integer clamp with integer bounds.
    bool nhwc;
    Value x = rawInput(node, 0, nhwc);
    resultNHWC = nhwc;
    auto element = cast<IntegerType>(typeOf(x).getElementType());
    bool isUnsigned = unsignedNames.count(node.input(0));
    int64_t shift = isUnsigned ? 128 : 0;
    int64_t lo = APInt::getSignedMinValue(element.getWidth()).getSExtValue();
    int64_t hi = APInt::getSignedMaxValue(element.getWidth()).getSExtValue();
    if (node.input_size() > 1 && !node.input(1).empty())
      lo = ints(constantInput(node, 1)).at(0) - shift;
    if (node.input_size() > 2 && !node.input(2).empty())
      hi = ints(constantInput(node, 2)).at(0) - shift;
    result = tosa::ClampOp::create(b, loc, typeOf(x), x, b.getIntegerAttr(element, lo),
                                   b.getIntegerAttr(element, hi));
    if (isUnsigned)
      unsignedNames.insert(node.output(0));
  } else if (op == "Clip") {
    float lo = -FLT_MAX, hi = FLT_MAX;
    if (opset < 11) {
      lo = floatAttr(node, "min", lo);
      hi = floatAttr(node, "max", hi);
    } else {
      if (node.input_size() > 1 && !node.input(1).empty())
        lo = scalar(constantInput(node, 1));
      if (node.input_size() > 2 && !node.input(2).empty())
        hi = scalar(constantInput(node, 2));
    }
    result = clamp(unaryInput(), lo, hi);
  } else if (op == "Sigmoid") {
    Value x = unaryInput();
    result = tosa::SigmoidOp::create(b, loc, typeOf(x), x);
  } else if (op == "Tanh") {
    Value x = unaryInput();
    result = tosa::TanhOp::create(b, loc, typeOf(x), x);
  } else if ((op == "Add" || op == "Sub" || op == "Mul" || op == "Div") &&
             hasIntegerInput(node)) {
    result = integerArithmetic(node);
  } else if (op == "MaxPool" && hasIntegerInput(node) && !hasNHWC(node, 0) &&
             shapeOf(input0Raw(node)).size() == 4) {
    // On the integers (uint8 as int8 minus 128 keeps the order).
    std::string name = node.output(0) + "#nhwc";
    nhwcValues[name] = transpose(input0Raw(node), {0, 2, 3, 1});
    onnx::NodeProto pool = node;
    pool.set_input(0, name);
    result = spatial(pool, "MaxPool");
    resultNHWC = true;
    if (unsignedNames.count(node.input(0)))
      unsignedNames.insert(node.output(0));
  } else if (op == "Add") {
    result = binary(tosa::AddOp());
  } else if (op == "Sub") {
    result = binary(tosa::SubOp());
  } else if (op == "Mul" || op == "Div") {
    SmallVector<int64_t> shape;
    auto [x, y] = binaryOperands(shape);
    if (op == "Div") {
      if (auto divisor = constantData(y)) { // x / c as x * (1 / c)
        for (float &v : *divisor)
          v = 1.0f / v;
        y = constant(shapeOf(y), *divisor);
      } else {
        y = tosa::ReciprocalOp::create(b, loc, typeOf(y), y);
      }
    }
    result = mul(RankedTensorType::get(shape, f32()), x, y);
  } else if (op == "MatMul") {
    result = matmulND(input(node, 0), input(node, 1));
  } else if (op == "ConvTranspose") {
    if (!hasNHWC(node, 0) && shapeOf(input(node, 0)).size() == 3) {
      result = spatial1d(node);
    } else {
      result = convTranspose(node);
      resultNHWC = true;
    }
  } else if (op == "Resize" || op == "Upsample") {
    result = resize(node);
    resultNHWC = true;
  } else if (op == "Gemm") {
    Value a = input(node, 0), w = input(node, 1);
    if (shapeOf(a).size() != 2 || shapeOf(w).size() != 2)
      fail("Gemm operands must be 2-D");
    // Constant weights are transposed here, so that later passes (the
    // quantizer) see a plain constant.
    auto transposed = [&](Value v) { return transpose(v, {1, 0}); };
    Value fileWeight = w;
    int64_t outputAxis = intAttr(node, "transB", 0) ? 0 : 1;
    if (intAttr(node, "transA", 0))
      a = transposed(a);
    if (intAttr(node, "transB", 0))
      w = transposed(w);
    float alpha = floatAttr(node, "alpha", 1.0f), beta = floatAttr(node, "beta", 1.0f);
    // alpha and beta scale constant operands at import.
    auto scaled = [&](Value v, float k, StringRef what) {
      if (k == 1.0f)
        return v;
      auto data = constantData(v);
      if (!data)
        fail(what + " != 1 needs a constant operand to scale");
      for (float &x : *data)
        x *= k;
      return constant(shapeOf(v), *data);
    };
    w = scaled(w, alpha, "alpha");
    std::optional<Value> c = optionalInput(node, 2);
    if (c)
      c = scaled(*c, beta, "beta");
    result = matmul2d(a, w, c);
    if (alpha == 1.0f)
      attachWeightScales(lastMatmul, fileWeight, outputAxis, shapeOf(w)[1]);
  } else if ((op == "Conv" || op == "MaxPool" || op == "AveragePool" ||
              op == "GlobalAveragePool" || op == "ConvTranspose") &&
             !hasNHWC(node, 0) && shapeOf(input(node, 0)).size() == 3) {
    result = spatial1d(node);
  } else if (op == "Conv" || op == "MaxPool" || op == "AveragePool" ||
             op == "GlobalAveragePool") {
    result = spatial(node, op);
    resultNHWC = true;
  } else if (op == "BatchNormalization") {
    // Not after a Conv it folds into: y = x * a + b per channel.
    Value x = unaryInput();
    if (shapeOf(x).size() < 2)
      fail("the input needs a channel dimension");
    int64_t axis = resultNHWC ? 3 : 1, c = shapeOf(x)[axis];
    auto [a, shift] = batchNormAffine(node, c);
    SmallVector<int64_t> shape(shapeOf(x).size(), 1);
    shape[axis] = c;
    Value scaled = mul(typeOf(x), x, constant(shape, a));
    result = tosa::AddOp::create(b, loc, typeOf(x), scaled, constant(shape, shift));
  } else if (op == "Pad") {
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
  } else if (op == "Transpose") {
    Value x = input(node, 0);
    SmallVector<int32_t> perms;
    if (auto *a = attr(node, "perm"))
      for (int64_t p : a->ints())
        perms.push_back(int32_t(p));
    else
      for (int64_t d = shapeOf(x).size() - 1; d >= 0; --d)
        perms.push_back(int32_t(d));
    result = transpose(x, perms);
  } else if (op == "Concat") {
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
    int64_t rank = shapeOf(parts[0]).size(), axis = intAttr(node, "axis", 0);
    if (axis < 0)
      axis += rank;
    if (resultNHWC)
      axis = nhwcAxis(axis);
    SmallVector<int64_t> shape(shapeOf(parts[0]));
    shape[axis] = 0;
    for (Value v : parts)
      shape[axis] += shapeOf(v)[axis];
    result = tosa::ConcatOp::create(b, loc, RankedTensorType::get(shape, f32()), parts,
                                    b.getI32IntegerAttr(axis));
  } else if (op == "Squeeze" || op == "Unsqueeze") {
    Value x = input(node, 0);
    SmallVector<int64_t> axes;
    if (auto *a = attr(node, "axes"))
      axes.assign(a->ints().begin(), a->ints().end());
    else if (node.input_size() > 1)
      llvm::append_range(axes, ints(constantInput(node, 1)));
    SmallVector<int64_t> shape(shapeOf(x));
    if (op == "Squeeze") {
      int64_t rank = shape.size();
      SmallVector<int64_t> kept;
      for (int64_t d = 0; d < rank; ++d) {
        bool listed = llvm::any_of(axes, [&](int64_t a) { return (a < 0 ? a + rank : a) == d; });
        if ((axes.empty() && shape[d] == 1) || listed) {
          if (shape[d] != 1)
            fail("dimension " + Twine(d) + " is not 1");
          continue;
        }
        kept.push_back(shape[d]);
      }
      shape = kept;
    } else {
      int64_t rank = shape.size() + axes.size();
      for (int64_t &a : axes)
        a = a < 0 ? a + rank : a;
      llvm::sort(axes);
      for (int64_t a : axes)
        shape.insert(shape.begin() + a, 1);
    }
    result = reshape(x, shape);
  } else if (op == "LeakyRelu" || op == "HardSigmoid" || op == "HardSwish") {
    Value x = unaryInput();
    auto mulBy = [&](Value v, float k) {
      SmallVector<int64_t> ones(shapeOf(v).size(), 1);
      return mul(typeOf(v), v, constant(ones, {k}));
    };
    auto addC = [&](Value v, float k) {
      SmallVector<int64_t> ones(shapeOf(v).size(), 1);
      return tosa::AddOp::create(b, loc, typeOf(v), v, constant(ones, {k})).getResult();
    };
    if (op == "LeakyRelu") {
      float alpha = floatAttr(node, "alpha", 0.01f);
      // max(x, alpha x) for alpha <= 1; min(x, alpha x) above.
      Value ax = mulBy(x, alpha);
      result = alpha <= 1.0f
                   ? tosa::MaximumOp::create(b, loc, typeOf(x), x, ax).getResult()
                   : tosa::MinimumOp::create(b, loc, typeOf(x), x, ax).getResult();
    } else {
      float alpha = op == "HardSwish" ? 1.0f / 6 : floatAttr(node, "alpha", 0.2f);
      float beta = op == "HardSwish" ? 0.5f : floatAttr(node, "beta", 0.5f);
      Value hs = clamp(addC(mulBy(x, alpha), beta), 0.0f, 1.0f);
      result = op == "HardSigmoid" ? hs : mul(typeOf(x), x, hs);
    }
  } else if (op == "ReduceMean") {
    int64_t rank = hasNHWC(node, 0) ? 4 : shapeOf(input(node, 0)).size();
    SmallVector<int64_t> axes;
    if (auto *a = attr(node, "axes"))
      axes.assign(a->ints().begin(), a->ints().end());
    if (axes.empty())
      for (int64_t d = 0; d < rank; ++d)
        axes.push_back(d);
    for (int64_t &a : axes)
      a = a < 0 ? a + rank : a;
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
    SmallVector<int64_t> shape(shapeOf(x));
    int64_t count = 1;
    Value v = x;
    for (int64_t a : axes) {
      a = a < 0 ? a + rank : a;
      count *= shape[a];
      shape[a] = 1;
      v = tosa::ReduceSumOp::create(b, loc, RankedTensorType::get(shape, f32()), v,
                                    b.getI32IntegerAttr(a));
    }
    SmallVector<int64_t> ones(rank, 1);
    v = mul(typeOf(v), v, constant(ones, {1.0f / float(count)}));
    if (!keepdims) {
      SmallVector<int64_t> kept;
      for (int64_t d = 0; d < rank; ++d)
        if (!llvm::is_contained(axes, d))
          kept.push_back(shape[d]);
      v = reshape(v, kept);
    }
    result = v;
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
  } else if (op == "QuantizeLinear") {
    Value x = unaryInput();
    OnnxQuant q = quantOperands(node, 1, 2, shapeOf(x).size());
    if (resultNHWC && q.axis >= 0)
      q.axis = nhwcAxis(q.axis);
    result = qopt::qt::QuantizeOp::create(b, loc, typeOf(x).clone(int8Type(q)), x);
    if (q.isUnsigned())
      unsignedNames.insert(node.output(0));
  } else if (op == "DequantizeLinear") {
    if (initializers.count(node.input(0))) {
      const onnx::TensorProto &t = constantInput(node, 0);
      result = dequantizedConstant(t, quantOperands(node, 1, 2, t.dims_size()));
    } else {
      Value q = rawInput(node, 0, resultNHWC);
      if (!isa<quant::QuantizedType>(typeOf(q).getElementType()) &&
          !typeOf(q).getElementType().isSignlessInteger(8))
        fail("the input is not a quantized tensor (only QuantizeLinear, QLinearConv and "
             "QLinearMatMul results, integer graph inputs and integer constants can be "
             "dequantized)");
      OnnxQuant params = quantOperands(node, 1, 2, shapeOf(q).size());
      if (resultNHWC && params.axis >= 0)
        params.axis = nhwcAxis(params.axis);
      result = floatOf(asQuantized(q, params));
    }
  } else if (op == "QLinearConv" || op == "QLinearMatMul") {
    // The float op between dequantized operands and a quantized result:
    // qt-quantize-int8 turns it into one int8 op with the file's parameters.
    bool conv = op == "QLinearConv";
    bool nhwc;
    Value x = rawInput(node, 0, nhwc);
    OnnxQuant xq = quantOperands(node, 1, 2, 4), wq = quantOperands(node, 4, 5, conv ? 4 : 2, conv ? 0 : 1),
              yq = quantOperands(node, 6, 7, 4);
    if (!isa<quant::QuantizedType>(typeOf(x).getElementType()) &&
        !typeOf(x).getElementType().isSignlessInteger(8))
      fail("the input is not a quantized tensor");
    x = floatOf(asQuantized(x, xq));
    Value w = dequantizedConstant(constantInput(node, 3), wq);
    std::string prefix = node.output(0) + "#";
    (nhwc ? nhwcValues : values)[prefix + "x"] = x;
    values[prefix + "w"] = w;
    onnx::NodeProto inner;
    inner.add_input(prefix + "x");
    inner.add_input(prefix + "w");
    inner.add_output(prefix + "y");
    *inner.mutable_attribute() = node.attribute();
    Value y;
    if (conv) {
      if (node.input_size() > 8 && !node.input(8).empty()) {
        // B is int32 with scale x_scale * w_scale[c] and zero point 0.
        std::vector<int64_t> bias = ints(constantInput(node, 8));
        std::vector<float> biasF(bias.size());
        for (size_t c = 0; c < bias.size(); ++c)
          biasF[c] = float(bias[c]) * (xq.scales[0] * wq.scales[wq.axis >= 0 ? c : 0]);
        values[prefix + "b"] = constant({int64_t(bias.size())}, biasF);
        inner.add_input(prefix + "b");
      }
      y = spatial(inner, "Conv");
      resultNHWC = true;
    } else {
      y = matmulND(x, w);
    }
    result = qopt::qt::QuantizeOp::create(b, loc, typeOf(y).clone(int8Type(yq)), y);
    if (yq.isUnsigned())
      unsignedNames.insert(node.output(0));
  } else if (op == "MatMulInteger") {
    result = integerMatmul(node);
  } else if (op == "ConvInteger") {
    result = integerConv(node);
    resultNHWC = true;
  } else if (op == "Cast") {
    // Of a computed value: identity when it keeps the type (exporters cast
    // quantized tensors to their own type).
    Value x = rawInput(node, 0, resultNHWC);
    int64_t to = intAttr(node, "to", 0);
    Type element = typeOf(x).getElementType();
    bool quantized = isa<quant::QuantizedType>(element);
    if (element.isSignlessInteger(32) && to == onnx::TensorProto::FLOAT) {
      result = tosa::CastOp::create(b, loc, typeOf(x).clone(f32()), x); // exact below 2^24
    } else if ((quantized && to == (unsignedNames.count(node.input(0))
                                        ? onnx::TensorProto::UINT8
                                        : onnx::TensorProto::INT8)) ||
               (element.isF32() && to == onnx::TensorProto::FLOAT) ||
               (element.isSignlessInteger(32) && to == onnx::TensorProto::INT32)) {
      result = x;
      if (unsignedNames.count(node.input(0)))
        unsignedNames.insert(node.output(0));
    } else {
      fail("Cast to type " + Twine(to) + " of a computed value is not supported");
    }
  } else {
    fail("op type not supported by qopt's importer");
  }
  if (node.output_size() < 1)
    fail("the node has no output");
  (resultNHWC ? nhwcValues : values)[node.output(0)] = result;
  if (foldedBatchNorm) {
    (resultNHWC ? nhwcValues : values)[foldedBatchNorm->output(0)] = result;
    foldedNodes.insert(foldedBatchNorm);
  }
}


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

RankedTensorType Importer::inputType(const onnx::ValueInfoProto &info) {
  const auto &t = info.type().tensor_type();
  if (t.elem_type() != onnx::TensorProto::FLOAT && !isInt8Tensor(t.elem_type()) &&
      t.elem_type() != onnx::TensorProto::INT32)
    fail("graph input '" + info.name() + "' is neither float32 nor uint8 / int8 / int32");
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
  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc());
  std::string where = "graph";
  try {
    if (opset < 1 || opset > 17)
      fail("opset " + Twine(opset) + " is outside the opsets qopt imports (1 to 17)");
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
    // uint8 inputs (qt.unsigned) are carried as int8 minus 128.
    for (auto [i, in] : llvm::enumerate(args))
      if (in->type().tensor_type().elem_type() == onnx::TensorProto::UINT8) {
        unsignedNames.insert(in->name());
        func.setArgAttr(i, "qt.unsigned", b.getUnitAttr());
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
      func.setResultAttr(i, "qt.name", b.getStringAttr(out.name()));
      if (out.type().tensor_type().elem_type() == onnx::TensorProto::UINT8)
        func.setResultAttr(i, "qt.unsigned", b.getUnitAttr());
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
    SmallString<256> file(llvm::sys::path::parent_path(modelPath));
    llvm::sys::path::append(file, location);
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

} // namespace

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
  try {
    onnx::checker::check_model(model);
    onnx::shape_inference::InferShapes(model);
  } catch (const std::exception &e) {
    emitError(fileLoc) << "ONNX's checker rejects the model: " << e.what();
    return nullptr;
  }
  return Importer(context, path, options).run(model);
}
