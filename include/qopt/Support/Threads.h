//===- Threads.h - how many threads the tools use on the host ---*- C++ -*-===//
//
// Calibration and qopt-run run samples on several threads. The count is the
// tools' --num-threads option, else the environment variable
// QOPT_NUM_THREADS (the same one compiled objects read), else the number of
// CPUs the process may run on.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_SUPPORT_THREADS_H
#define QOPT_SUPPORT_THREADS_H

#include "llvm/ADT/STLFunctionalExtras.h"

#include <cstdint>

namespace qopt {

/// Sets the count (the --num-threads option); 0 = back to the default.
void setHostThreadCount(unsigned n);

/// The count; always at least 1.
unsigned hostThreadCount();

/// Splits [0, n) into min(threads, n) contiguous chunks, in order, and runs
/// body(chunk, begin, end) for each, chunk 0 on the calling thread and the
/// others on threads of their own. Returns when all are done.
void forEachChunk(int64_t n, unsigned threads,
                  llvm::function_ref<void(unsigned, int64_t, int64_t)> body);

} // namespace qopt

#endif // QOPT_SUPPORT_THREADS_H
