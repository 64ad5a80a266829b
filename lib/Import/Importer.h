//===- Importer.h - the ONNX importer's state and helpers -------*- C++ -*-===//
//
// Private to lib/Import: the importer class shared by its source files.
// ImportONNX.cpp walks the graph and asks the op registry (OpRegistry.cpp)
// for each node's handler; the handlers live by op family in
// ElementwiseOps.cpp, ShapeOps.cpp, ReductionOps.cpp, ContractionOps.cpp,
// Spatial.cpp (and Spatial3D.cpp) and Quantized.cpp. Graph-level steps of
// their own: ShapeFolding.cpp (shape arithmetic folded to constants),
// BatchNormalization folding (Spatial.cpp) and the dynamic-quantization
// patterns (Quantized.cpp). Values.cpp: tensors, inputs and layouts;
// ModelChecks.cpp: ONNX's checker and shape inference.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_LIB_IMPORT_IMPORTER_H
#define QOPT_LIB_IMPORT_IMPORTER_H

#include "qopt/Import/ONNX.h"
#include "qopt/Dialect/QT/IR/QTOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringSet.h"

#include "onnx/onnx_pb.h"

#include <cfloat>
#include <cmath>
#include <algorithm>
#include <cstring>
#include <deque>
#include <numeric>

