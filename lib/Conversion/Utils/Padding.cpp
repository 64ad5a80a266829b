//===- Padding.cpp - spatial padding of NHWC tensors ------------*- C++ -*-===//

#include "qopt/Conversion/Padding.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

Value qopt::padSpatially(OpBuilder &b, Location loc, Value input,
                         ArrayRef<int64_t> pad, int64_t value) {
  if (llvm::all_of(pad, [](int64_t p) { return p == 0; }))
    return input;
  auto type = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> shape(type.getShape());
  shape[1] += pad[0] + pad[1];
  shape[2] += pad[2] + pad[3];
  SmallVector<OpFoldResult> low = {b.getIndexAttr(0), b.getIndexAttr(pad[0]),
                                   b.getIndexAttr(pad[2]), b.getIndexAttr(0)};
  SmallVector<OpFoldResult> high = {b.getIndexAttr(0), b.getIndexAttr(pad[1]),
                                    b.getIndexAttr(pad[3]), b.getIndexAttr(0)};
  Type element = type.getElementType();
  TypedAttr attr = isa<FloatType>(element)
                       ? TypedAttr(b.getFloatAttr(element, double(value)))
                       : TypedAttr(b.getIntegerAttr(element, value));
  Value padValue = arith::ConstantOp::create(b, loc, element, attr);
  return tensor::PadOp::create(b, loc, type.clone(shape), input, low, high, padValue);
}
