//===- Threads.cpp - how many threads the tools use on the host -----------===//

#include "qopt/Support/Threads.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"

#include <atomic>
#include <cstdlib>
#include <sched.h>
#include <pthread.h>
#include <vector>

static std::atomic<unsigned> requested{0};

void qopt::setHostThreadCount(unsigned n) { requested = n; }

/// QOPT_NUM_THREADS as objects read it (lib/Target/Runtime/ThreadPool.c):
/// a positive integer, clamped to 256; anything else is ignored.
static unsigned fromEnvironment() {
  const char *env = std::getenv("QOPT_NUM_THREADS");
  if (!env || !*env)
    return 0;
  unsigned long long value;
  if (llvm::StringRef(env).getAsInteger(10, value) || value == 0) {
    static std::atomic<bool> said{false};
    if (!said.exchange(true))
      llvm::errs() << "qopt: ignoring QOPT_NUM_THREADS=" << env
                   << " (expected a positive integer)\n";
    return 0;
  }
  return value > 256 ? 256 : static_cast<unsigned>(value);
}

unsigned qopt::hostThreadCount() {
  if (unsigned n = requested)
    return n;
  if (unsigned n = fromEnvironment())
    return n;
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0)
    return CPU_COUNT(&set);
  return 1;
}

namespace {
struct Chunk {
  llvm::function_ref<void(unsigned, int64_t, int64_t)> body;
  unsigned index;
  int64_t begin, end;
  static void *run(void *arg) {
    auto *c = static_cast<Chunk *>(arg);
    c->body(c->index, c->begin, c->end);
    return nullptr;
  }
};
} // namespace

void qopt::forEachChunk(int64_t n, unsigned threads,
                        llvm::function_ref<void(unsigned, int64_t, int64_t)> body) {
  int64_t count = std::max<int64_t>(1, std::min<int64_t>(threads, n));
  std::vector<Chunk> chunks;
  for (int64_t c = 0; c < count; ++c)
    chunks.push_back({body, static_cast<unsigned>(c), n * c / count, n * (c + 1) / count});
  // pthreads rather than std::thread: a thread that cannot be created (a
  // process limit) means running its chunk here, not an exception.
  std::vector<std::pair<pthread_t, bool>> started(count, {pthread_t(), false});
  for (int64_t c = 1; c < count; ++c)
    started[c].second = pthread_create(&started[c].first, nullptr, Chunk::run, &chunks[c]) == 0;
  Chunk::run(&chunks[0]);
  for (int64_t c = 1; c < count; ++c) {
    if (started[c].second)
      pthread_join(started[c].first, nullptr);
    else
      Chunk::run(&chunks[c]);
  }
}
