//===- Spatial.cpp - convolutions, pooling and resizing ---------*- C++ -*-===//
//
// Conv, ConvTranspose, pooling (1-D as 2-D), BatchNormalization folding,
// Resize / Upsample, on NHWC.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

using namespace mlir;

namespace qopt::onnx_import {

Value Importer::convTranspose(const onnx::NodeProto &node) {
  Value xh = inputNHWC(node, 0);
  int64_t n = shapeOf(xh)[0], c = shapeOf(xh)[3];
  SmallVector<int64_t> in = {shapeOf(xh)[1], shapeOf(xh)[2]};
  auto data = constantData(input(node, 1));
  Value w = input(node, 1);
  if (!data || shapeOf(w).size() != 4 || shapeOf(w)[0] != c)
    fail("the weights must be a constant [C, O/group, KH, KW] tensor for an input of " +
         Twine(c) + " channels");
  // [C, O/group, KH, KW]: group g maps input channels g*C/group.. to
  // outputs g*O/group..; one transposed convolution per group, joined on
  // the channel axis.
  int64_t group = intAttr(node, "group", 1);
  if (group < 1 || c % group != 0)
    fail("group=" + Twine(group) + " does not divide the input's " + Twine(c) + " channels");
  int64_t og = shapeOf(w)[1], o = og * group, cg = c / group;
  TransposedWindow tw = transposedWindow(node, in, {shapeOf(w)[2], shapeOf(w)[3]});
  SmallVector<int64_t> stride = tw.stride, dilation = tw.dilation, out = tw.out, tosaPad;
  for (int d = 0; d < 2; ++d)
    tosaPad.append({-tw.begin[d], tw.outPad[d] - tw.end[d]});
  // A dilated kernel is the kernel with zeros between its taps.
  SmallVector<int64_t> kernel = {(shapeOf(w)[2] - 1) * dilation[0] + 1,
                                 (shapeOf(w)[3] - 1) * dilation[1] + 1};
  std::vector<float> bias = biasOf(node, o);
  int64_t kh = kernel[0], kw = kernel[1], fh = shapeOf(w)[2], fw = shapeOf(w)[3];
  Value zp = zeroPoint();
  SmallVector<Value> parts;
  for (int64_t g = 0; g < group; ++g) {
    // This group's [C/group, O/group, KH, KW] -> [O/group, KH', KW', C/group], dilated
    std::vector<float> ohwi(og * kh * kw * cg, 0.0f);
    for (int64_t i = 0; i < cg; ++i)
      for (int64_t a = 0; a < og; ++a)
        for (int64_t y0 = 0; y0 < fh; ++y0)
          for (int64_t x0 = 0; x0 < fw; ++x0)
            ohwi[((a * kh + y0 * dilation[0]) * kw + x0 * dilation[1]) * cg + i] =
                (*data)[(((g * cg + i) * og + a) * fh + y0) * fw + x0];
    Value slice = channelGroup(xh, g * cg, cg);
    std::vector<float> groupBias(bias.begin() + g * og, bias.begin() + (g + 1) * og);
    parts.push_back(tosa::TransposeConv2DOp::create(
        b, loc, RankedTensorType::get({n, out[0], out[1], og}, f32()), slice,
        constant({og, kh, kw, cg}, ohwi), constant({og}, groupBias), zp, zp,
        b.getDenseI64ArrayAttr(tosaPad), b.getDenseI64ArrayAttr(stride), TypeAttr::get(f32())));
  }
  if (group == 1)
    return parts[0];
  return tosa::ConcatOp::create(b, loc, RankedTensorType::get({n, out[0], out[1], o}, f32()),
                                parts, b.getI32IntegerAttr(3));
}

Importer::TransposedWindow Importer::transposedWindow(const onnx::NodeProto &node,
                                                     ArrayRef<int64_t> in,
                                                     ArrayRef<int64_t> kernel) {
  size_t rank = in.size();
  TransposedWindow t;
  t.stride = intsAttr(node, "strides", SmallVector<int64_t>(rank, 1));
  t.dilation = intsAttr(node, "dilations", SmallVector<int64_t>(rank, 1));
  t.outPad = intsAttr(node, "output_padding", SmallVector<int64_t>(rank, 0));
  SmallVector<int64_t> pads = intsAttr(node, "pads", SmallVector<int64_t>(2 * rank, 0)),
                       outShape = intsAttr(node, "output_shape", {});
  if (t.stride.size() != rank || pads.size() != 2 * rank || t.outPad.size() != rank ||
      (!outShape.empty() && outShape.size() != rank && outShape.size() != rank + 2))
    fail("strides, pads, output_padding and output_shape must give " + Twine(rank) + ", " +
         Twine(2 * rank) + ", " + Twine(rank) + " and " + Twine(rank) + " values for " +
         Twine(rank) + "-D windows");
  auto positive = [](int64_t v) { return v >= 1; };
  if (t.dilation.size() != rank || !llvm::all_of(t.dilation, positive) ||
      !llvm::all_of(t.stride, positive) || !llvm::all_of(kernel, positive))
    fail("strides, dilations and kernel sizes must be " + Twine(rank) + " positive values");
  for (size_t d = 0; d < rank; ++d)
    if (pads[d] < 0 || pads[d + rank] < 0 || t.outPad[d] < 0)
      fail("pads and output_padding must not be negative");
  if (outShape.size() == rank + 2)
    outShape.erase(outShape.begin(), outShape.begin() + 2);
  std::string autoPad = attr(node, "auto_pad") ? attr(node, "auto_pad")->s() : "NOTSET";
  for (size_t d = 0; d < rank; ++d) {
    int64_t extent = (kernel[d] - 1) * t.dilation[d] + 1;
    int64_t full = t.stride[d] * (in[d] - 1) + t.outPad[d] + extent;
    int64_t begin = pads[d], end = pads[d + rank];
    if (!outShape.empty() || autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
      int64_t target = outShape.empty() ? in[d] * t.stride[d] : outShape[d];
      int64_t total = full - target;
      // A larger output_shape extends the end (bias only there).
      begin = total < 0 ? 0 : autoPad == "SAME_UPPER" ? total / 2 : total - total / 2;
      end = total - begin;
    }
    if (full - begin - end < 1)
      fail("the pads leave an empty output");
    t.out.push_back(full - begin - end);
    t.begin.push_back(begin);
    t.end.push_back(end);
  }
  return t;
}

SmallVector<Value> Importer::windowTaps(Value x, const Window &win, ArrayRef<int64_t> kernel,
                                       DenseElementsAttr padValue) {
  SmallVector<int64_t> padded(shapeOf(x));
  padded[1] += win.pad[0] + win.pad[1];
  padded[2] += win.pad[2] + win.pad[3];
  if (padded != shapeOf(x))
    x = tosa::PadOp::create(b, loc, typeOf(x).clone(padded), x,
                            constShape({0, 0, win.pad[0], win.pad[1], win.pad[2], win.pad[3], 0, 0}),
                            tosa::ConstOp::create(b, loc, padValue.getType(), padValue));
  SmallVector<Value> taps;
  for (int64_t ky = 0; ky < kernel[0]; ++ky) {
    SmallVector<int64_t> rows, cols;
    for (int64_t oy = 0; oy < win.out[0]; ++oy)
      rows.push_back(oy * win.stride[0] + ky * win.dilation[0]);
    Value r = gatherAxis(x, 1, rows);
    for (int64_t kx = 0; kx < kernel[1]; ++kx) {
      cols.clear();
      for (int64_t ox = 0; ox < win.out[1]; ++ox)
        cols.push_back(ox * win.stride[1] + kx * win.dilation[1]);
      taps.push_back(gatherAxis(r, 2, cols));
    }
  }
  return taps;
}

bool Importer::windowReadsAll(const Window &win, ArrayRef<int64_t> inHW,
                              ArrayRef<int64_t> kernel) {
  for (int d = 0; d < 2; ++d) {
    std::vector<bool> read(inHW[d], false);
    for (int64_t o = 0; o < win.out[d]; ++o)
      for (int64_t k = 0; k < kernel[d]; ++k)
        if (int64_t i = o * win.stride[d] + k * win.dilation[d] - win.pad[2 * d];
            i >= 0 && i < inHW[d])
          read[i] = true;
    if (!llvm::all_of(read, [](bool v) { return v; }))
      return false;
  }
  return true;
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

/// Limits on a Resize's output (docs/onnx-import.md): far beyond any image
/// model, small enough that the importer's work stays bounded.
constexpr int64_t kMaxResizeAxis = 1 << 16;
constexpr int64_t kMaxResizeElements = int64_t(1) << 28;

Value Importer::resize(const onnx::NodeProto &node) {
  Value xh = inputNHWC(node, 0);
  ArrayRef<int64_t> shape = shapeOf(xh); // N, H, W, C
  // Output sizes from `sizes` or `scales` (NCHW order); opset 10 has only
  // scales (input 1), Upsample too.
  bool opset10 = node.op_type() == "Upsample" || opset < 11;
  std::vector<float> scales;
  std::vector<int64_t> sizes;
  int scalesIndex = opset10 ? 1 : 2;
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
  // tf_crop_and_resize: a region of interest (normalized NCHW starts, then
  // ends); outputs whose source falls outside the input take
  // extrapolation_value.
  std::vector<float> roi;
  if (coord == "tf_crop_and_resize") {
    roi = floats(constantInput(node, 1));
    if (roi.size() != 8)
      fail("roi must hold 8 values (starts and ends of the 4 dimensions)");
  }
  float extrapolation = floatAttr(node, "extrapolation_value", 0.0f);
  std::vector<float> inside[2]; // per axis, 1 where the source is inside
  // Import-time work and constants grow with the output: a stranger's model
  // must not make the importer allocate without bound.
  {
    int64_t elements = shape[0] * shape[3];
    for (int d : {2, 3}) {
      double out = sizes.empty() ? std::floor(double(nchw[d]) * scales[d]) : double(sizes[d]);
      if (!(out <= double(kMaxResizeAxis)))
        fail("an output dimension of " + std::to_string(int64_t(std::min(out, 9e18))) +
             " exceeds the limit of " + std::to_string(kMaxResizeAxis));
      elements *= int64_t(out);
    }
    if (elements > kMaxResizeElements)
      fail("the output would hold " + std::to_string(elements) +
           " elements, more than the limit of " + std::to_string(kMaxResizeElements));
  }
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
      if (coord == "tf_crop_and_resize") {
        double start = roi[d], end = roi[4 + d];
        return outSize > 1 ? start * (inSize - 1) + i * (end - start) * (inSize - 1) / (outSize - 1)
                           : 0.5 * (start + end) * (inSize - 1);
      }
      fail("coordinate_transformation_mode '" + coord + "' is not known");
    };
    if (!roi.empty())
      for (int64_t i = 0; i < outSize; ++i) {
        double x = source(i);
        inside[d - 2].push_back(x >= 0 && x <= double(inSize - 1) ? 1.0f : 0.0f);
      }
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
  // Outside the input (tf_crop_and_resize): extrapolation_value.
  auto mask = [&](int axis) {
    return inside[axis].empty() ? std::vector<float>(shapeOf(y)[axis + 1], 1.0f) : inside[axis];
  };
  std::vector<float> rows = mask(0), cols = mask(1), keep;
  for (float r : rows)
    for (float c : cols)
      keep.push_back(r * c);
  if (llvm::any_of(keep, [](float k) { return k == 0.0f; })) {
    int64_t oh = rows.size(), ow = cols.size();
    std::vector<float> fill;
    for (float k : keep)
      fill.push_back((1.0f - k) * extrapolation);
    y = mul(typeOf(y), y, constant({1, oh, ow, 1}, keep));
    y = tosa::AddOp::create(b, loc, typeOf(y), y, constant({1, oh, ow, 1}, fill));
  }
  return y;
}

Importer::Window Importer::window(const onnx::NodeProto &node, ArrayRef<int64_t> inHW,
                                  ArrayRef<int64_t> kernel) {
  size_t rank = inHW.size();
  Window w;
  w.stride = intsAttr(node, "strides", SmallVector<int64_t>(rank, 1));
  w.dilation = intsAttr(node, "dilations", SmallVector<int64_t>(rank, 1));
  // ONNX: all begins, then all ends; TOSA: begin and end per axis.
  SmallVector<int64_t> onnxPads = intsAttr(node, "pads", SmallVector<int64_t>(2 * rank, 0));
  if (w.stride.size() != rank || w.dilation.size() != rank || onnxPads.size() != 2 * rank)
    fail("strides, dilations and pads must give " + Twine(rank) + ", " + Twine(rank) + " and " +
         Twine(2 * rank) + " values for " + Twine(rank) + "-D windows");
  auto positive = [](int64_t v) { return v >= 1; };
  if (!llvm::all_of(w.stride, positive) || !llvm::all_of(w.dilation, positive) ||
      !llvm::all_of(kernel, positive))
    fail("strides, dilations and kernel sizes must be positive");
  if (llvm::any_of(onnxPads, [](int64_t p) { return p < 0; }))
    fail("pads must not be negative");
  bool ceilMode = intAttr(node, "ceil_mode", 0);
  if (ceilMode && node.op_type() == "AveragePool" && intAttr(node, "count_include_pad", 0))
    fail("ceil_mode = 1 with count_include_pad = 1 is not supported yet");
  std::string autoPad = attr(node, "auto_pad") ? attr(node, "auto_pad")->s() : "NOTSET";
  w.trim.assign(rank, 0);
  for (size_t d = 0; d < rank; ++d)
    w.pad.append({onnxPads[d], onnxPads[rank + d]});
  for (size_t d = 0; d < rank; ++d) {
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
  if (bn->input_size() != 5 || bn->output_size() != 1 || intAttr(*bn, "training_mode", 0))
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
    std::vector<float> bias = biasOf(node, o);
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
        Value slice = channelGroup(in, g * ic, ic);
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
  if (win.dilation != SmallVector<int64_t>{1, 1} && op != "MaxPool")
    fail("dilated average pooling is not supported yet");
  auto outType = typeOf(xh).clone({n, win.out[0], win.out[1], c});
  bool wantIndices = op == "MaxPool" && node.output_size() > 1 && !node.output(1).empty();
  if (win.dilation != SmallVector<int64_t>{1, 1} || wantIndices) {
    // Dilated max pooling and the Indices output (TOSA has neither): the
    // maximum over the window's taps, each a gather of rows and then
    // columns of the input padded with the lowest value.
    Type element = typeOf(xh).getElementType();
    auto valueType = RankedTensorType::get({1}, element);
    SmallVector<Value> taps = windowTaps(
        trimmed(win), win, kernel,
        isa<IntegerType>(element) ? DenseElementsAttr::get(valueType, APInt::getSignedMinValue(8))
                                  : DenseElementsAttr::get(valueType, -INFINITY));
    Value y = taps[0];
    for (Value tap : ArrayRef(taps).drop_front())
      y = tosa::MaximumOp::create(b, loc, outType, y, tap);
    if (!wantIndices)
      return y;
    // Indices: the first tap holding the maximum (tosa.argmax over the taps
    // stacked last), as a flat index into the NCHW input (row or column
    // major by storage_order): a per-output base plus the tap's offset.
    SmallVector<int64_t> tapShape(outType.getShape());
    tapShape.push_back(1);
    SmallVector<Value> stacked;
    for (Value tap : taps)
      stacked.push_back(reshape(tap, tapShape));
    int64_t k = taps.size();
    tapShape.back() = k;
    Value all = tosa::ConcatOp::create(b, loc, outType.clone(tapShape), stacked,
                                       b.getI32IntegerAttr(4));
    auto i32Type = outType.clone(b.getI32Type());
    Value which = tosa::ArgMaxOp::create(b, loc, i32Type, all, b.getI32IntegerAttr(4));
    bool columnMajor = intAttr(node, "storage_order", 0);
    int64_t h = inHW[0], w = inHW[1], oh = win.out[0], ow = win.out[1];
    auto flat = [&](int64_t y, int64_t x) { return columnMajor ? x * h + y : y * w + x; };
    std::vector<int32_t> offsets;
    for (int64_t ky = 0; ky < kernel[0]; ++ky)
      for (int64_t kx = 0; kx < kernel[1]; ++kx)
        offsets.push_back(int32_t(flat(ky * win.dilation[0], kx * win.dilation[1])));
    auto tableType = RankedTensorType::get({1, k, 1}, b.getI32Type());
    int64_t count = outType.getNumElements();
    Value offset = tosa::GatherOp::create(
        b, loc, RankedTensorType::get({1, count, 1}, b.getI32Type()),
        tosa::ConstOp::create(b, loc, tableType,
                              DenseElementsAttr::get(tableType, ArrayRef<int32_t>(offsets))),
        reshape(which, {1, count}));
    std::vector<int32_t> base; // NHWC order, as the taps
    for (int64_t in_ = 0; in_ < n; ++in_)
      for (int64_t oy = 0; oy < oh; ++oy)
        for (int64_t ox = 0; ox < ow; ++ox)
          for (int64_t ch = 0; ch < c; ++ch)
            base.push_back(int32_t((in_ * c + ch) * h * w +
                                   flat(oy * win.stride[0] - win.pad[0],
                                        ox * win.stride[1] - win.pad[2])));
    Value index = tosa::AddOp::create(
        b, loc, i32Type, reshape(offset, i32Type.getShape()),
        tosa::ConstOp::create(b, loc, i32Type,
                              DenseElementsAttr::get(i32Type, ArrayRef<int32_t>(base))));
    values[node.output(1)] = toNCHW(index);
    return y;
  }
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

std::vector<float> Importer::biasOf(const onnx::NodeProto &node, int64_t channels) {
  std::optional<Value> bv = optionalInput(node, 2);
  if (!bv)
    return std::vector<float>(channels, 0.0f);
  auto bd = constantData(*bv);
  if (!bd || bd->size() != size_t(channels))
    fail("the bias must be a constant of " + Twine(channels) + " values");
  return *bd;
}

/// Conv, ConvTranspose and pooling in 1-D, 2-D (NHWC) and 3-D; MaxPool of
/// integer tensors on the integers.
Imported Importer::importSpatial(const onnx::NodeProto &node) {
  StringRef op = node.op_type();
  Value result;
  bool resultNHWC = false;
  if (!hasNHWC(node, 0) && rankOf(node, 0) == 5) {
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
  } else if (op == "ConvTranspose") {
    if (!hasNHWC(node, 0) && shapeOf(input(node, 0)).size() == 3) {
      result = spatial1d(node);
    } else {
      result = convTranspose(node);
      resultNHWC = true;
    }
  } else if (!hasNHWC(node, 0) && shapeOf(input(node, 0)).size() == 3) {
    result = spatial1d(node);
  } else {
    result = spatial(node, op);
    resultNHWC = true;
  }
  return {result, resultNHWC};
}

/// Resize and Upsample.
Imported Importer::importResize(const onnx::NodeProto &node) {
  return {resize(node), true};
}

} // namespace qopt::onnx_import
