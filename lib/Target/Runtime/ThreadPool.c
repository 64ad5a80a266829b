/*===- ThreadPool.c - the worker threads of a qopt object -----------------===*
 *
 * Linked (as LLVM bitcode, every symbol made internal) into each object
 * qopt writes, so that an application links with `-lm` (and `-lpthread` on
 * glibc before 2.34) and nothing else. The lowered model calls
 * qopt_rt_parallel_for for each loop nest qt-outline-parallel-loops split
 * (docs/design.md, "Threads"):
 *
 *   body(ctx, begin, end) for [begin, end) covering [0, n) in `parts`
 *   contiguous pieces, one per thread, the calling thread included.
 *
 * Which thread runs which piece never changes a result: the pieces write
 * disjoint outputs and no reduction is split, so the bytes are the same at
 * every thread count.
 *
 * Workers start at the first parallel loop that needs them and spin for up
 * to 2 ms between loops (a model's layers follow each other within
 * microseconds), then sleep on a condition variable. One loop runs on the pool at a time:
 * a second application thread calling the model meanwhile, or a loop inside
 * a worker, runs inline on its own thread. If a thread cannot be created the
 * loop runs on the threads there are (at worst, inline).
 *
 * Freestanding on purpose, like KernelDispatch.c: declarations of the few
 * libc functions it calls, with pthread objects as opaque storage large
 * enough for glibc and musl on x86-64 and AArch64 (all-zero bytes are their
 * static initializers).
 *===----------------------------------------------------------------------===*/

typedef unsigned long qopt_size_t;
typedef unsigned long qopt_thread_t;
typedef struct {
  _Alignas(16) char bytes[64];
} qopt_mutex_t;
typedef struct {
  _Alignas(16) char bytes[64];
} qopt_cond_t;

extern char *getenv(const char *name);
extern long write(int fd, const void *buf, qopt_size_t count);
extern int pthread_create(qopt_thread_t *thread, const void *attr,
                          void *(*start)(void *), void *arg);
extern int pthread_join(qopt_thread_t thread, void **result);
extern int pthread_mutex_lock(qopt_mutex_t *mutex);
extern int pthread_mutex_unlock(qopt_mutex_t *mutex);
extern int pthread_cond_wait(qopt_cond_t *cond, qopt_mutex_t *mutex);
extern int pthread_cond_broadcast(qopt_cond_t *cond);
extern int sched_getaffinity(int pid, qopt_size_t size, void *mask);
extern int sched_yield(void);
struct qopt_timespec {
  long tv_sec, tv_nsec;
};
extern int clock_gettime(int clock, struct qopt_timespec *time);
#define QOPT_CLOCK_MONOTONIC 1

typedef void (*qopt_body_t)(void *ctx, long begin, long end);

/* At most this many threads per loop (callers' requests are clamped). */
#define QOPT_MAX_THREADS 256
/* How long a worker waits for the next loop before it sleeps. By the clock,
 * not by a count of pause instructions, whose latency differs tenfold
 * between CPUs (a count tuned on one left the workers asleep between the
 * layers of a model on another, and each layer then paid a wake-up). */
#define QOPT_SPIN_NS 2000000L

#define LOAD(p) __atomic_load_n(p, __ATOMIC_SEQ_CST)
#define STORE(p, v) __atomic_store_n(p, v, __ATOMIC_SEQ_CST)

