//===- Quantized.cpp - quantized and integer ONNX ops -----------*- C++ -*-===//
//
// Scales and zero points of QuantizeLinear / DequantizeLinear / QLinear*
// operands, weights given as integers, MatMulInteger, ConvInteger and
// integer arithmetic.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"
#include "qopt/Dialect/QT/IR/QTAttributes.h"

using namespace mlir;

namespace qopt::onnx_import {

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
    op->setAttr(qopt::kWeightScalesAttrName, b.getDenseF32ArrayAttr(scales));
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
  Value y = tosa::MatMulOp::create(b, loc, RankedTensorType::get({1, rows, n}, b.getI32Type()),
                                   reshape(a, {1, rows, k}), reshape(w, {1, k, n}), zeroPointConst(azp),
                                   zeroPointConst(wzp));
  SmallVector<int64_t> shape(shapeOf(a));
  shape.back() = n;
  return reshape(y, shape);
}

void Importer::findDynamicPatterns(const onnx::GraphProto &graph) {
  llvm::StringMap<const onnx::NodeProto *> producer;
  llvm::StringMap<SmallVector<const onnx::NodeProto *, 2>> readers;
  for (const auto &node : graph.node()) {
    for (const auto &out : node.output())
      producer[out] = &node;
    for (const auto &in : node.input())
      if (!in.empty())
        readers[in].push_back(&node);
  }
  auto producedBy = [&](StringRef name, StringRef op) -> const onnx::NodeProto * {
    auto it = producer.find(name);
    return it != producer.end() && it->second->op_type() == op ? it->second : nullptr;
  };
  // The one node reading `name`, if it is an `op` (and `name` is no graph
  // output).
  auto onlyReader = [&](StringRef name, StringRef op) -> const onnx::NodeProto * {
    auto it = readers.find(name);
    if (it == readers.end() || it->second.size() != 1 || consumers.lookup(name) != 1 ||
        it->second[0]->op_type() != op)
      return nullptr;
    return it->second[0];
  };
  // Initializers, and Constant nodes (registered as initializers only when
  // the import reaches them).
  auto isConstant = [&](StringRef name) {
    return initializers.count(name) || producedBy(name, "Constant");
  };
  auto constantDims = [&](StringRef name) -> std::vector<int64_t> {
    const onnx::TensorProto *t = initializers.lookup(name);
    if (const onnx::NodeProto *c = producedBy(name, "Constant"); !t && c)
      if (const auto *value = attr(*c, "value"); value && value->has_t())
        t = &value->t();
    return t ? std::vector<int64_t>(t->dims().begin(), t->dims().end())
             : std::vector<int64_t>{-1};
  };
  auto otherInput = [](const onnx::NodeProto &node, StringRef name) -> std::string {
    if (node.input_size() != 2)
      return "";
    return node.input(0) == name ? node.input(1) : node.input(1) == name ? node.input(0) : "";
  };
  llvm::DenseMap<const onnx::NodeProto *, SmallVector<const onnx::NodeProto *>> matched;
  for (const auto &node : graph.node()) {
    bool isConv = node.op_type() == "ConvInteger";
    if ((node.op_type() != "MatMulInteger" && !isConv) || node.input_size() < 3)
      continue;
    const onnx::NodeProto *q = producedBy(node.input(0), "DynamicQuantizeLinear");
    if (!q || q->output_size() != 3 || node.input(0) != q->output(0) ||
        node.input(2) != q->output(2) || !isConstant(node.input(1)))
      continue;
    const onnx::NodeProto *cast = onlyReader(node.output(0), "Cast");
    if (!cast || intAttr(*cast, "to", 0) != onnx::TensorProto::FLOAT)
      continue;
    const onnx::NodeProto *mul = onlyReader(cast->output(0), "Mul");
    if (!mul)
      continue;
    std::string product = otherInput(*mul, cast->output(0));
    const onnx::NodeProto *scaleMul = producedBy(product, "Mul");
    if (!scaleMul || consumers.lookup(product) != 1)
      continue;
    // One value per output channel: [N] after a MatMul,
    // [O, 1, 1] or [1, O, 1, 1] after a Conv (else the broadcast would be
    // another one).
    auto perChannel = [&](const std::vector<int64_t> &dims) {
      if (std::accumulate(dims.begin(), dims.end(), int64_t(1), std::multiplies<int64_t>()) == 1)
        return true; // one value: any shape
      return isConv ? (dims.size() == 3 && dims[1] == 1 && dims[2] == 1) ||
                          (dims.size() == 4 && dims[0] == 1 && dims[2] == 1 && dims[3] == 1)
                    : dims.size() == 1;
    };
    std::string weightScale = otherInput(*scaleMul, q->output(1));
    if (weightScale.empty() || !isConstant(weightScale) || !perChannel(constantDims(weightScale)))
      continue;
    DynamicPattern m{q, scaleMul, mul, weightScale, ""};
    if (const onnx::NodeProto *add = onlyReader(mul->output(0), "Add")) {
      std::string bias = otherInput(*add, mul->output(0));
      if (!bias.empty() && isConstant(bias) && perChannel(constantDims(bias))) {
        m.last = add;
        m.bias = bias;
      }
    }
    dynamicPatterns[&node] = m;
    matched[q].append({&node, cast, mul, scaleMul});
    if (m.last != mul)
      matched[q].push_back(m.last);
  }
  // A DynamicQuantizeLinear folds when every reader of its outputs is in
  // a pattern; otherwise none of its patterns does.
  for (auto &[q, nodes] : matched) {
    bool whole = true;
    for (const auto &out : q->output())
      for (const onnx::NodeProto *reader : readers.lookup(out))
        whole &= llvm::is_contained(nodes, reader);
    for (const auto &out : q->output())
      whole &= consumers.lookup(out) == int(readers.lookup(out).size());
    if (!whole) {
      for (const onnx::NodeProto *n : nodes)
        dynamicPatterns.erase(n);
      continue;
    }
    foldedNodes.insert(q);
    for (const onnx::NodeProto *n : nodes)
      if (n->op_type() != "MatMulInteger" && n->op_type() != "ConvInteger")
        foldedNodes.insert(n);
  }
}