namespace qopt::onnx_import {

using namespace mlir;


/// The first windowed node (Conv, pooling) whose strides, dilations,
/// kernel sizes or ranks ONNX's shape inference would trip over, as a
/// message, or "" (ModelChecks.cpp).
std::string badWindow(const onnx::GraphProto &graph);
/// ONNX's checker and shape inference on `model`, in a child process; ""
/// or the message (ModelChecks.cpp).
std::string checkAndInferShapes(onnx::ModelProto &model);

/// Raised inside the importer with a message for the current node.
struct ImportError {
  std::string message;
};

class Importer;

/// What a handler made of a node: the value of its first output, and
/// whether that value is in NHWC (nhwcValues) rather than ONNX's layout.
struct Imported {
  Value value;
  bool nhwc = false;
};

/// The highest ONNX opset the importer reads (Debian's ONNX 1.12).
constexpr int64_t kMaxOpset = 17;

/// One op type of the registry: the opsets it is imported from (the first
/// that defines it, or the first whose form qopt reads) to kMaxOpset, the
/// family of ops (the source file) of its handler, and the handler, which
/// imports one node or fails with a message (ImportError). No handler: the
/// op is only folded at import (Constant, shape arithmetic).
struct OpEntry {
  const char *opType;
  int64_t minOpset, maxOpset;
  const char *family;
  Imported (Importer::*handler)(const onnx::NodeProto &node);
};
/// Every op type the importer knows, sorted by name (OpRegistry.cpp).
ArrayRef<OpEntry> opRegistry();
/// The entry of `opType`, or null.
const OpEntry *findOp(StringRef opType);

class Importer {
  friend ArrayRef<OpEntry> opRegistry();

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
  static bool isIntegerTensor(int32_t type) {
    using T = onnx::TensorProto;
    return type == T::INT8 || type == T::UINT8 || type == T::INT16 || type == T::UINT16 ||
           type == T::INT32 || type == T::UINT32 || type == T::INT64 || type == T::UINT64;
  }
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
  /// The rank of input i, without converting it (no dequantize made).
  int64_t rankOf(const onnx::NodeProto &node, int i) {
    bool nhwc;
    return shapeOf(rawInput(node, i, nhwc)).size();
  }
  /// ONNX values of type uint8 (carried as int8 minus 128), by name.
  llvm::StringSet<> unsignedNames;
  /// Operand i of MatMulInteger / ConvInteger as an i8 tensor (uint8 minus
  /// 128), and its zero point (input zpIndex, or 0) in the same terms.
  std::pair<Value, int64_t> integerOperand(const onnx::NodeProto &node, int i, int zpIndex,
                                           bool &nhwc);
  /// MatMulInteger / ConvInteger: TOSA's int8 matmul / conv2d, int32 results.
  Value integerMatmul(const onnx::NodeProto &node);
  Value integerConv(const onnx::NodeProto &node);
  /// ONNX Runtime's dynamic quantization of a MatMul or Conv:
  /// DynamicQuantizeLinear(x) -> MatMulInteger / ConvInteger(x_q, W, x_zp,
  /// W_zp) -> Cast(float) -> Mul(Mul(x_scale, W_scale)) [-> Add(bias)],
  /// imported as one qt.dynamic_fully_connected. Keyed by the integer op.
  struct DynamicPattern {
    const onnx::NodeProto *quantize, *scaleMul, *last;
    std::string weightScale, bias; // initializer names ("" : no bias)
  };
  llvm::DenseMap<const onnx::NodeProto *, DynamicPattern> dynamicPatterns;
  /// Finds the patterns above before the import; their other nodes are
  /// folded (only where every reader of a DynamicQuantizeLinear is one).
  void findDynamicPatterns(const onnx::GraphProto &graph);
  Value dynamicMatmul(const onnx::NodeProto &node, const DynamicPattern &m);
  /// The same pattern around a ConvInteger: im2col of the float input,
  /// then the fully connected layer; an NHWC result.
  Value dynamicConv(const onnx::NodeProto &node, const DynamicPattern &m);
  /// The qt.dynamic_fully_connected of both, on [rows, K] float rows with
  /// [N, K] weights as the file holds them (uint8 not yet shifted).
  Value dynamicFullyConnected(const onnx::NodeProto &node, const DynamicPattern &m, Value rows,
                              ArrayRef<int64_t> weights, bool isUnsigned, int64_t n);
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
  /// An int8 zero point operand of TOSA's integer matmul / conv2d.
  Value zeroPointConst(int64_t zp) {
    auto type = RankedTensorType::get({1}, b.getI8Type());
    return tosa::ConstOp::create(b, loc, type, DenseElementsAttr::get(type, int8_t(zp)));
  }
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
  /// The mean over `axes` (non-negative), kept as size-1 dimensions.
  Value reduceMean(Value v, ArrayRef<int64_t> axes) {
    SmallVector<int64_t> shape(shapeOf(v));
    int64_t count = 1;
    for (int64_t a : axes) {
      count *= shape[a];
      shape[a] = 1;
      v = tosa::ReduceSumOp::create(b, loc, RankedTensorType::get(shape, f32()), v,
                                    b.getI32IntegerAttr(a));
    }
    return mul(typeOf(v), v,
               constant(SmallVector<int64_t>(shape.size(), 1), {1.0f / float(count)}));
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
  /// The bias of a Conv / ConvTranspose (input 2): `channels` constants, or zeros.
  std::vector<float> biasOf(const onnx::NodeProto &node, int64_t channels);
  /// ConvTranspose (group 1) as tosa.transpose_conv2d on NHWC.
  Value convTranspose(const onnx::NodeProto &node);
  /// ConvTranspose's window over in.size() spatial axes (kernel: undilated
  /// sizes): per axis the output size, and the rows cropped at its begin
  /// and end from the full result (pads, or auto_pad / output_shape
  /// resolved).
  struct TransposedWindow {
    SmallVector<int64_t> stride, dilation, outPad, out, begin, end;
  };
  TransposedWindow transposedWindow(const onnx::NodeProto &node, ArrayRef<int64_t> in,
                                    ArrayRef<int64_t> kernel);
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
  /// An axis in [-rank, rank) as a non-negative one; out of range fails.
  static int64_t normalizedAxis(int64_t axis, int64_t rank) {
    if (axis < -rank || axis >= rank)
      fail("axis " + Twine(axis) + " is out of range for rank " + Twine(rank));
    return axis < 0 ? axis + rank : axis;
  }
  static SmallVector<int64_t> intsAttr(const onnx::NodeProto &n, StringRef name,
                                       SmallVector<int64_t> dflt) {
    if (auto *a = attr(n, name))
      return SmallVector<int64_t>(a->ints().begin(), a->ints().end());
    return dflt;
  }
  /// Sets (or adds) the integer-list attribute `name` of `n`.
  static void setIntsAttr(onnx::NodeProto &n, StringRef name, ArrayRef<int64_t> values) {
    onnx::AttributeProto *a = nullptr;
    for (auto &x : *n.mutable_attribute())
      if (x.name() == name)
        a = &x;
    if (!a) {
      a = n.add_attribute();
      a->set_name(name.str());
      a->set_type(onnx::AttributeProto::INTS);
    }
    a->clear_ints();
    for (int64_t v : values)
      a->add_ints(v);
  }
  /// The values of an input that must be a constant (initializer or Constant).
  const onnx::TensorProto &constantInput(const onnx::NodeProto &node, int i);
  Value clamp(Value x, float lo, float hi) {
    return tosa::ClampOp::create(b, loc, typeOf(x), x, b.getF32FloatAttr(lo),
                                 b.getF32FloatAttr(hi));
  }

  /// Channels [first, first + count) of an NHWC tensor (the tensor itself
  /// when that is all of them): one group of a grouped convolution.
  Value channelGroup(Value v, int64_t first, int64_t count) {
    SmallVector<int64_t> size(shapeOf(v));
    if (first == 0 && count == size[3])
      return v;
    size[3] = count;
    return tosa::SliceOp::create(b, loc, typeOf(v).clone(size), v,
                                 constShape({0, 0, 0, first}), constShape(size));
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
  /// The spatial window of a Conv or pooling node over inHW.size() spatial
  /// axes: TOSA's pads, begin and end per axis ([top, bottom, left, right]
  /// in 2-D; auto_pad resolved, and trimmed so that the window positions
  /// divide exactly, as TOSA requires), strides, dilations and the output
  /// size.
  struct Window {
    SmallVector<int64_t> pad, stride, dilation, out;
    SmallVector<int64_t> trim = {0, 0}; // input rows / columns no window reads
  };
  Window window(const onnx::NodeProto &node, ArrayRef<int64_t> inHW, ArrayRef<int64_t> kernel);
  /// The window's taps of NHWC `x` (padded by the window with `padValue`, a
  /// one-element constant), in (ky, kx) order, each [N, OH, OW, C]: one
  /// gather of rows, then of columns (dilated max pooling, im2col).
  SmallVector<Value> windowTaps(Value x, const Window &win, ArrayRef<int64_t> kernel,
                                DenseElementsAttr padValue);
  /// Whether every input row and column is read by some window position.
  static bool windowReadsAll(const Window &win, ArrayRef<int64_t> inHW,
                             ArrayRef<int64_t> kernel);
  /// A Conv, pooling or GlobalAveragePool node on NHWC: its NHWC result.
  Value spatial(const onnx::NodeProto &node, StringRef op);
  /// The same ops on [N, C, L]: as 2-D ops on [N, C, 1, L]; an [N, C, L] result.
  Value spatial1d(const onnx::NodeProto &node);
  /// Conv, ConvTranspose and pooling on [N, C, D, H, W] (Spatial3D.cpp):
  /// an [N, C, D, H, W] result.
  Value spatial3d(const onnx::NodeProto &node);
  Value conv3d(const onnx::NodeProto &node);
  Value convTranspose3d(const onnx::NodeProto &node);
  Value pool3d(const onnx::NodeProto &node);
  /// `v` with `stride` - 1 zeros between neighbours along `axis`.
  Value insertZeros(Value v, int axis, int64_t stride);
  /// The BatchNormalization that alone reads `conv`'s output, with
  /// constant parameters, so that it folds into the weights; else null.
  const onnx::NodeProto *foldableBatchNorm(const onnx::NodeProto &conv);
  /// BatchNormalization at inference as y = x * scale + shift per channel.
  std::pair<std::vector<float>, std::vector<float>>
  batchNormAffine(const onnx::NodeProto &bn, int64_t channels);
  /// Set by spatial() when it folded a BatchNormalization into a Conv.
  const onnx::NodeProto *foldedBatchNorm = nullptr;

  /// Imports one node with its registry entry's handler.
  void importNode(const onnx::NodeProto &node);

  // --- op handlers, by family (see OpRegistry.cpp) ------------------------
  // ElementwiseOps.cpp
  Imported importIdentity(const onnx::NodeProto &node);
  Imported importRelu(const onnx::NodeProto &node);
  Imported importClip(const onnx::NodeProto &node);
  Imported importPow(const onnx::NodeProto &node);
  Imported importNeg(const onnx::NodeProto &node);
  Imported importSoftplus(const onnx::NodeProto &node);
  /// Sigmoid, Tanh, Exp, Log, Abs, Reciprocal, Erf, Floor, Ceil: one TOSA op
  /// on float values, in the input's layout.
  template <typename OpTy>
  Imported importUnary(const onnx::NodeProto &node) {
    bool nhwc = false;
    Value x = unaryInput(node, nhwc);
    return {OpTy::create(b, loc, typeOf(x), x), nhwc};
  }
  Imported importArithmetic(const onnx::NodeProto &node);
  Imported importActivation(const onnx::NodeProto &node);
  Imported importBatchNormalization(const onnx::NodeProto &node);
  Imported importCast(const onnx::NodeProto &node);
  // ShapeOps.cpp
  Imported importSlice(const onnx::NodeProto &node);
  Imported importPad(const onnx::NodeProto &node);
  Imported importTranspose(const onnx::NodeProto &node);
  Imported importConcat(const onnx::NodeProto &node);
  Imported importSqueeze(const onnx::NodeProto &node);
  Imported importFlatten(const onnx::NodeProto &node);
  Imported importReshape(const onnx::NodeProto &node);
  Imported importGather(const onnx::NodeProto &node);
  Imported importExpand(const onnx::NodeProto &node);
  Imported importSplit(const onnx::NodeProto &node);
  // ReductionOps.cpp
  Imported importReduce(const onnx::NodeProto &node);
  Imported importLayerNormalization(const onnx::NodeProto &node);
  /// `x` reduced over `axes` (kept as size-1 dimensions) as the Reduce* op
  /// `op` reduces.
  Value reduce(StringRef op, Value x, ArrayRef<int64_t> axes);
  Imported importSoftmax(const onnx::NodeProto &node);
  // ContractionOps.cpp
  Imported importMatMul(const onnx::NodeProto &node);
  Imported importGemm(const onnx::NodeProto &node);
  // Spatial.cpp
  Imported importSpatial(const onnx::NodeProto &node);
  Imported importResize(const onnx::NodeProto &node);
  // Quantized.cpp
  Imported importQuantizeLinear(const onnx::NodeProto &node);
  Imported importDequantizeLinear(const onnx::NodeProto &node);
  Imported importQLinear(const onnx::NodeProto &node);
  Imported importMatMulInteger(const onnx::NodeProto &node);
  Imported importDynamicQuantizeLinear(const onnx::NodeProto &node);
  Imported importConvInteger(const onnx::NodeProto &node);

  /// Input 0 of an elementwise op in the layout it was computed in: NHWC
  /// (and `nhwc` set) when a spatial op made it, else ONNX's.
  Value unaryInput(const onnx::NodeProto &node, bool &nhwc);
  /// Inputs 0 and 1 of a binary elementwise op at the broadcast rank, in
  /// NHWC (`nhwc` set) when one was computed in NHWC and the result is 4-D;
  /// `shape` is the result's.
  std::pair<Value, Value> binaryOperands(const onnx::NodeProto &node, SmallVector<int64_t> &shape,
                                         bool &nhwc);
  template <typename OpTy>
  Value binary(const onnx::NodeProto &node, bool &nhwc) {
    SmallVector<int64_t> shape;
    auto [x, y] = binaryOperands(node, shape, nhwc);
    return OpTy::create(b, loc, RankedTensorType::get(shape, f32()), x, y);
  }
  /// BatchNormalization in training mode: batch statistics; the running
  /// mean and variance as outputs 1 and 2. `nhwc` tells the result's layout.
  Value batchNormTraining(const onnx::NodeProto &node, bool &nhwc);
  /// Slice of a computed tensor (constant starts / ends / axes / steps).
  Value slice(const onnx::NodeProto &node);
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

/// Reads the data of initializers and Constants kept in external files into
/// the model; an error message naming the tensor, or an empty string.
std::string loadExternalData(onnx::ModelProto &model, StringRef modelPath);

} // namespace qopt::onnx_import

#endif // QOPT_LIB_IMPORT_IMPORTER_H
