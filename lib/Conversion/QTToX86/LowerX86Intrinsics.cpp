//===- LowerX86Intrinsics.cpp - qt.x86_* to LLVM intrinsics -----*- C++ -*-===//

#include "qopt/Conversion/Passes.h"
#include "qopt/Dialect/QT/IR/QTOps.h"

namespace qopt {
#define GEN_PASS_DEF_QTLOWERX86INTRINSICS
#include "qopt/Conversion/Passes.h.inc"
} // namespace qopt

using namespace mlir;

namespace {

struct QTLowerX86Intrinsics
    : qopt::impl::QTLowerX86IntrinsicsBase<QTLowerX86Intrinsics> {
  void runOnOperation() override {
    // Pattern: qt.x86_vpdpbusd(acc, a, b) -> llvm.x86.avx512.vpdpbusd.512
    getOperation()->walk([](qopt::qt::X86VpdpbusdOp op) {
      OpBuilder b(op);
      auto call = LLVM::CallIntrinsicOp::create(
          b, op.getLoc(), op.getType(),
          b.getStringAttr("llvm.x86.avx512.vpdpbusd.512"),
          ValueRange{op.getAcc(), op.getA(), op.getB()});
      op.replaceAllUsesWith(call.getResult(0));
      op.erase();
    });
  }
};

} // namespace
