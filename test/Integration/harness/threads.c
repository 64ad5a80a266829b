/* threads.c - calls a qopt model from several threads at once and checks
 * that every thread gets exactly the single-threaded outputs: the model's
 * temporaries are per-thread static storage (qt-static-workspace), so
 * concurrent calls must not share them. Inputs are synthetic and
 * different per call.
 *
 *   cc -Idir -DMODEL=m -DMODEL_UPPER=M threads.c m.o -lm -lpthread */
#define CAT3(a, b, c) a##b##c
#define XCAT3(a, b, c) CAT3(a, b, c)
#define STR(x) #x
#define XSTR(x) STR(x)
#include XSTR(MODEL.h)

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define ENTRY XCAT3(MODEL, _, main)
#define IN_SIZE XCAT3(MODEL_UPPER, _MAIN_, INPUT0_SIZE)
#define OUT_SIZE XCAT3(MODEL_UPPER, _MAIN_, OUTPUT0_SIZE)
#define THREADS 4
#define CALLS 64

static float inputs[CALLS][IN_SIZE], expected[CALLS][OUT_SIZE];

static void *worker(void *arg) {
  long id = (long)arg, bad = 0;
  float out[OUT_SIZE];
  for (int round = 0; round < 50; ++round)
    for (int c = (int)id; c < CALLS; c += THREADS) {
      if (ENTRY(inputs[c], out) != 0 || memcmp(out, expected[c], sizeof out) != 0)
        ++bad;
    }
  return (void *)bad;
}

int main(void) {
  for (int c = 0; c < CALLS; ++c)
    for (int i = 0; i < IN_SIZE; ++i)
      inputs[c][i] = (float)((i * 7 + c * 13) % 17) / 16.0f;
  for (int c = 0; c < CALLS; ++c)
    if (ENTRY(inputs[c], expected[c]) != 0)
      return 1;
  pthread_t t[THREADS];
  for (long i = 0; i < THREADS; ++i)
    pthread_create(&t[i], NULL, worker, (void *)i);
  long bad = 0;
  for (int i = 0; i < THREADS; ++i) {
    void *r;
    pthread_join(t[i], &r);
    bad += (long)r;
  }
  printf("%d threads, %d calls each, %ld differing outputs\n", THREADS,
         50 * CALLS / THREADS, bad);
  return bad != 0;
}
