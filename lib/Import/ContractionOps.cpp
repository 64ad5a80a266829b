//===- ContractionOps.cpp - MatMul and Gemm -----------------------*- C++ -*-===//
//
// Handlers of the op registry (OpRegistry.cpp) for the float contractions
// that are not spatial (MatMul, Gemm), and the matmul forms qopt quantizes.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

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

Imported Importer::importMatMul(const onnx::NodeProto &node) {
  return {matmulND(input(node, 0), input(node, 1))};
}

Imported Importer::importGemm(const onnx::NodeProto &node) {
  Value result;
  bool resultNHWC = false;
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
  return {result, resultNHWC};
}

} // namespace qopt::onnx_import
