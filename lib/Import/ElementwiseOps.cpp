//===- ElementwiseOps.cpp - elementwise ONNX ops ------------------*- C++ -*-===//
//
// Handlers of the op registry (OpRegistry.cpp) for elementwise ops:
// activations, arithmetic, Cast, and BatchNormalization where it does not
// fold into a Conv. Elementwise ops keep the layout of what they read.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include <cfloat>

using namespace mlir;

namespace qopt::onnx_import {

/// Identity, and Dropout at inference (nothing dropped; the mask all true).
Imported Importer::importIdentity(const onnx::NodeProto &node) {
  StringRef op = node.op_type();
  Value result;
  bool resultNHWC = false;
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
  result = unaryInput(node, resultNHWC);
  return {result, resultNHWC};
}

Imported Importer::importRelu(const onnx::NodeProto &node) {
  bool nhwc = false;
  Value x = unaryInput(node, nhwc);
  return {clamp(x, 0.0f, FLT_MAX), nhwc};
}

/// Clip of integer tensors (integer bounds) or of float values.
Imported Importer::importClip(const onnx::NodeProto &node) {
  Value result;
  bool resultNHWC = false;
  if (hasIntegerInput(node)) {
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
  } else {
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
    result = clamp(unaryInput(node, resultNHWC), lo, hi);
  }
  return {result, resultNHWC};
}

/// Pow and Sqrt: x^2 and x^3 as products (as ONNX Runtime computes them);
/// others with tosa.pow.
Imported Importer::importPow(const onnx::NodeProto &node) {
  StringRef op = node.op_type();
  Value result;
  bool resultNHWC = false;
  // x^2 and x^3 as products (as ONNX Runtime computes them); others with
  // tosa.pow.
  Value x = op == "Sqrt" ? unaryInput(node, resultNHWC) : input(node, 0);
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
  return {result, resultNHWC};
}

Imported Importer::importNeg(const onnx::NodeProto &node) {
  bool nhwc = false;
  Value x = unaryInput(node, nhwc);
  Value zp = zeroPoint();
  return {tosa::NegateOp::create(b, loc, typeOf(x), x, zp, zp), nhwc};
}

/// Softplus: log(exp(x) + 1), as ONNX's reference computes it.
Imported Importer::importSoftplus(const onnx::NodeProto &node) {
  bool nhwc = false;
  Value x = unaryInput(node, nhwc);
  Value e = tosa::ExpOp::create(b, loc, typeOf(x), x);
  Value one = constant(SmallVector<int64_t>(shapeOf(x).size(), 1), {1.0f});
  Value sum = tosa::AddOp::create(b, loc, typeOf(x), e, one);
  return {tosa::LogOp::create(b, loc, typeOf(x), sum), nhwc};
}

/// Add, Sub, Mul, Div: wrapping integer arithmetic on integer tensors,
/// TOSA on float ones (x / c as x * (1 / c) for a constant c).
Imported Importer::importArithmetic(const onnx::NodeProto &node) {
  StringRef op = node.op_type();
  Value result;
  bool resultNHWC = false;
  if (hasIntegerInput(node)) {
    result = integerArithmetic(node);
  } else if (op == "Add") {
    result = binary<tosa::AddOp>(node, resultNHWC);
  } else if (op == "Sub") {
    result = binary<tosa::SubOp>(node, resultNHWC);
  } else {
    SmallVector<int64_t> shape;
    auto [x, y] = binaryOperands(node, shape, resultNHWC);
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
  }
  return {result, resultNHWC};
}

/// LeakyRelu, HardSigmoid, HardSwish.
Imported Importer::importActivation(const onnx::NodeProto &node) {
  StringRef op = node.op_type();
  Value result;
  bool resultNHWC = false;
  Value x = unaryInput(node, resultNHWC);
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
  return {result, resultNHWC};
}

/// BatchNormalization not folded into a Conv: y = x * a + b per channel, or
/// batch statistics in training mode.
Imported Importer::importBatchNormalization(const onnx::NodeProto &node) {
  Value result;
  bool resultNHWC = false;
  if (intAttr(node, "training_mode", 0)) {
    result = batchNormTraining(node, resultNHWC);
  } else {
    // Not after a Conv it folds into: y = x * a + b per channel.
    Value x = unaryInput(node, resultNHWC);
    if (shapeOf(x).size() < 2)
      fail("the input needs a channel dimension");
    int64_t axis = resultNHWC ? 3 : 1, c = shapeOf(x)[axis];
    auto [a, shift] = batchNormAffine(node, c);
    SmallVector<int64_t> shape(shapeOf(x).size(), 1);
    shape[axis] = c;
    Value scaled = mul(typeOf(x), x, constant(shape, a));
    result = tosa::AddOp::create(b, loc, typeOf(x), scaled, constant(shape, shift));
  }
  return {result, resultNHWC};
}

Imported Importer::importCast(const onnx::NodeProto &node) {
  Value result;
  bool resultNHWC = false;
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
  return {result, resultNHWC};
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

} // namespace qopt::onnx_import
