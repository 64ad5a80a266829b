//===- MemRefCopyToLinalg.cpp - copies without a runtime library -*- C++ -*-===//

#include "qopt/Transforms/Passes.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace qopt {
#define GEN_PASS_DEF_QTMEMREFCOPYTOLINALG
#include "qopt/Transforms/Passes.h.inc"
} // namespace qopt

using namespace mlir;

namespace {

struct QTMemRefCopyToLinalg
    : qopt::impl::QTMemRefCopyToLinalgBase<QTMemRefCopyToLinalg> {
  void runOnOperation() override {
    // Pattern: memref.copy(src, dst) -> linalg.copy ins(src) outs(dst)
    getOperation().walk([](memref::CopyOp copy) {
      OpBuilder b(copy);
      linalg::CopyOp::create(b, copy.getLoc(), copy.getSource(),
                             copy.getTarget());
      copy.erase();
    });
  }
};

} // namespace
