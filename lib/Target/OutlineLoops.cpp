//===- OutlineLoops.cpp - one function per top-level loop --------*- C++ -*-===//
//
// A lowered model is one function holding every layer's loops one after the
// other. Several of LLVM's analyses walk the dominator chain from a block up
// to the function's entry (ScalarEvolution's loop guards, for one), so their
// cost grows with the square of the number of loops in a function. A model
// with a probe on every activation (calibration) has thousands of loops and
// spent over 90% of its compile time there. Moving each top-level loop into a
// function of its own, never inlined back, keeps every function small; the
// instructions, and so the results, are the same.
//
//===----------------------------------------------------------------------===//

#include "qopt/Target/OutlineLoops.h"

#include "llvm/ADT/SetVector.h"
#include "llvm/Analysis/AssumptionCache.h"
#include "llvm/Analysis/LoopInfo.h"
#include "llvm/IR/Dominators.h"
#include "llvm/IR/Module.h"
#include "llvm/Transforms/Utils/CodeExtractor.h"
#include "llvm/Transforms/Utils/LoopSimplify.h"

using namespace llvm;

unsigned qopt::outlineTopLevelLoops(Module &module, unsigned minLoops) {
  SmallVector<Function *> functions;
  for (Function &f : module)
    if (!f.isDeclaration())
      functions.push_back(&f);
  unsigned outlined = 0;
  for (Function *f : functions) {
    DominatorTree dt(*f);
    LoopInfo loops(dt);
    if (loops.getTopLevelLoops().size() < minLoops)
      continue;
    AssumptionCache ac(*f);
    for (Loop *loop : loops.getTopLevelLoops())
      simplifyLoop(loop, &dt, &loops, /*SE=*/nullptr, &ac, /*MSSAU=*/nullptr,
                   /*PreserveLCSSA=*/false);
    // The block lists first: extraction removes a loop's blocks from f but
    // leaves every other loop's blocks as they are.
    SmallVector<SmallVector<BasicBlock *>> regions;
    for (Loop *loop : loops.getTopLevelLoops())
      if (loop->isLoopSimplifyForm())
        regions.emplace_back(loop->getBlocks());
    CodeExtractorAnalysisCache cache(*f);
    for (auto &blocks : regions) {
      CodeExtractor extractor(blocks, &dt, /*AggregateArgs=*/false,
                              /*BFI=*/nullptr, /*BPI=*/nullptr, &ac);
      if (!extractor.isEligible())
        continue;
      // Values that cross the boundary become arguments or go through
      // memory; AMX tiles can do neither.
      SetVector<Value *> inputs, outputs, sinks;
      extractor.findInputsOutputs(inputs, outputs, sinks);
      auto isTile = [](Value *v) { return v->getType()->isX86_AMXTy(); };
      if (any_of(inputs, isTile) || any_of(outputs, isTile))
        continue;
      if (Function *body = extractor.extractCodeRegion(cache)) {
        body->addFnAttr(Attribute::NoInline);
        ++outlined;
      }
    }
  }
  return outlined;
}
