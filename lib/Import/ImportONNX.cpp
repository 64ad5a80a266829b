//===- ImportONNX.cpp - ONNX models to TOSA MLIR ----------------*- C++ -*-===//
//
// A graph becomes one func.func @main with static shapes. Each supported
// ONNX op is emitted as TOSA 1.0 (and qt) ops; anything else is an error
// naming the node, its op type and the model's opset, so that no partial
// model is ever written. The importer's helpers live in Values.cpp,
// Spatial.cpp and Quantized.cpp.
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
  } else if (op == "Pow" || op == "Sqrt") {
    // x^2 and x^3 as products (as ONNX Runtime computes them); others with
    // tosa.pow.
    Value x = op == "Sqrt" ? unaryInput() : input(node, 0);
    // A constant integer exponent (any integer type, as exporters write
    // `x ** 2`) becomes float: exact below 2^24.
    std::optional<Value> integerExponent;
    if (op == "Pow" && initializers.count(node.input(1)) &&
        isIntegerTensor(constantInput(node, 1).data_type())) {
      const onnx::TensorProto &t = constantInput(node, 1);
      std::vector<int64_t> v = ints(t);
      if (llvm::any_of(v, [](int64_t i) { return std::abs(i) > (1 << 24); }))
        fail("an integer exponent beyond 2^24 is not supported");
      integerExponent = constant(SmallVector<int64_t>(t.dims().begin(), t.dims().end()),
                                 std::vector<float>(v.begin(), v.end()));
    }
    std::optional<std::vector<float>> e =
        op == "Sqrt" ? std::vector<float>{0.5f}
                     : constantData(integerExponent ? *integerExponent : input(node, 1));
    if (e && e->size() == 1 && ((*e)[0] == 2.0f || (*e)[0] == 3.0f)) {
      result = mul(typeOf(x), x, x);
      if ((*e)[0] == 3.0f)
        result = mul(typeOf(x), result, x);
    } else {
      SmallVector<int64_t> shape;
      Value exponent = e && e->size() == 1
                           ? constant(SmallVector<int64_t>(shapeOf(x).size(), 1), *e)
                       : integerExponent ? *integerExponent
                                         : input(node, 1);
      auto [base, power] = broadcast(x, exponent, shape);
      result = tosa::PowOp::create(b, loc, RankedTensorType::get(shape, f32()), base, power);
    }
  } else if (op == "Slice") {
    result = slice(node);
  } else if (op == "Sigmoid") {
    Value x = unaryInput();
    result = tosa::SigmoidOp::create(b, loc, typeOf(x), x);
  } else if (op == "Tanh") {
    Value x = unaryInput();
    result = tosa::TanhOp::create(b, loc, typeOf(x), x);
  } else if ((op == "Add" || op == "Sub" || op == "Mul" || op == "Div") &&
             hasIntegerInput(node)) {
    result = integerArithmetic(node);
  } else if ((op == "Conv" || op == "MaxPool" || op == "AveragePool" ||
              op == "GlobalAveragePool" || op == "ConvTranspose") &&
             !hasNHWC(node, 0) && rankOf(node, 0) == 5) {
    result = spatial3d(node);
  } else if (op == "MaxPool" && hasIntegerInput(node) && !hasNHWC(node, 0) &&
             shapeOf(anyInput(node, 0)).size() == 4) {
    // On the integers (uint8 as int8 minus 128 keeps the order).
    std::string name = node.output(0) + "#nhwc";
    nhwcValues[name] = transpose(anyInput(node, 0), {0, 2, 3, 1});
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
  } else if (op == "BatchNormalization" && intAttr(node, "training_mode", 0)) {
    result = batchNormTraining(node, resultNHWC);
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
  } else if (op == "Squeeze" || op == "Unsqueeze") {
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
  } else if (op == "Softmax") {
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
  } else if (op == "MatMulInteger" && dynamicPatterns.count(&node)) {
    const DynamicPattern &m = dynamicPatterns.find(&node)->second;
    result = dynamicMatmul(node, m);
    values[m.last->output(0)] = result;
  } else if (op == "MatMulInteger") {
    result = integerMatmul(node);
  } else if (op == "DynamicQuantizeLinear") {
    fail("DynamicQuantizeLinear is imported only where each of its outputs feeds ONNX "
         "Runtime's dynamic MatMul or Conv pattern: MatMulInteger or ConvInteger -> "
         "Cast(float) -> Mul(x_scale * W_scale) [-> Add(bias)], with constant weights");
  } else if (op == "ConvInteger" && dynamicPatterns.count(&node)) {
    const DynamicPattern &m = dynamicPatterns.find(&node)->second;
    result = dynamicConv(node, m);
    resultNHWC = true;
    nhwcValues[m.last->output(0)] = result;
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

Value Importer::batchNormTraining(const onnx::NodeProto &node, bool &nhwc) {
  // Batch statistics (ONNX: population variance), and the running mean and
  // variance updated with `momentum` as outputs 1 and 2.
  bool hasNHWC_ = hasNHWC(node, 0);
  Value x = hasNHWC_ ? floatOf(nhwcValues[node.input(0)]) : input(node, 0);
  nhwc = hasNHWC_;
  int64_t rank = shapeOf(x).size(), axis = nhwc ? 3 : 1, c = shapeOf(x)[axis];
  if (rank < 2)
    fail("the input needs a channel dimension");
  std::vector<std::vector<float>> p;
  for (int i = 1; i <= 4; ++i) {
    p.push_back(floats(constantInput(node, i)));
    if (p.back().size() != size_t(c))
      fail("scale, bias, mean and variance must be constants of " + Twine(c) + " values");
  }
  float eps = floatAttr(node, "epsilon", 1e-5f), momentum = floatAttr(node, "momentum", 0.9f);
  SmallVector<int64_t> channelShape(rank, 1);
  channelShape[axis] = c;
  SmallVector<int64_t> others;
  for (int64_t d = 0; d < rank; ++d)
    if (d != axis)
      others.push_back(d);
  Value mean = reduceMean(x, others);
  Value d = tosa::SubOp::create(b, loc, typeOf(x), x, mean);
  Value var = reduceMean(mul(typeOf(d), d, d), others);
  Value inv = tosa::RsqrtOp::create(
      b, loc, typeOf(var),
      tosa::AddOp::create(b, loc, typeOf(var), var,
                          constant(SmallVector<int64_t>(rank, 1), {eps})));
  Value y = mul(typeOf(x), d, mul(typeOf(inv), inv, constant(channelShape, p[0])));
  y = tosa::AddOp::create(b, loc, typeOf(x), y, constant(channelShape, p[1]));
  auto running = [&](Value current, const std::vector<float> &old) {
    Value cur = reshape(current, {c});
    Value scaled = mul(typeOf(cur), cur, constant({1}, {1.0f - momentum}));
    std::vector<float> kept(old);
    for (float &v : kept)
      v *= momentum;
    return tosa::AddOp::create(b, loc, typeOf(cur), scaled, constant({c}, kept)).getResult();
  };
  if (node.output_size() > 1 && !node.output(1).empty())
    values[node.output(1)] = running(mean, p[2]);
  if (node.output_size() > 2 && !node.output(2).empty())
    values[node.output(2)] = running(var, p[3]);
  return y;
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
