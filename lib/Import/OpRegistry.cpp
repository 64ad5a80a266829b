//===- OpRegistry.cpp - the ONNX op types qopt imports ----------*- C++ -*-===//
//
// One entry per op type: the opsets its handler reads, the family (source
// file) of the handler, and the handler. Adding an op is adding a handler
// in its family's file and a line here; docs/onnx-coverage.md lists this
// table (`qopt-translate --list-onnx-ops`, scripts/onnx-conformance.py).
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

namespace qopt::onnx_import {

ArrayRef<OpEntry> opRegistry() {
  using I = Importer;
  constexpr int64_t max = kMaxOpset;
  // Sorted by op type. The first opset is the one that defines the op,
  // unless qopt does not read its first form (noted).
  static const OpEntry entries[] = {
      {"Abs", 1, max, "elementwise", &I::importUnary<tosa::AbsOp>},
      {"Add", 1, max, "elementwise", &I::importArithmetic},
      {"AveragePool", 1, max, "spatial", &I::importSpatial},
      {"BatchNormalization", 1, max, "elementwise", &I::importBatchNormalization},
      {"Cast", 1, max, "elementwise", &I::importCast},
      {"Ceil", 1, max, "elementwise", &I::importUnary<tosa::CeilOp>},
      {"Clip", 1, max, "elementwise", &I::importClip},
      {"Concat", 1, max, "shape", &I::importConcat},
      {"Constant", 1, max, "graph", nullptr},
      {"ConstantOfShape", 9, max, "graph", nullptr},
      {"Conv", 1, max, "spatial", &I::importSpatial},
      {"ConvInteger", 10, max, "quantized", &I::importConvInteger},
      {"ConvTranspose", 1, max, "spatial", &I::importSpatial},
      {"DequantizeLinear", 10, max, "quantized", &I::importDequantizeLinear},
      {"Div", 1, max, "elementwise", &I::importArithmetic},
      {"Dropout", 1, max, "elementwise", &I::importIdentity},
      {"DynamicQuantizeLinear", 11, max, "quantized", &I::importDynamicQuantizeLinear},
      {"Erf", 9, max, "elementwise", &I::importUnary<tosa::ErfOp>},
      {"Exp", 1, max, "elementwise", &I::importUnary<tosa::ExpOp>},
      {"Expand", 8, max, "shape", &I::importExpand},
      {"Flatten", 1, max, "shape", &I::importFlatten},
      {"Floor", 1, max, "elementwise", &I::importUnary<tosa::FloorOp>},
      {"Gather", 1, max, "shape", &I::importGather},
      {"Gemm", 1, max, "contraction", &I::importGemm},
      {"GlobalAveragePool", 1, max, "spatial", &I::importSpatial},
      {"HardSigmoid", 1, max, "elementwise", &I::importActivation},
      {"HardSwish", 14, max, "elementwise", &I::importActivation},
      {"Identity", 1, max, "elementwise", &I::importIdentity},
      {"LayerNormalization", 17, max, "reduction", &I::importLayerNormalization},
      {"LeakyRelu", 1, max, "elementwise", &I::importActivation},
      {"Log", 1, max, "elementwise", &I::importUnary<tosa::LogOp>},
      {"MatMul", 1, max, "contraction", &I::importMatMul},
      {"MatMulInteger", 10, max, "quantized", &I::importMatMulInteger},
      {"MaxPool", 1, max, "spatial", &I::importSpatial},
      {"Mul", 1, max, "elementwise", &I::importArithmetic},
      {"Neg", 1, max, "elementwise", &I::importNeg},
      {"Pad", 1, max, "shape", &I::importPad},
      {"Pow", 1, max, "elementwise", &I::importPow},
      {"QLinearConv", 10, max, "quantized", &I::importQLinear},
      {"QLinearMatMul", 10, max, "quantized", &I::importQLinear},
      {"QuantizeLinear", 10, max, "quantized", &I::importQuantizeLinear},
      {"Reciprocal", 1, max, "elementwise", &I::importUnary<tosa::ReciprocalOp>},
      {"ReduceL1", 1, max, "reduction", &I::importReduce},
      {"ReduceL2", 1, max, "reduction", &I::importReduce},
      {"ReduceLogSum", 1, max, "reduction", &I::importReduce},
      {"ReduceLogSumExp", 1, max, "reduction", &I::importReduce},
      {"ReduceMax", 1, max, "reduction", &I::importReduce},
      {"ReduceMean", 1, max, "reduction", &I::importReduce},
      {"ReduceMin", 1, max, "reduction", &I::importReduce},
      {"ReduceSum", 1, max, "reduction", &I::importReduce},
      {"ReduceSumSquare", 1, max, "reduction", &I::importReduce},
      {"Relu", 1, max, "elementwise", &I::importRelu},
      {"Reshape", 1, max, "shape", &I::importReshape},
      {"Resize", 10, max, "spatial", &I::importResize},
      {"Shape", 1, max, "graph", nullptr},
      {"Sigmoid", 1, max, "elementwise", &I::importUnary<tosa::SigmoidOp>},
      {"Slice", 1, max, "shape", &I::importSlice},
      {"Softmax", 1, max, "reduction", &I::importSoftmax},
      {"Softplus", 1, max, "elementwise", &I::importSoftplus},
      {"Split", 2, max, "shape", &I::importSplit},
      {"Sqrt", 1, max, "elementwise", &I::importPow},
      {"Squeeze", 1, max, "shape", &I::importSqueeze},
      {"Sub", 1, max, "elementwise", &I::importArithmetic},
      {"Tanh", 1, max, "elementwise", &I::importUnary<tosa::TanhOp>},
      {"Transpose", 1, max, "shape", &I::importTranspose},
      {"Unsqueeze", 1, max, "shape", &I::importSqueeze},
      // Upsample-1 (experimental) had its scales as attributes.
      {"Upsample", 9, max, "spatial", &I::importResize},
  };
  return entries;
}

const OpEntry *findOp(StringRef opType) {
  ArrayRef<OpEntry> entries = opRegistry();
  const OpEntry *it = llvm::partition_point(
      entries, [&](const OpEntry &e) { return StringRef(e.opType) < opType; });
  return it != entries.end() && StringRef(it->opType) == opType ? it : nullptr;
}

} // namespace qopt::onnx_import

std::vector<qopt::ONNXOpSupport> qopt::supportedONNXOps() {
  std::vector<ONNXOpSupport> ops;
  for (const onnx_import::OpEntry &e : onnx_import::opRegistry())
    ops.push_back({e.opType, e.minOpset, e.maxOpset, e.family});
  return ops;
}