Value Importer::dynamicFullyConnected(const onnx::NodeProto &node, const DynamicPattern &m,
                                      Value rows, ArrayRef<int64_t> weights, bool isUnsigned,
                                      int64_t n) {
  int64_t k = shapeOf(rows)[1];
  // Per output channel (a scalar applies to all): zero points in int8
  // terms, scales.
  std::vector<int64_t> zps(n, 0);
  if (node.input_size() > 3 && !node.input(3).empty()) {
    zps = ints(constantInput(node, 3));
    if (zps.size() == 1)
      zps.assign(n, zps[0]);
    if (int64_t(zps.size()) != n)
      fail("the weights' zero point must hold 1 or " + Twine(n) + " values");
  }
  auto constantNamed = [&](const std::string &name) -> const onnx::TensorProto & {
    const onnx::TensorProto *t = initializers.lookup(name);
    if (!t)
      fail("'" + name + "' is not a constant before the " + node.op_type());
    return *t;
  };
  std::vector<float> scaleValues = floats(constantNamed(m.weightScale));
  if (scaleValues.size() == 1)
    scaleValues.assign(n, scaleValues[0]);
  if (int64_t(scaleValues.size()) != n)
    fail("the weights' scale must hold 1 or " + Twine(n) + " values");
  SmallVector<double> scales(scaleValues.begin(), scaleValues.end());
  SmallVector<int64_t> zeroPoints;
  for (int64_t z : zps)
    zeroPoints.push_back(isUnsigned ? z - 128 : z);
  std::vector<int8_t> nk(weights.size());
  for (size_t i = 0; i < weights.size(); ++i)
    nk[i] = int8_t(isUnsigned ? weights[i] - 128 : weights[i]);
  auto storage = RankedTensorType::get({n, k}, b.getI8Type());
  auto qtype = quant::UniformQuantizedPerAxisType::get(
      quant::QuantizationFlags::Signed, b.getI8Type(), f32(), scales, zeroPoints, 0, -128, 127);
  Value w = quant::StorageCastOp::create(
      b, loc, storage.clone(qtype),
      tosa::ConstOp::create(b, loc, storage, DenseElementsAttr::get(storage, ArrayRef(nk))));
  Value bias;
  if (!m.bias.empty()) {
    std::vector<float> biasValues = floats(constantNamed(m.bias));
    if (biasValues.size() == 1)
      biasValues.assign(n, biasValues[0]);
    if (int64_t(biasValues.size()) != n)
      fail("the bias added after the " + node.op_type() + " must hold " + Twine(n) + " values");
    bias = constant({n}, biasValues);
  }
  return qt::DynamicFullyConnectedOp::create(
      b, loc, RankedTensorType::get({shapeOf(rows)[0], n}, f32()), rows, w, bias, FloatAttr(),
      FloatAttr());
}

