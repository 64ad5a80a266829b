/* pool_stress.c - the thread pool every object carries
 * (lib/Target/Runtime/ThreadPool.c), compiled natively for a sanitizer:
 * 4 application threads run parallel loops of every size from 1 to 4,096
 * iterations, some with a parallel loop inside each iteration (which runs
 * inline), while the pool has 3 threads, then 1, then is released and
 * restarted. Every element must be written exactly once with its value.
 *
 *   cc -fsanitize=thread ThreadPool.c pool_stress.c -o stress */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

void qopt_rt_parallel_for(void (*body)(void *, long, long), void *ctx, long n);
int qopt_rt_set_num_threads(int n);
void qopt_rt_release_threads(void);

struct job {
  unsigned *out;
  long n;
  unsigned tag;
};

static void body(void *ctx, long begin, long end) {
  struct job *j = ctx;
  for (long i = begin; i < end; ++i)
    j->out[i] += j->tag * 2654435761u + (unsigned)i;
}

static void nested(void *ctx, long begin, long end) {
  struct job *j = ctx;
  for (long i = begin; i < end; ++i) {
    struct job inner = {j->out + i * 16, 16, j->tag + (unsigned)i};
    qopt_rt_parallel_for(body, &inner, 16);
  }
}

static long check(const struct job *j, int isNested) {
  long bad = 0;
  for (long i = 0; i < j->n; ++i) {
    unsigned tag = isNested ? j->tag + (unsigned)(i / 16) : j->tag;
    long k = isNested ? i % 16 : i;
    bad += j->out[i] != tag * 2654435761u + (unsigned)k;
  }
  return bad;
}

static void *app(void *arg) {
  long id = (long)arg, bad = 0;
  static __thread unsigned out[4096];
  for (int r = 0; r < 200; ++r) {
    struct job j = {out, 1 + (r * 37 + id * 11) % 4096, (unsigned)(id * 1000 + r)};
    memset(out, 0, sizeof out);
    qopt_rt_parallel_for(body, &j, j.n);
    bad += check(&j, 0);
    struct job k = {out, 16 * (1 + r % 64), (unsigned)(id * 7 + r)};
    memset(out, 0, sizeof out);
    qopt_rt_parallel_for(nested, &k, k.n / 16);
    bad += check(&k, 1);
  }
  return (void *)bad;
}

static long runApps(void) {
  pthread_t t[4];
  long bad = 0;
  for (long i = 0; i < 4; ++i)
    pthread_create(&t[i], NULL, app, (void *)i);
  for (int i = 0; i < 4; ++i) {
    void *r;
    pthread_join(t[i], &r);
    bad += (long)r;
  }
  return bad;
}

int main(void) {
  long bad = 0;
  if (qopt_rt_set_num_threads(-1) != 1)
    ++bad;
  qopt_rt_set_num_threads(3);
  bad += runApps();
  qopt_rt_set_num_threads(1);
  bad += runApps();
  qopt_rt_release_threads();
  qopt_rt_set_num_threads(2);
  bad += runApps();
  qopt_rt_release_threads();
  printf("pool: %ld wrong elements\n", bad);
  return bad != 0;
}
