/* threads.c - calls a qopt model from several threads at once and checks
 * that every thread gets exactly the outputs of a model restricted to one
 * thread: the model's temporaries are per-thread static storage
 * (qt-static-workspace), so concurrent calls must not share them, and the
 * calls that find the object's thread pool busy run inline. Inputs are
 * synthetic and different per call. `run [pool]` gives the model `pool`
 * threads (default: the object's default); the workers are released at the
 * end, restarted by one more call, and released again.
 *
 *   cc -Idir -DMODEL=m -DMODEL_UPPER=M threads.c m.o -lm -lpthread */
#define CAT3(a, b, c) a##b##c
#define XCAT3(a, b, c) CAT3(a, b, c)
#define STR(x) #x
#define XSTR(x) STR(x)
#include XSTR(MODEL.h)

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ENTRY XCAT3(MODEL, _, main)
#define SET_NUM_THREADS XCAT3(MODEL, _, set_num_threads)
#define RELEASE_THREADS XCAT3(MODEL, _, release_threads)
#define IN_SIZE XCAT3(MODEL_UPPER, _MAIN_, INPUT0_SIZE)
#define OUT_SIZE XCAT3(MODEL_UPPER, _MAIN_, OUTPUT0_SIZE)
#define THREADS 4
#define CALLS 40
#define ROUNDS 100

static float inputs[CALLS][IN_SIZE], expected[CALLS][OUT_SIZE];

static void *worker(void *arg) {
  long id = (long)arg, bad = 0;
  float out[OUT_SIZE];
  for (int round = 0; round < ROUNDS; ++round)
    for (int c = (int)id; c < CALLS; c += THREADS) {
      if (ENTRY(inputs[c], out) != 0 || memcmp(out, expected[c], sizeof out) != 0)
        ++bad;
    }
  return (void *)bad;
}

int main(int argc, char **argv) {
  if (SET_NUM_THREADS(1) != 0)
    return 1;
  for (int c = 0; c < CALLS; ++c)
    for (int i = 0; i < IN_SIZE; ++i)
      inputs[c][i] = (float)((i * 7 + c * 13) % 17) / 16.0f;
  for (int c = 0; c < CALLS; ++c)
    if (ENTRY(inputs[c], expected[c]) != 0)
      return 1;
  if (SET_NUM_THREADS(argc > 1 ? atoi(argv[1]) : 0) != 0)
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
  RELEASE_THREADS();
  float out[OUT_SIZE];
  if (ENTRY(inputs[0], out) != 0 || memcmp(out, expected[0], sizeof out) != 0)
    ++bad;
  RELEASE_THREADS();
  printf("%d threads, %d calls each, %ld differing outputs\n", THREADS,
         ROUNDS * CALLS / THREADS, bad);
  return bad != 0;
}