Value Importer::dynamicMatmul(const onnx::NodeProto &node, const DynamicPattern &m) {
  Value x = input(*m.quantize, 0);
  const onnx::TensorProto &wt = constantInput(node, 1);
  if (!isInt8Tensor(wt.data_type()) || wt.dims_size() != 2)
    fail("the weights must be a constant uint8 or int8 [K, N] tensor");
  int64_t k = wt.dims(0), n = wt.dims(1);
  if (shapeOf(x).empty() || shapeOf(x).back() != k)
    fail("the input's last dimension is not the weights' " + Twine(k));
  // [K, N] -> [N, K]
  std::vector<int64_t> data = ints(wt), nk(k * n);
  for (int64_t i = 0; i < k; ++i)
    for (int64_t j = 0; j < n; ++j)
      nk[j * k + i] = data[i * n + j];
  int64_t rows = typeOf(x).getNumElements() / k;
  Value y = dynamicFullyConnected(node, m, reshape(x, {rows, k}), nk,
                                  wt.data_type() == onnx::TensorProto::UINT8, n);
  SmallVector<int64_t> shape(shapeOf(x));
  shape.back() = n;
  return reshape(y, shape);
}

Value Importer::dynamicConv(const onnx::NodeProto &node, const DynamicPattern &m) {
  Value xh = inputNHWC(*m.quantize, 0);
  const onnx::TensorProto &wt = constantInput(node, 1);
  if (!isInt8Tensor(wt.data_type()) || wt.dims_size() != 4)
    fail("the weights must be a constant uint8 or int8 [O, C, KH, KW] tensor");
  if (intAttr(node, "group", 1) != 1)
    fail("a grouped ConvInteger is not supported yet");
  int64_t batch = shapeOf(xh)[0], h = shapeOf(xh)[1], w = shapeOf(xh)[2], c = shapeOf(xh)[3];
  int64_t o = wt.dims(0), kh = wt.dims(2), kw = wt.dims(3);
  if (wt.dims(1) != c)
    fail("the weights have " + Twine(wt.dims(1)) + " input channels for an input of " +
         Twine(c));
  Window win = window(node, {h, w}, {kh, kw});
  // im2col in float: the input padded with 0.0 (which quantizes to the zero
  // point, as ConvInteger pads), one gather per tap, taps concatenated:
  // rows of [KH, KW, C] patches.
  auto zeroType = RankedTensorType::get({1}, f32());
  SmallVector<Value> taps =
      windowTaps(xh, win, {kh, kw}, DenseElementsAttr::get(zeroType, 0.0f));
  int64_t oh = win.out[0], ow = win.out[1], k = kh * kw * c;
  Value patches = taps.size() == 1
                      ? taps[0]
                      : tosa::ConcatOp::create(b, loc,
                                               RankedTensorType::get({batch, oh, ow, k}, f32()),
                                               taps, b.getI32IntegerAttr(3))
                            .getResult();
  int64_t rowsCount = batch * oh * ow;
  Value rows = reshape(patches, {rowsCount, k});
  // Inputs no window reads still set the range (DynamicQuantizeLinear's is
  // the whole input's): appended as extra rows (the whole input,
  // zero-filled to a multiple of K), their outputs dropped.
  int64_t extra = 0;
  if (!windowReadsAll(win, {h, w}, {kh, kw})) {
    int64_t total = batch * h * w * c;
    extra = (total + k - 1) / k;
    Value flat = reshape(xh, {1, total});
    if (extra * k != total)
      flat = tosa::PadOp::create(b, loc, RankedTensorType::get({1, extra * k}, f32()), flat,
                                 constShape({0, 0, 0, extra * k - total}), constant({1}, {0.0f}));
    rows = tosa::ConcatOp::create(b, loc, RankedTensorType::get({rowsCount + extra, k}, f32()),
                                  ValueRange{rows, reshape(flat, {extra, k})},
                                  b.getI32IntegerAttr(0));
  }
  // [O, C, KH, KW] -> [O, KH * KW * C]
  std::vector<int64_t> data = ints(wt), ok(o * k);
  for (int64_t a = 0; a < o; ++a)
    for (int64_t i = 0; i < c; ++i)
      for (int64_t y = 0; y < kh; ++y)
        for (int64_t x = 0; x < kw; ++x)
          ok[a * k + (y * kw + x) * c + i] = data[((a * c + i) * kh + y) * kw + x];
  Value y = dynamicFullyConnected(node, m, rows, ok, wt.data_type() == onnx::TensorProto::UINT8,
                                  o);
  if (extra)
    y = tosa::SliceOp::create(b, loc, RankedTensorType::get({rowsCount, o}, f32()), y,
                              constShape({0, 0}), constShape({rowsCount, o}));
  return reshape(y, {batch, oh, ow, o});
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
  // TOSA pads with the input zero point, as ONNX's ConvInteger.
  return tosa::Conv2DOp::create(
      b, loc, RankedTensorType::get({n, win.out[0], win.out[1], o}, b.getI32Type()), x,
      tosa::ConstOp::create(b, loc, wType, DenseElementsAttr::get(wType, ArrayRef<int8_t>(ohwi))),
      tosa::ConstOp::create(b, loc, biasType, DenseElementsAttr::get(biasType, int32_t(0))),
      zeroPointConst(xzp), zeroPointConst(wzp), b.getDenseI64ArrayAttr(win.pad),
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

Imported Importer::importQuantizeLinear(const onnx::NodeProto &node) {
  Value result;
  bool resultNHWC = false;
  Value x = unaryInput(node, resultNHWC);
  OnnxQuant q = quantOperands(node, 1, 2, shapeOf(x).size());
  if (resultNHWC && q.axis >= 0)
    q.axis = nhwcAxis(q.axis);
  result = qopt::qt::QuantizeOp::create(b, loc, typeOf(x).clone(int8Type(q)), x);
  if (q.isUnsigned())
    unsignedNames.insert(node.output(0));
  return {result, resultNHWC};
}

Imported Importer::importDequantizeLinear(const onnx::NodeProto &node) {
  Value result;
  bool resultNHWC = false;
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
  return {result, resultNHWC};
}

/// QLinearConv and QLinearMatMul.
Imported Importer::importQLinear(const onnx::NodeProto &node) {
  StringRef op = node.op_type();
  Value result;
  bool resultNHWC = false;
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
  return {result, resultNHWC};
}

Imported Importer::importMatMulInteger(const onnx::NodeProto &node) {
  Value result;
  bool resultNHWC = false;
  if (auto it = dynamicPatterns.find(&node); it != dynamicPatterns.end()) {
    const DynamicPattern &m = it->second;
    result = dynamicMatmul(node, m);
    values[m.last->output(0)] = result;
  } else {
    result = integerMatmul(node);
  }
  return {result, resultNHWC};
}

Imported Importer::importDynamicQuantizeLinear(const onnx::NodeProto &node) {
  Value result;
  bool resultNHWC = false;
  fail("DynamicQuantizeLinear is imported only where each of its outputs feeds ONNX "
       "Runtime's dynamic MatMul or Conv pattern: MatMulInteger or ConvInteger -> "
       "Cast(float) -> Mul(x_scale * W_scale) [-> Add(bias)], with constant weights");
  return {result, resultNHWC};
}

Imported Importer::importConvInteger(const onnx::NodeProto &node) {
  Value result;
  bool resultNHWC = false;
  if (auto it = dynamicPatterns.find(&node); it != dynamicPatterns.end()) {
    const DynamicPattern &m = it->second;
    result = dynamicConv(node, m);
    resultNHWC = true;
    nhwcValues[m.last->output(0)] = result;
  } else {
    result = integerConv(node);
    resultNHWC = true;
  }
  return {result, resultNHWC};
}

} // namespace qopt::onnx_import
