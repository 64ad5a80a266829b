//===- QTDialect.cpp - qt dialect registration ------------------*- C++ -*-===//

#include "qopt/Dialect/QT/IR/QTDialect.h"
#include "qopt/Dialect/QT/IR/QTOps.h"

using namespace mlir;
using namespace qopt::qt;

#include "qopt/Dialect/QT/IR/QTOpsDialect.cpp.inc"

void QTDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "qopt/Dialect/QT/IR/QTOps.cpp.inc"
      >();
}

namespace {

enum class Place { Operation, Argument, Result };

/// The qt.* attributes and what each must be, by where it stands.
LogicalResult verifyQTAttribute(Operation *op, NamedAttribute attr,
                                Place place) {
  llvm::StringRef name = attr.getName().getValue();
  Attribute value = attr.getValue();
  auto expect = [&](bool ok, llvm::StringRef what) -> LogicalResult {
    if (ok)
      return success();
    return op->emitOpError() << "attribute '" << name << "' must be " << what;
  };
  bool onOp = place == Place::Operation, onValue = !onOp;
  if (name == qopt::kRangeAttrName) {
    auto range = llvm::dyn_cast<DenseF32ArrayAttr>(value);
    return expect(range && range.size() == 2,
                  "array<f32: min, max> (two float32 values)");
  }
  if (name == qopt::kNameAttrName && onValue)
    return expect(llvm::isa<StringAttr>(value), "a string");
  if (name == qopt::kUnsignedAttrName && onValue)
    return expect(llvm::isa<UnitAttr>(value), "a unit attribute");
  if (name == qopt::kWeightScalesAttrName && onOp)
    return expect(llvm::isa<DenseF32ArrayAttr>(value), "array<f32: ...>");
  if (name == qopt::kCalibrationAttrName && onOp)
    return expect(llvm::isa<DictionaryAttr>(value), "a dictionary");
  if ((name == qopt::kEntryPointsAttrName ||
       name == qopt::kKernelVariantsAttrName) &&
      onOp)
    return expect(llvm::isa<ArrayAttr>(value), "an array");
  if ((name == qopt::kKeepFloatAttrName || name == qopt::kProbeAttrName ||
       name == qopt::kParallelLoopAttrName ||
       name == qopt::kStreamLoadAttrName) &&
      onOp)
    return expect(llvm::isa<UnitAttr>(value), "a unit attribute");
  return op->emitOpError()
         << "unknown attribute '" << name << "' on "
         << (onOp ? "an operation" : place == Place::Argument ? "an argument"
                                                              : "a result")
         << " (the qt dialect's attributes are listed in "
            "qopt/Dialect/QT/IR/QTAttributes.h)";
}

} // namespace

LogicalResult QTDialect::verifyOperationAttribute(Operation *op,
                                                  NamedAttribute attr) {
  return verifyQTAttribute(op, attr, Place::Operation);
}

LogicalResult QTDialect::verifyRegionArgAttribute(Operation *op, unsigned,
                                                  unsigned,
                                                  NamedAttribute attr) {
  return verifyQTAttribute(op, attr, Place::Argument);
}

LogicalResult QTDialect::verifyRegionResultAttribute(Operation *op, unsigned,
                                                     unsigned,
                                                     NamedAttribute attr) {
  return verifyQTAttribute(op, attr, Place::Result);
}