static long nowNs(void) {
  struct qopt_timespec t;
  clock_gettime(QOPT_CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000000000L + t.tv_nsec;
}

static void relax(void) {
#if defined(__x86_64__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ volatile("yield");
#endif
}

/* The current job. `ticket` packs the job's generation (high 32 bits), its
 * number of parts (bits 16-31) and the next unclaimed part (bits 0-15):
 * claiming a part is one compare-and-swap that also proves the job is still
 * the one whose fields were read, because the caller publishes the next job
 * only after every part of this one has finished. */
static unsigned long long ticket;
static qopt_body_t jobBody;
static void *jobCtx;
static long jobN;
static int remaining; /* parts claimed but not finished, plus unclaimed */

static int busy;      /* 1 while a loop runs on the pool */
static int quitting;  /* workers exit */
static int sleepers;  /* workers blocked on wakeCond */
static qopt_mutex_t wakeLock;
static qopt_cond_t wakeCond;

static qopt_mutex_t poolLock; /* guards workers[] and workerCount */
static qopt_thread_t workers[QOPT_MAX_THREADS];
static int workerCount;

static int requestedThreads; /* set_num_threads; 0 = the default */
static int defaultThreads;   /* QOPT_NUM_THREADS or the affinity mask; 0 = unknown */

static unsigned generationOf(unsigned long long t) { return (unsigned)(t >> 32); }
static int partsOf(unsigned long long t) { return (int)((t >> 16) & 0xffff); }
static int nextOf(unsigned long long t) { return (int)(t & 0xffff); }

/* Runs parts of the job of generation `gen` until none is left. A worker
 * with index `worker` takes part only when the job has room for it. */
static void runParts(unsigned gen, int worker) {
  for (;;) {
    unsigned long long t = LOAD(&ticket);
    if (generationOf(t) != gen || nextOf(t) >= partsOf(t))
      return;
    if (worker >= 0 && worker + 1 >= partsOf(t))
      return;
    if (!__atomic_compare_exchange_n(&ticket, &t, t + 1, 0, __ATOMIC_SEQ_CST,
                                     __ATOMIC_SEQ_CST))
      continue;
    long n = jobN, parts = partsOf(t), part = nextOf(t);
    long begin = n * part / parts, end = n * (part + 1) / parts;
    if (begin < end)
      jobBody(jobCtx, begin, end);
    __atomic_fetch_sub(&remaining, 1, __ATOMIC_SEQ_CST);
  }
}

static void *workerMain(void *arg) {
  int index = (int)(long)arg;
  unsigned seen = generationOf(LOAD(&ticket));
  for (;;) {
    long deadline = nowNs() + QOPT_SPIN_NS;
    for (int spins = 1; generationOf(LOAD(&ticket)) == seen && !LOAD(&quitting); ++spins) {
      relax();
      if (spins % 64 == 0 && nowNs() > deadline)
        break;
    }
    if (generationOf(LOAD(&ticket)) == seen && !LOAD(&quitting)) {
      pthread_mutex_lock(&wakeLock);
      __atomic_fetch_add(&sleepers, 1, __ATOMIC_SEQ_CST);
      while (generationOf(LOAD(&ticket)) == seen && !LOAD(&quitting))
        pthread_cond_wait(&wakeCond, &wakeLock);
      __atomic_fetch_sub(&sleepers, 1, __ATOMIC_SEQ_CST);
      pthread_mutex_unlock(&wakeLock);
    }
    if (LOAD(&quitting))
      return 0;
    seen = generationOf(LOAD(&ticket));
    runParts(seen, index);
  }
}

static void say(const char *a, const char *b, const char *c) {
  char line[256];
  qopt_size_t n = 0;
  const char *pieces[3] = {a, b, c};
  for (int i = 0; i < 3; ++i)
    for (const char *p = pieces[i]; *p && n < sizeof(line) - 1; ++p)
      line[n++] = *p;
  line[n++] = '\n';
  (void)write(2, line, n);
}

/* QOPT_NUM_THREADS if it is a positive decimal number, else the number of
 * CPUs this process may run on (as ONNX Runtime does). */
static int computeDefaultThreads(void) {
  const char *env = getenv("QOPT_NUM_THREADS");
  if (env && *env) {
    long v = 0;
    const char *p = env;
    while (*p >= '0' && *p <= '9' && v <= QOPT_MAX_THREADS)
      v = v * 10 + (*p++ - '0');
    while (*p >= '0' && *p <= '9')
      ++p;
    if (!*p && v >= 1)
      return v > QOPT_MAX_THREADS ? QOPT_MAX_THREADS : (int)v;
    say("qopt: ignoring QOPT_NUM_THREADS=", env,
        " (expected a positive integer); using the CPUs this process may run on");
  }
  unsigned long mask[1024 / (8 * sizeof(unsigned long))];
  for (qopt_size_t i = 0; i < sizeof(mask) / sizeof(mask[0]); ++i)
    mask[i] = 0;
  if (sched_getaffinity(0, sizeof(mask), mask) != 0)
    return 1;
  int count = 0;
  for (qopt_size_t i = 0; i < sizeof(mask) / sizeof(mask[0]); ++i)
    count += __builtin_popcountl(mask[i]);
  if (count < 1)
    count = 1;
  return count > QOPT_MAX_THREADS ? QOPT_MAX_THREADS : count;
}

static int threadCount(void) {
  int n = LOAD(&requestedThreads);
  if (n > 0)
    return n;
  n = LOAD(&defaultThreads);
  if (n > 0)
    return n;
  n = computeDefaultThreads(); /* racing first calls agree (the message may repeat) */
  STORE(&defaultThreads, n);
  return n;
}

/* Starts workers until there are `wanted`; returns how many there are. */
static int startWorkers(int wanted) {
  pthread_mutex_lock(&poolLock);
  while (workerCount < wanted) {
    if (pthread_create(&workers[workerCount], 0, workerMain,
                       (void *)(long)workerCount) != 0)
      break;
    ++workerCount;
  }
  int have = workerCount;
  pthread_mutex_unlock(&poolLock);
  return have;
}

void qopt_rt_parallel_for(qopt_body_t body, void *ctx, long n) {
  int threads = threadCount();
  if (threads > n)
    threads = (int)n;
  int expected = 0;
  if (threads <= 1 || !__atomic_compare_exchange_n(&busy, &expected, 1, 0,
                                                   __ATOMIC_SEQ_CST,
                                                   __ATOMIC_SEQ_CST)) {
    body(ctx, 0, n);
    return;
  }
  int workersHave = startWorkers(threads - 1);
  if (workersHave + 1 < threads)
    threads = workersHave + 1;
  if (threads <= 1) {
    STORE(&busy, 0);
    body(ctx, 0, n);
    return;
  }
  jobBody = body;
  jobCtx = ctx;
  jobN = n;
  STORE(&remaining, threads);
  unsigned gen = generationOf(LOAD(&ticket)) + 1;
  STORE(&ticket, ((unsigned long long)gen << 32) |
                     ((unsigned long long)threads << 16));
  if (LOAD(&sleepers) > 0) {
    pthread_mutex_lock(&wakeLock);
    pthread_cond_broadcast(&wakeCond);
    pthread_mutex_unlock(&wakeLock);
  }
  runParts(gen, -1);
  /* The other parts are running: spin, and after 100 us also yield (more
   * threads than free cores). */
  long deadline = nowNs() + QOPT_SPIN_NS / 20;
  for (int spins = 1; LOAD(&remaining) > 0; ++spins) {
    if (spins % 64 == 0 && nowNs() > deadline)
      sched_yield();
    else
      relax();
  }
  STORE(&busy, 0);
}

/* n >= 1: use n threads per loop (clamped to QOPT_MAX_THREADS); n == 0:
 * back to the default; n < 0: returns 1 (QOPT_STATUS_INVALID_ARGUMENT). */
int qopt_rt_set_num_threads(int n) {
  if (n < 0)
    return 1;
  STORE(&requestedThreads, n > QOPT_MAX_THREADS ? QOPT_MAX_THREADS : n);
  return 0;
}

/* Ends the workers; the next parallel loop starts them again. Waits for a
 * loop running on the pool to finish first. */
void qopt_rt_release_threads(void) {
  int expected = 0;
  while (!__atomic_compare_exchange_n(&busy, &expected, 1, 0, __ATOMIC_SEQ_CST,
                                      __ATOMIC_SEQ_CST)) {
    expected = 0;
    sched_yield();
  }
  pthread_mutex_lock(&poolLock);
  STORE(&quitting, 1);
  pthread_mutex_lock(&wakeLock);
  pthread_cond_broadcast(&wakeCond);
  pthread_mutex_unlock(&wakeLock);
  for (int i = 0; i < workerCount; ++i)
    pthread_join(workers[i], 0);
  workerCount = 0;
  STORE(&quitting, 0);
  pthread_mutex_unlock(&poolLock);
  STORE(&busy, 0);
}
