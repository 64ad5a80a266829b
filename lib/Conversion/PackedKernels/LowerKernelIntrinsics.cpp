//===- LowerKernelIntrinsics.cpp - kernel ops to LLVM intrinsics -*- C++ -*-===//

#include "qopt/Conversion/Passes.h"
#include "qopt/Dialect/QT/IR/QTOps.h"

namespace qopt {
#define GEN_PASS_DEF_QTLOWERKERNELINTRINSICS
#include "qopt/Conversion/Passes.h.inc"
} // namespace qopt

using namespace mlir;

namespace {

void replaceWithIntrinsic(Operation *op, StringRef intrinsic) {
  OpBuilder b(op);
  auto call = LLVM::CallIntrinsicOp::create(b, op->getLoc(), op->getResultTypes()[0],
                                            b.getStringAttr(intrinsic),
                                            op->getOperands());
  op->replaceAllUsesWith(call->getResults());
  op->erase();
}

struct QTLowerKernelIntrinsics
    : qopt::impl::QTLowerKernelIntrinsicsBase<QTLowerKernelIntrinsics> {
  void runOnOperation() override {
    // Pattern: qt.x86_vpdpbusd(acc, a, b) -> llvm.x86.avx512.vpdpbusd.512
    // Pattern: qt.arm_sdot(acc, a, b) -> llvm.aarch64.neon.sdot.v4i32.v16i8
    getOperation()->walk([](Operation *op) {
      if (isa<qopt::qt::X86VpdpbusdOp>(op))
        replaceWithIntrinsic(op, "llvm.x86.avx512.vpdpbusd.512");
      else if (isa<qopt::qt::ArmSdotOp>(op))
        replaceWithIntrinsic(op, "llvm.aarch64.neon.sdot.v4i32.v16i8");
    });
  }
};

} // namespace
