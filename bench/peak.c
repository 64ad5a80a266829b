/* The CPU's int8 peak on one core: vpdpbusd zmm throughput with 12
 * independent accumulators (64 multiply-adds = 128 ops per instruction).
 * Inline assembly, so that the compiler cannot fold the loop. */
#include <stdio.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(void) {
  const long iters = 20000000;
  double t = now();
  for (long i = 0; i < iters; ++i)
    __asm__ volatile(
        "vpdpbusd %%zmm12, %%zmm13, %%zmm0\n\t"
        "vpdpbusd %%zmm12, %%zmm13, %%zmm1\n\t"
        "vpdpbusd %%zmm12, %%zmm13, %%zmm2\n\t"
        "vpdpbusd %%zmm12, %%zmm13, %%zmm3\n\t"
        "vpdpbusd %%zmm12, %%zmm13, %%zmm4\n\t"
        "vpdpbusd %%zmm12, %%zmm13, %%zmm5\n\t"
        "vpdpbusd %%zmm12, %%zmm13, %%zmm6\n\t"
        "vpdpbusd %%zmm12, %%zmm13, %%zmm7\n\t"
        "vpdpbusd %%zmm12, %%zmm13, %%zmm8\n\t"
        "vpdpbusd %%zmm12, %%zmm13, %%zmm9\n\t"
        "vpdpbusd %%zmm12, %%zmm13, %%zmm10\n\t"
        "vpdpbusd %%zmm12, %%zmm13, %%zmm11\n\t" ::
            : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",
              "xmm8", "xmm9", "xmm10", "xmm11");
  t = now() - t;
  printf("%.1f\n", 12.0 * iters * 128 / t / 1e9);
  return 0;
}
