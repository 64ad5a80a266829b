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
    // Pattern: qt.x86_vpdpbusd(acc, a, b) -> llvm.x86.avx512.vpdpbusd.{512,256}
    // Pattern: qt.x86_vpmaddwd(a, b) -> llvm.x86.avx2.pmadd.wd
    // Pattern: qt.x86_vpermi2b(lo, i, hi) -> llvm.x86.avx512.vpermi2var.qi.512
    // Pattern: qt.x86_vpdpwssd(acc, a, b) -> llvm.x86.avx512.vpdpwssd.512
    // Pattern: qt.x86_pshufb(t, i) -> llvm.x86.avx2.pshuf.b / avx512.pshuf.b.512
    // Pattern: qt.arm_sdot(acc, a, b) -> llvm.aarch64.neon.sdot.v4i32.v16i8
    // Pattern: qt.arm_smmla(acc, a, b) -> llvm.aarch64.neon.smmla.v4i32.v16i8
    // Pattern: qt.arm_tbl4(t0..t3, i) -> llvm.aarch64.neon.tbl4.v16i8
    getOperation()->walk([](Operation *op) {
      if (auto dot = dyn_cast<qopt::qt::X86VpdpbusdOp>(op))
        replaceWithIntrinsic(op, dot.getType().getNumElements() == 16
                                     ? "llvm.x86.avx512.vpdpbusd.512"
                                     : "llvm.x86.avx512.vpdpbusd.256");
      else if (auto shuffle = dyn_cast<qopt::qt::X86PshufbOp>(op))
        replaceWithIntrinsic(op, shuffle.getType().getNumElements() == 64
                                     ? "llvm.x86.avx512.pshuf.b.512"
                                     : "llvm.x86.avx2.pshuf.b");
      else if (isa<qopt::qt::X86VpdpwssdOp>(op))
        replaceWithIntrinsic(op, "llvm.x86.avx512.vpdpwssd.512");
      else if (isa<qopt::qt::X86Vpermi2bOp>(op))
        replaceWithIntrinsic(op, "llvm.x86.avx512.vpermi2var.qi.512");
      else if (isa<qopt::qt::X86VpmaddwdOp>(op))
        replaceWithIntrinsic(op, "llvm.x86.avx2.pmadd.wd");
      else if (isa<qopt::qt::ArmSdotOp>(op))
        replaceWithIntrinsic(op, "llvm.aarch64.neon.sdot.v4i32.v16i8");
      else if (isa<qopt::qt::ArmSmmlaOp>(op))
        replaceWithIntrinsic(op, "llvm.aarch64.neon.smmla.v4i32.v16i8");
      else if (isa<qopt::qt::ArmTbl4Op>(op))
        replaceWithIntrinsic(op, "llvm.aarch64.neon.tbl4.v16i8");
    });
  }
};

} // namespace
