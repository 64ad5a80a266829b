//===- Spatial3D.cpp - 3-D convolutions and pooling -------------*- C++ -*-===//
//
// Conv, ConvTranspose and pooling on [N, C, D, H, W]. TOSA has conv3d but
// no 3-D pooling or transposed convolution:
// - pooling runs as a 2-D pooling over (H, W) and one over D: a maximum is
//   separable, and so is an average (its sum, and its count — the product
//   of the per-axis counts whether padding counts or not);
// - a transposed convolution is a stride-1 convolution of the input with
//   stride - 1 zeros inserted between neighbours, padded so that every tap
//   meets it, with the kernel flipped.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

using namespace mlir;

namespace qopt::onnx_import {

Value Importer::spatial3d(const onnx::NodeProto &node) {
  StringRef op = node.op_type();
  if (op == "Conv")
    return conv3d(node);
  if (op == "ConvTranspose")
    return convTranspose3d(node);
  return pool3d(node);
}

Value Importer::conv3d(const onnx::NodeProto &node) {
  Value x = input(node, 0), w = input(node, 1);
  auto data = constantData(w);
  if (!data || shapeOf(w).size() != 5)
    fail("the weights must be a constant 5-D tensor");
  if (intAttr(node, "group", 1) != 1)
    fail("a grouped 3-D Conv is not supported yet");
  SmallVector<int64_t> s(shapeOf(x)); // N, C, D, H, W
  int64_t n = s[0], c = s[1], o = shapeOf(w)[0], ic = shapeOf(w)[1];
  SmallVector<int64_t> k = {shapeOf(w)[2], shapeOf(w)[3], shapeOf(w)[4]};
  if (ic != c)
    fail("the weights have " + Twine(ic) + " input channels for an input of " + Twine(c));
  Window win = window(node, {s[2], s[3], s[4]}, k);
  Value xh = transpose(x, {0, 2, 3, 4, 1});
  if (llvm::any_of(win.trim, [](int64_t t) { return t != 0; })) {
    SmallVector<int64_t> size = {n, s[2] - win.trim[0], s[3] - win.trim[1], s[4] - win.trim[2], c};
    xh = tosa::SliceOp::create(b, loc, typeOf(xh).clone(size), xh, constShape({0, 0, 0, 0, 0}),
                               constShape(size));
  }
  // [O, I, KD, KH, KW] -> [O, KD, KH, KW, I]
  int64_t taps = k[0] * k[1] * k[2];
  std::vector<float> odhwi(data->size());
  for (int64_t a = 0; a < o; ++a)
    for (int64_t i = 0; i < ic; ++i)
      for (int64_t t = 0; t < taps; ++t)
        odhwi[(a * taps + t) * ic + i] = (*data)[(a * ic + i) * taps + t];
  Value y = tosa::Conv3DOp::create(
      b, loc, RankedTensorType::get({n, win.out[0], win.out[1], win.out[2], o}, f32()), xh,
      constant({o, k[0], k[1], k[2], ic}, odhwi), constant({o}, biasOf(node, o)),
      b.getDenseI64ArrayAttr(win.pad), b.getDenseI64ArrayAttr(win.stride),
      b.getDenseI64ArrayAttr(win.dilation), TypeAttr::get(f32()));
  return transpose(y, {0, 4, 1, 2, 3});
}

Value Importer::insertZeros(Value v, int axis, int64_t stride) {
  SmallVector<int64_t> shape(shapeOf(v));
  int64_t outer = 1, inner = 1, len = shape[axis];
  for (int d = 0; d < int(shape.size()); ++d)
    if (d != axis)
      (d < axis ? outer : inner) *= shape[d];
  // [outer, len, 1, inner] padded to [outer, len, stride, inner], the last
  // stride - 1 zeros dropped.
  Value padded = tosa::PadOp::create(
      b, loc, typeOf(v).clone({outer, len, stride, inner}), reshape(v, {outer, len, 1, inner}),
      constShape({0, 0, 0, 0, 0, stride - 1, 0, 0}), constant({1}, {0.0f}));
  int64_t spread = (len - 1) * stride + 1;
  Value flat = reshape(padded, {outer, len * stride, inner});
  Value cut = tosa::SliceOp::create(b, loc, typeOf(flat).clone({outer, spread, inner}), flat,
                                    constShape({0, 0, 0}), constShape({outer, spread, inner}));
  shape[axis] = spread;
  return reshape(cut, shape);
}

Value Importer::convTranspose3d(const onnx::NodeProto &node) {
  Value x = input(node, 0), w = input(node, 1);
  auto data = constantData(w);
  SmallVector<int64_t> s(shapeOf(x)); // N, C, D, H, W
  int64_t n = s[0], c = s[1];
  if (!data || shapeOf(w).size() != 5 || shapeOf(w)[0] != c)
    fail("the weights must be a constant [C, O, KD, KH, KW] tensor for an input of " +
         Twine(c) + " channels");
  if (intAttr(node, "group", 1) != 1)
    fail("a grouped 3-D ConvTranspose is not supported yet");
  int64_t o = shapeOf(w)[1];
  SmallVector<int64_t> in = {s[2], s[3], s[4]}, k = {shapeOf(w)[2], shapeOf(w)[3], shapeOf(w)[4]};
  TransposedWindow tw = transposedWindow(node, in, k);
  Value xh = transpose(x, {0, 2, 3, 4, 1}); // N, D, H, W, C
  // Per axis: zeros between the inputs, then padding so that the first
  // output row sees the last tap; negative padding crops the input instead.
  SmallVector<int64_t> pad, start(5, 0), size;
  for (int a = 0; a < 3; ++a) {
    if (tw.stride[a] > 1)
      xh = insertZeros(xh, 1 + a, tw.stride[a]);
    int64_t len = shapeOf(xh)[1 + a], extent = (k[a] - 1) * tw.dilation[a] + 1;
    int64_t before = extent - 1 - tw.begin[a];
    int64_t after = tw.out[a] + extent - 1 - len - before;
    start[1 + a] = std::max<int64_t>(0, -before);
    size.push_back(len - start[1 + a] - std::max<int64_t>(0, -after));
    if (size.back() < 1)
      fail("the pads crop away the whole input");
    pad.append({std::max<int64_t>(0, before), std::max<int64_t>(0, after)});
  }
  if (llvm::any_of(start, [](int64_t v) { return v != 0; }) ||
      SmallVector<int64_t>(shapeOf(xh).slice(1, 3)) != size) {
    SmallVector<int64_t> shape = {n, size[0], size[1], size[2], c};
    xh = tosa::SliceOp::create(b, loc, typeOf(xh).clone(shape), xh, constShape(start),
                               constShape(shape));
  }
  // [C, O, KD, KH, KW] -> [O, KD, KH, KW, C], every axis reversed (the
  // flat tap index reversed).
  int64_t taps = k[0] * k[1] * k[2];
  std::vector<float> flipped(data->size());
  for (int64_t i = 0; i < c; ++i)
    for (int64_t a = 0; a < o; ++a)
      for (int64_t t = 0; t < taps; ++t)
        flipped[(a * taps + taps - 1 - t) * c + i] = (*data)[(i * o + a) * taps + t];
  Value y = tosa::Conv3DOp::create(
      b, loc, RankedTensorType::get({n, tw.out[0], tw.out[1], tw.out[2], o}, f32()), xh,
      constant({o, k[0], k[1], k[2], c}, flipped), constant({o}, biasOf(node, o)),
      b.getDenseI64ArrayAttr(pad), b.getDenseI64ArrayAttr({1, 1, 1}),
      b.getDenseI64ArrayAttr(tw.dilation), TypeAttr::get(f32()));
  return transpose(y, {0, 4, 1, 2, 3});
}

Value Importer::pool3d(const onnx::NodeProto &node) {
  StringRef op = node.op_type();
  Value x = input(node, 0);
  SmallVector<int64_t> s(shapeOf(x)); // N, C, D, H, W
  int64_t n = s[0], c = s[1], d = s[2];
  if (op == "MaxPool" && node.output_size() > 1 && !node.output(1).empty())
    fail("the Indices output of a 3-D MaxPool is not supported");
  SmallVector<int64_t> kernel = op == "GlobalAveragePool" ? SmallVector<int64_t>{s[2], s[3], s[4]}
                                                          : intsAttr(node, "kernel_shape", {});
  SmallVector<int64_t> stride = intsAttr(node, "strides", {1, 1, 1}),
                       dilation = intsAttr(node, "dilations", {1, 1, 1}),
                       pads = intsAttr(node, "pads", {0, 0, 0, 0, 0, 0});
  if (kernel.size() != 3 || stride.size() != 3 || dilation.size() != 3 || pads.size() != 6)
    fail("kernel_shape, strides, dilations and pads must give 3, 3, 3 and 6 values");
  onnx::NodeProto pool = node;
  pool.set_op_type(op == "MaxPool" ? "MaxPool" : "AveragePool");
  // (H, W) windows on [N * D, H, W, C] ...
  std::string hwName = node.output(0) + "#hw";
  nhwcValues[hwName] = reshape(transpose(x, {0, 2, 3, 4, 1}), {n * d, s[3], s[4], c});
  pool.clear_input();
  pool.add_input(hwName);
  setIntsAttr(pool, "kernel_shape", {kernel[1], kernel[2]});
  setIntsAttr(pool, "strides", {stride[1], stride[2]});
  setIntsAttr(pool, "dilations", {dilation[1], dilation[2]});
  setIntsAttr(pool, "pads", {pads[1], pads[2], pads[4], pads[5]});
  Value hw = spatial(pool, pool.op_type());
  int64_t oh = shapeOf(hw)[1], ow = shapeOf(hw)[2];
  // ... then D windows on [N, D, OH * OW, C].
  std::string dName = node.output(0) + "#d";
  nhwcValues[dName] = reshape(hw, {n, d, oh * ow, c});
  pool.set_input(0, dName);
  setIntsAttr(pool, "kernel_shape", {kernel[0], 1});
  setIntsAttr(pool, "strides", {stride[0], 1});
  setIntsAttr(pool, "dilations", {dilation[0], 1});
  setIntsAttr(pool, "pads", {pads[0], 0, pads[3], 0});
  Value y = spatial(pool, pool.op_type());
  return transpose(reshape(y, {n, shapeOf(y)[1], oh, ow, c}), {0, 4, 1, 2, 3});
}

} // namespace qopt::onnx_import
