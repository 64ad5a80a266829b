//===- ObserveToCallback.cpp - probes that report to the JIT host -*- C++ -*-===//

#include "qopt/Dialect/QT/IR/QTOps.h"
#include "qopt/Quantization/Passes.h"
#include "qopt/Transforms/Passes.h"

namespace qopt {
#define GEN_PASS_DEF_QTOBSERVETOCALLBACK
#include "qopt/Quantization/Passes.h.inc"
} // namespace qopt

using namespace mlir;

namespace {

constexpr llvm::StringLiteral kCallback = "__qt_observe";

struct QTObserveToCallback
    : qopt::impl::QTObserveToCallbackBase<QTObserveToCallback> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    OpBuilder b(module.getContext());
    Type i64 = b.getI64Type();
    if (!module.lookupSymbol(kCallback)) {
      b.setInsertionPointToStart(module.getBody());
      auto decl = func::FuncOp::create(b, module.getLoc(), kCallback,
                                       b.getFunctionType({i64, i64, i64, i64}, {}));
      decl.setPrivate();
    }
    // Pattern: y = qt.observe x {id} ->
    //   __qt_observe(id, aligned_ptr(buffer(x)), offset(buffer(x)), numel); y = x
    module.walk([&](qopt::qt::ObserveOp op) {
      b.setInsertionPoint(op);
      Location loc = op.getLoc();
      auto tensorType = op.getInput().getType();
      auto layout = StridedLayoutAttr::get(
          b.getContext(), ShapedType::kDynamic,
          SmallVector<int64_t>(tensorType.getRank(), ShapedType::kDynamic));
      auto memrefType = MemRefType::get(tensorType.getShape(),
                                        tensorType.getElementType(), layout);
      Value buffer = bufferization::ToBufferOp::create(
          b, loc, memrefType, op.getInput(), /*read_only=*/true);
      buffer.getDefiningOp()->setAttr(qopt::kProbeAttrName, b.getUnitAttr());
      auto metadata =
          memref::ExtractStridedMetadataOp::create(b, loc, buffer);
      Value pointer =
          memref::ExtractAlignedPointerAsIndexOp::create(b, loc, buffer);
      auto toI64 = [&](Value index) {
        return arith::IndexCastOp::create(b, loc, i64, index);
      };
      Value args[] = {
          arith::ConstantOp::create(b, loc, i64, b.getI64IntegerAttr(op.getId())),
          toI64(pointer), toI64(metadata.getOffset()),
          arith::ConstantOp::create(b, loc, i64,
                                    b.getI64IntegerAttr(tensorType.getNumElements()))};
      func::CallOp::create(b, loc, kCallback, TypeRange{}, args);
      op.replaceAllUsesWith(op.getInput());
      op.erase();
    });
  }
};

} // namespace
