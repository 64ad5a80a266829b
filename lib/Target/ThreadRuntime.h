//===- ThreadRuntime.h - the worker threads of an object --------*- C++ -*-===//
//
// The object emitter's step for threads: links the thread pool
// (Runtime/ThreadPool.c, as bitcode) that the parallel loops of
// qt-outline-parallel-loops call, and exports `<prefix>_set_num_threads` and
// `<prefix>_release_threads`. On architectures without the runtime the
// loops run inline and the two functions only record the request.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_LIB_TARGET_THREADRUNTIME_H
#define QOPT_LIB_TARGET_THREADRUNTIME_H

#include "llvm/ADT/StringSet.h"
#include "llvm/IR/Module.h"

namespace qopt {

llvm::Error addThreadRuntime(llvm::Module &module, llvm::StringRef prefix,
                             llvm::StringSet<> &exported);

} // namespace qopt

#endif // QOPT_LIB_TARGET_THREADRUNTIME_H
