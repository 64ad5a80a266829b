/* threads_control.c - the thread controls of a qopt object: the outputs are
 * the same at every setting, set_num_threads(n) starts n - 1 workers (none
 * for 1), rejects negative counts, 0 returns to the default
 * (QOPT_NUM_THREADS or the CPUs of the process), and release_threads ends
 * the workers. Counts the process's threads in /proc/self/task.
 *
 *   cc -Idir -DMODEL=m -DMODEL_UPPER=M threads_control.c m.o -lm */
#define CAT3(a, b, c) a##b##c
#define XCAT3(a, b, c) CAT3(a, b, c)
#define STR(x) #x
#define XSTR(x) STR(x)
#include XSTR(MODEL.h)

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define ENTRY XCAT3(MODEL, _, main)
#define SET_NUM_THREADS XCAT3(MODEL, _, set_num_threads)
#define RELEASE_THREADS XCAT3(MODEL, _, release_threads)
#define IN_SIZE XCAT3(MODEL_UPPER, _MAIN_, INPUT0_SIZE)
#define OUT_SIZE XCAT3(MODEL_UPPER, _MAIN_, OUTPUT0_SIZE)

static float input[IN_SIZE], expected[OUT_SIZE], out[OUT_SIZE];

static int tasks(void) {
  DIR *d = opendir("/proc/self/task");
  int n = 0;
  for (struct dirent *e; d && (e = readdir(d));)
    n += e->d_name[0] != '.';
  if (d)
    closedir(d);
  return n;
}

/* The threads after release: pthread_join returns when a worker's thread
 * id is cleared, which the kernel does before it takes the thread out of
 * /proc/self/task, so a joined worker may still be listed for a moment
 * (seen under load). Waits up to a second for the list to settle. */
static int tasksAfterRelease(void) {
  int n = tasks();
  for (int i = 0; i < 200 && n > 1; ++i) {
    struct timespec pause = {0, 5000000};
    nanosleep(&pause, 0);
    n = tasks();
  }
  return n;
}

static const char *run(void) {
  memset(out, 0x55, sizeof out);
  if (ENTRY(input, out) != 0)
    return "FAILED";
  return memcmp(out, expected, sizeof out) ? "DIFFERENT" : "same";
}

int main(void) {
  for (int i = 0; i < IN_SIZE; ++i)
    input[i] = (float)((i * 5) % 11) / 10.0f;
  printf("set_num_threads(1) = %d\n", SET_NUM_THREADS(1));
  if (ENTRY(input, expected) != 0)
    return 1;
  printf("1 thread: %d tasks\n", tasks());
  printf("set_num_threads(0) = %d\n", SET_NUM_THREADS(0));
  printf("default: %s\n", run());
  printf("set_num_threads(-3) = %d\n", SET_NUM_THREADS(-3));
  printf("after -3: %s\n", run());
  printf("set_num_threads(3) = %d\n", SET_NUM_THREADS(3));
  printf("3 threads: %s, %d tasks\n", run(), tasks());
  printf("set_num_threads(2) = %d\n", SET_NUM_THREADS(2));
  printf("2 threads: %s\n", run());
  RELEASE_THREADS();
  printf("released: %d tasks\n", tasksAfterRelease());
  printf("again: %s\n", run());
  RELEASE_THREADS();
  return 0;
}
